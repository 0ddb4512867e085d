package com.neurasea.store.jdbc.internal;

import com.neurasea.model.TenantId;
import com.neurasea.model.UserId;
import com.neurasea.spi.AccessFacts;
import com.neurasea.spi.ChannelStore;
import com.neurasea.spi.CredentialStore;
import com.neurasea.spi.LedgerStore;
import com.neurasea.spi.PermissionStore;
import com.neurasea.spi.PrivacyStore;
import com.neurasea.spi.QuotaStore;
import com.neurasea.spi.Stores;
import com.neurasea.spi.TenancyStore;
import com.neurasea.store.jdbc.SqlDialect;

/**
 * The stores over one session.
 *
 * @param tenancy tenants, users, memberships and groups
 * @param credentials passwords and API tokens
 * @param permissions roles, bindings and grants
 * @param ledger the privacy ledger
 * @param privacy data-subject requests, legal holds, policy versions and acknowledgments, subject flags
 * @param quota quota accounts, pools, leases, usage records and model prices
 * @param channels upstream channels and model aliases
 * @param access the one-statement access query
 */
public record JdbcStores(
    TenancyStore tenancy, CredentialStore credentials, PermissionStore permissions, LedgerStore ledger,
    PrivacyStore privacy, QuotaStore quota, ChannelStore channels, JdbcAccessQuery access)
    implements Stores {
  /**
   * The stores over a session, using what the dialect says about the database: lateral joins
   * ({@link SqlDialect#supportsLateralJoin()}), the ledger append lock ({@link
   * SqlDialect#ledgerAppendLock()}) and row locks ({@link SqlDialect#rowLockClause()}).
   *
   * @param session where their statements run
   * @param dialect the database's dialect
   * @return the stores
   */
  public static JdbcStores over(Session session, SqlDialect dialect) {
    return new JdbcStores(new JdbcTenancyStore(session), new JdbcCredentialStore(session),
        new JdbcPermissionStore(session), new JdbcLedgerStore(session, dialect.ledgerAppendLock()),
        new JdbcPrivacyStore(session), new JdbcQuotaStore(session, dialect.rowLockClause(), dialect.usageBatchSetup()),
        new JdbcChannelStore(session), new JdbcAccessQuery(session, dialect.supportsLateralJoin()));
  }

  /** Reads the access facts in one statement. */
  @Override
  public AccessFacts accessOf(TenantId tenantId, UserId userId) {
    return access.accessOf(tenantId, userId);
  }
}
