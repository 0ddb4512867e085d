package com.neurasea.spi;

import com.neurasea.model.Grant;
import com.neurasea.model.Tenant;
import com.neurasea.model.TenantId;
import com.neurasea.model.User;
import com.neurasea.model.UserId;
import java.util.List;
import java.util.Optional;

/** The stores of one storage backend, bound to a connection or a transaction. */
public interface Stores {
  /** Tenants, users, memberships and groups. */
  TenancyStore tenancy();

  /** Passwords and API tokens. */
  CredentialStore credentials();

  /** Roles, bindings and grants. */
  PermissionStore permissions();

  /**
   * The privacy ledger. From the stores of {@link Storage#inTransaction}, appends land in the same
   * unit of work as the change they record, or not at all.
   */
  LedgerStore ledger();

  /** Data-subject requests, legal holds, policy versions and acknowledgments, subject flags. */
  PrivacyStore privacy();

  /** Quota accounts, pools, leases, usage records and model prices. */
  QuotaStore quota();

  /** Upstream channels and model aliases. */
  ChannelStore channels();

  /**
   * Reads the facts a permission check needs about a user in a tenant. This runs on every access
   * cache miss: backends should override it to answer in one round trip; the default composes the
   * store calls.
   *
   * @param tenantId the tenant, or null for platform level (no tenant facts)
   * @param userId the user
   * @return the facts
   */
  default AccessFacts accessOf(TenantId tenantId, UserId userId) {
    Optional<User> user = tenancy().findUser(userId);
    List<Grant> platform = user.isPresent() ? permissions().platformGrantsOf(userId) : List.of();
    if (tenantId == null) {
      return new AccessFacts(user.map(User::status).orElse(null), null, false, platform, List.of());
    }
    Optional<Tenant> tenant = tenancy().findTenant(tenantId);
    boolean member = tenant.isPresent() && tenancy().findMembership(tenantId, userId).isPresent();
    List<Grant> grants = member ? permissions().grantsOf(tenantId, userId) : List.of();
    return new AccessFacts(user.map(User::status).orElse(null), tenant.map(Tenant::status).orElse(null), member,
        platform, grants);
  }
}
