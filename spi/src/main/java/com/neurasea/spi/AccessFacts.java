package com.neurasea.spi;

import com.neurasea.model.AccountStatus;
import com.neurasea.model.Grant;
import com.neurasea.model.TenantStatus;
import java.util.List;

/**
 * Everything a permission check needs to know about one user in one tenant, read together.
 *
 * @param userStatus the account's status, null when the user does not exist
 * @param tenantStatus the tenant's status, null when the tenant does not exist or none was asked for
 * @param member whether the user is a member of the tenant
 * @param platformGrants the user's platform-scope grants
 * @param tenantGrants the user's grants in the tenant ({@link PermissionStore#grantsOf}); empty unless
 *     the user is a member
 */
public record AccessFacts(
    AccountStatus userStatus, TenantStatus tenantStatus, boolean member, List<Grant> platformGrants,
    List<Grant> tenantGrants) {
  /** Freezes the lists. */
  public AccessFacts {
    platformGrants = List.copyOf(platformGrants);
    tenantGrants = List.copyOf(tenantGrants);
  }
}
