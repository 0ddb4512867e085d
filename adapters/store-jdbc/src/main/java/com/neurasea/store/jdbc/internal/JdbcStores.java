package com.neurasea.store.jdbc.internal;

import com.neurasea.model.TenantId;
import com.neurasea.model.UserId;
import com.neurasea.spi.AccessFacts;
import com.neurasea.spi.CredentialStore;
import com.neurasea.spi.LedgerStore;
import com.neurasea.spi.PermissionStore;
import com.neurasea.spi.PrivacyStore;
import com.neurasea.spi.Stores;
import com.neurasea.spi.TenancyStore;

/**
 * The stores over one session.
 *
 * @param tenancy tenants, users, memberships and groups
 * @param credentials passwords and API tokens
 * @param permissions roles, bindings and grants
 * @param ledger the privacy ledger
 * @param privacy data-subject requests, legal holds, policy versions and acknowledgments, subject flags
 * @param access the one-statement access query
 */
public record JdbcStores(
    TenancyStore tenancy, CredentialStore credentials, PermissionStore permissions, LedgerStore ledger,
    PrivacyStore privacy, JdbcAccessQuery access)
    implements Stores {
  /**
   * The stores over a session, for a database whose write transactions serialize ledger appenders.
   *
   * @param session where their statements run
   * @param lateral whether the database supports the lateral form of the access query
   * @return the stores
   */
  public static JdbcStores over(Session session, boolean lateral) {
    return over(session, lateral, null);
  }

  /**
   * The stores over a session.
   *
   * @param session where their statements run
   * @param lateral whether the database supports the lateral form of the access query
   * @param ledgerAppendLock the statement that serializes ledger appenders, null for none
   *     ({@link com.neurasea.store.jdbc.SqlDialect#ledgerAppendLock()})
   * @return the stores
   */
  public static JdbcStores over(Session session, boolean lateral, String ledgerAppendLock) {
    return new JdbcStores(new JdbcTenancyStore(session), new JdbcCredentialStore(session),
        new JdbcPermissionStore(session), new JdbcLedgerStore(session, ledgerAppendLock),
        new JdbcPrivacyStore(session), new JdbcAccessQuery(session, lateral));
  }

  /** Reads the access facts in one statement. */
  @Override
  public AccessFacts accessOf(TenantId tenantId, UserId userId) {
    return access.accessOf(tenantId, userId);
  }
}
