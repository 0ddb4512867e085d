package com.neurasea.store.jdbc.internal;

import static com.neurasea.store.jdbc.internal.Rows.millis;

import com.neurasea.model.AccountRef;
import com.neurasea.model.PoolKey;
import com.neurasea.model.PoolState;
import com.neurasea.model.QuotaLimits;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;

/**
 * The statements on pools, leases and account limits that the quota store's changes share, run on
 * the handle of the change's transaction.
 *
 * <p>Every change of a pool's {@code used} or {@code leased}, or of a lease's amount, first locks the
 * pool's row with {@link #lock} or {@link #lockAll} and reads it; several pools are locked in one
 * order ({@link QuotaRows#POOL_ORDER_BY}), so that concurrent changes queue instead of deadlocking.
 * A pool is created by the change that first needs it, with {@code ON CONFLICT DO NOTHING}: when
 * another host created it first, the change locks it as it is or fails transiently and is retried.
 */
final class QuotaPools {
  private static final String SELECT_POOL = "SELECT " + QuotaRows.POOL_COLUMNS + " FROM quota_pools ";
  private static final String SELECT_LIMITS = "SELECT " + QuotaRows.ACCOUNT_COLUMNS + " FROM quota_accounts ";

  private final String rowLock;

  /**
   * Creates the statements.
   *
   * @param rowLock the clause that locks selected rows, with a leading space, or empty
   */
  QuotaPools(String rowLock) {
    this.rowLock = rowLock;
  }

  /** Locks and reads a pool, when it exists. */
  Optional<PoolState> lock(Handle h, PoolKey key) {
    return QuotaRows.bindPool(h.createQuery(SELECT_POOL + "WHERE " + QuotaRows.POOL_KEY + rowLock), key)
        .map((rs, ctx) -> QuotaRows.pool(rs))
        .findOne();
  }

  /** Locks and reads the pools that exist among the keys, in key order. */
  Map<PoolKey, PoolState> lockAll(Handle h, Collection<PoolKey> keys) {
    TreeSet<PoolKey> sorted = new TreeSet<>(QuotaRows.POOL_ORDER);
    sorted.addAll(keys);
    Map<PoolKey, PoolState> pools = new HashMap<>();
    for (List<PoolKey> chunk : QuotaRows.chunks(List.copyOf(sorted))) {
      QuotaRows.bindPools(h.createQuery(SELECT_POOL + "WHERE " + QuotaRows.poolConditions(chunk.size())
              + " ORDER BY " + QuotaRows.POOL_ORDER_BY + rowLock), chunk)
          .map((rs, ctx) -> QuotaRows.pool(rs))
          .forEach(pool -> pools.put(pool.key(), pool));
    }
    return pools;
  }

  /** The limits of an account, when it exists. */
  Optional<QuotaLimits> limits(Handle h, AccountRef ref) {
    return QuotaRows.bindAccount(h.createQuery(SELECT_LIMITS + "WHERE " + QuotaRows.ACCOUNT_KEY), ref)
        .map((rs, ctx) -> QuotaRows.limits(rs))
        .findOne();
  }

  /** The limits of the accounts that exist among the references. */
  Map<AccountRef, QuotaLimits> limits(Handle h, Collection<AccountRef> refs) {
    Map<AccountRef, QuotaLimits> limits = new HashMap<>();
    for (List<AccountRef> chunk : QuotaRows.chunks(List.copyOf(refs))) {
      QuotaRows.bindAccounts(h.createQuery(SELECT_LIMITS + "WHERE " + QuotaRows.accountConditions(chunk.size())),
              chunk)
          .map((rs, ctx) -> Map.entry(QuotaRows.accountRef(rs), QuotaRows.limits(rs)))
          .forEach(e -> limits.put(e.getKey(), e.getValue()));
    }
    return limits;
  }

