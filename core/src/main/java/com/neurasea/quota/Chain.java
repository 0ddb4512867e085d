package com.neurasea.quota;

import com.neurasea.model.AccountRef;
import com.neurasea.model.GroupId;
import com.neurasea.model.TenantId;
import com.neurasea.model.TokenId;
import com.neurasea.model.UserId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * Who a request is charged to: its token, user, the user's groups (with their ancestors) and the
 * tenant. Every level with a quota account is charged, all or nothing.
 *
 * @param tenantId the tenant
 * @param userId the user, or null
 * @param tokenId the API token, or null
 * @param groupIds the groups, nearest first, without repeats
 */
public record Chain(TenantId tenantId, UserId userId, TokenId tokenId, List<GroupId> groupIds) {
  /** Validates the components. */
  public Chain {
    Objects.requireNonNull(tenantId, "tenantId");
    groupIds = List.copyOf(new LinkedHashSet<>(groupIds == null ? List.of() : groupIds));
  }

  /** A chain of the tenant alone. */
  public static Chain ofTenant(TenantId tenantId) {
    return new Chain(tenantId, null, null, List.of());
  }

  /** The accounts it names, narrowest first: token, user, groups, tenant. */
  public List<AccountRef> accounts() {
    List<AccountRef> refs = new ArrayList<>(3 + groupIds.size());
    if (tokenId != null) {
      refs.add(AccountRef.token(tenantId, tokenId));
    }
    if (userId != null) {
      refs.add(AccountRef.user(tenantId, userId));
    }
    for (GroupId group : groupIds) {
      refs.add(AccountRef.group(tenantId, group));
    }
    refs.add(AccountRef.tenant(tenantId));
    return refs;
  }
}
