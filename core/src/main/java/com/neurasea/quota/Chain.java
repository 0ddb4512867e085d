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
 * tenant. Every level with a quota account is charged, all or nothing. Immutable; equal when the
 * tenant, user, token and groups are.
 */
public final class Chain {
  private final TenantId tenantId;
  private final UserId userId;
  private final TokenId tokenId;
  private final List<GroupId> groupIds;
  private final List<AccountRef> accounts;

  /**
   * A chain.
   *
   * @param tenantId the tenant
   * @param userId the user, or null
   * @param tokenId the API token, or null
   * @param groupIds the groups, nearest first; repeats are dropped
   */
  public Chain(TenantId tenantId, UserId userId, TokenId tokenId, List<GroupId> groupIds) {
    this.tenantId = Objects.requireNonNull(tenantId, "tenantId");
    this.userId = userId;
    this.tokenId = tokenId;
    this.groupIds = List.copyOf(new LinkedHashSet<>(groupIds == null ? List.of() : groupIds));
    List<AccountRef> refs = new ArrayList<>(3 + this.groupIds.size());
    if (tokenId != null) {
      refs.add(AccountRef.token(tenantId, tokenId));
    }
    if (userId != null) {
      refs.add(AccountRef.user(tenantId, userId));
    }
    for (GroupId group : this.groupIds) {
      refs.add(AccountRef.group(tenantId, group));
    }
    refs.add(AccountRef.tenant(tenantId));
    this.accounts = List.copyOf(refs);
  }

  /** A chain of the tenant alone. */
  public static Chain ofTenant(TenantId tenantId) {
    return new Chain(tenantId, null, null, List.of());
  }

  /** The tenant. */
  public TenantId tenantId() {
    return tenantId;
  }

  /** The user, or null. */
  public UserId userId() {
    return userId;
  }

  /** The API token, or null. */
  public TokenId tokenId() {
    return tokenId;
  }

  /** The groups, nearest first, without repeats. */
  public List<GroupId> groupIds() {
    return groupIds;
  }

  /** The accounts it names, narrowest first: token, user, groups, tenant. */
  public List<AccountRef> accounts() {
    return accounts;
  }

  @Override
  public boolean equals(Object other) {
    return other == this || other instanceof Chain that && tenantId.equals(that.tenantId)
        && Objects.equals(userId, that.userId) && Objects.equals(tokenId, that.tokenId)
        && groupIds.equals(that.groupIds);
  }

  @Override
  public int hashCode() {
    return Objects.hash(tenantId, userId, tokenId, groupIds);
  }

  @Override
  public String toString() {
    return "Chain" + accounts;
  }
}