  /** What a host holds of each of the pools, leaving out pools it holds nothing of. */
  Map<PoolKey, Long> leases(Handle h, String hostId, Collection<PoolKey> keys) {
    Map<PoolKey, Long> leases = new HashMap<>();
    for (List<PoolKey> chunk : QuotaRows.chunks(List.copyOf(keys))) {
      QuotaRows.bindPools(h.createQuery("SELECT " + QuotaRows.LEASE_COLUMNS + " FROM quota_leases "
              + "WHERE host_id = :hostId AND (" + QuotaRows.poolConditions(chunk.size()) + ")"), chunk)
          .bind("hostId", hostId)
          .map((rs, ctx) -> Map.entry(QuotaRows.poolKey(rs), rs.getLong("amount")))
          .forEach(e -> leases.put(e.getKey(), e.getValue()));
    }
    return leases;
  }

  /** What a host holds of a pool, 0 when nothing. */
  long lease(Handle h, String hostId, PoolKey key) {
    return QuotaRows.bindPool(h.createQuery("SELECT amount FROM quota_leases WHERE " + QuotaRows.POOL_KEY
            + " AND host_id = :hostId"), key)
        .bind("hostId", hostId)
        .mapTo(Long.class)
        .findOne()
        .orElse(0L);
  }

  /**
   * Creates a pool unless it exists.
   *
   * @return false when it existed already (nothing written)
   */
  boolean createPool(Handle h, PoolKey key, long used, long leased) {
    return QuotaRows.bindPool(h.createUpdate("INSERT INTO quota_pools (" + QuotaRows.POOL_COLUMNS + ") VALUES "
            + "(:tenantId, :level, :subjectId, :meter, :windowStart, :used, :leased) ON CONFLICT DO NOTHING"), key)
        .bind("used", used)
        .bind("leased", leased)
        .execute() > 0;
  }

  /** Adds to what is leased of a locked pool (subtracts a negative amount). */
  void addLeased(Handle h, PoolKey key, long amount) {
    QuotaRows.bindPool(h.createUpdate("UPDATE quota_pools SET leased = leased + :amount WHERE "
            + QuotaRows.POOL_KEY), key)
        .bind("amount", amount)
        .execute();
  }

  /** Adds to a host's lease on a locked pool, creating it, and moves its expiry to {@code expiresAt} if later. */
  void addLease(Handle h, PoolKey key, String hostId, long amount, Instant expiresAt) {
    QuotaRows.bindPool(h.createUpdate("INSERT INTO quota_leases (" + QuotaRows.LEASE_COLUMNS + ") VALUES "
            + "(:tenantId, :level, :subjectId, :meter, :windowStart, :hostId, :amount, :expiresAt) "
            + "ON CONFLICT (tenant_id, level, subject_id, meter, window_start, host_id) DO UPDATE SET "
            + "amount = quota_leases.amount + excluded.amount, expires_at = CASE "
            + "WHEN excluded.expires_at > quota_leases.expires_at THEN excluded.expires_at "
            + "ELSE quota_leases.expires_at END"), key)
        .bind("hostId", hostId)
        .bind("amount", amount)
        .bind("expiresAt", millis(expiresAt))
        .execute();
  }

  /** Sets a host's existing lease on a locked pool to an amount, deleting it at 0. */
  void setLease(Handle h, PoolKey key, String hostId, long amount) {
    String sql = amount == 0
        ? "DELETE FROM quota_leases WHERE " + QuotaRows.POOL_KEY + " AND host_id = :hostId"
        : "UPDATE quota_leases SET amount = :amount WHERE " + QuotaRows.POOL_KEY + " AND host_id = :hostId";
    var update = QuotaRows.bindPool(h.createUpdate(sql), key).bind("hostId", hostId);
    if (amount != 0) {
      update.bind("amount", amount);
    }
    update.execute();
  }

  /** The free allowance of a pool: 0 when the limit was lowered below what is used and leased. */
  static long headroom(Long limit, long used, long leased) {
    if (limit == null) {
      return Long.MAX_VALUE;
    }
    return Math.max(0L, limit - used - leased);
  }
}
