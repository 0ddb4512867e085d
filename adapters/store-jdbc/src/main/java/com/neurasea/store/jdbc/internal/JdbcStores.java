package com.neurasea.store.jdbc.internal;

import com.neurasea.model.TenantId;
import com.neurasea.model.UserId;
import com.neurasea.spi.AccessFacts;
import com.neurasea.spi.CredentialStore;
import com.neurasea.spi.PermissionStore;
import com.neurasea.spi.Stores;
import com.neurasea.spi.TenancyStore;

/**
 * The three stores over one session.
 *
 * @param tenancy tenants, users, memberships and groups
 * @param credentials passwords and API tokens
 * @param permissions roles, bindings and grants
 * @param access the one-statement access query
 */
public record JdbcStores(
    TenancyStore tenancy, CredentialStore credentials, PermissionStore permissions, JdbcAccessQuery access)
    implements Stores {
  /**
   * The stores over a session.
   *
   * @param session where their statements run
   * @param lateral whether the database supports the lateral form of the access query
   * @return the stores
   */
  public static JdbcStores over(Session session, boolean lateral) {
    return new JdbcStores(new JdbcTenancyStore(session), new JdbcCredentialStore(session),
        new JdbcPermissionStore(session), new JdbcAccessQuery(session, lateral));
  }

  /** Reads the access facts in one statement. */
  @Override
  public AccessFacts accessOf(TenantId tenantId, UserId userId) {
    return access.accessOf(tenantId, userId);
  }
}
