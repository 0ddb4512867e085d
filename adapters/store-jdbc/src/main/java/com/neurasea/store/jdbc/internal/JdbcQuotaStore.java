package com.neurasea.store.jdbc.internal;

import static com.neurasea.store.jdbc.internal.Rows.millis;

import com.neurasea.model.AccountRef;
import com.neurasea.model.DailyUsage;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.Meter;
import com.neurasea.model.ModelPrice;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PageRequest;
import com.neurasea.model.PoolKey;
import com.neurasea.model.PoolState;
import com.neurasea.model.QuotaAccount;
import com.neurasea.model.QuotaLease;
import com.neurasea.model.QuotaLevel;
import com.neurasea.model.QuotaLimits;
import com.neurasea.model.TenantId;
import com.neurasea.model.UsageQuery;
import com.neurasea.model.UsageRecord;
import com.neurasea.model.UserId;
import com.neurasea.spi.QuotaStore;
import com.neurasea.spi.Settlement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Quota accounts, pools, leases, usage records with their daily statistics, and model prices over
 * a {@link Session} (see the V5 migration).
 *
 * <p>The methods that change pools lock the pools' rows before they read them ({@link QuotaPools}),
 * so that {@code used + leased} stays within the account's limit when hosts change one pool at once,
 * and run atomically ({@link Session#atomicWithRowLocks}): called on their own, in a transaction of
 * their own where hosts changing one pool queue for its lock; called inside a caller's transaction,
 * as part of it, where (on PostgreSQL, serializable) a pool that another host changed since the
 * transaction began fails it transiently, and it is retried as a whole. Settlements are worked out
 * by {@link SettlementBatch}; usage listings and prices are read by {@link UsageRecords} and
 * {@link ModelPrices}.
 */
public final class JdbcQuotaStore implements QuotaStore {
  private static final Conflicts ACCOUNT = Conflicts.fallback("account", "this quota account already exists");
  /** Accounts from the narrowest level to the widest, as {@link QuotaLevel} declares them. */
  private static final String LEVEL_ORDER = "CASE level WHEN 'TOKEN' THEN 0 WHEN 'USER' THEN 1 WHEN 'GROUP' THEN 2 "
      + "ELSE 3 END";

  private final String usageBatchSetup;
  private final Session session;
  private final QuotaPools pools;
  private final UsageRecords usage;
  private final ModelPrices prices;

  /**
   * Creates the store.
   *
   * @param session where its statements run
   * @param rowLock the clause that locks the rows a {@code SELECT} reads ({@link
   *     com.neurasea.store.jdbc.SqlDialect#rowLockClause()}), empty when writers serialize anyway
   * @param usageBatchSetup the statement run first when a batch of usage records is written ({@link
   *     com.neurasea.store.jdbc.SqlDialect#usageBatchSetup()}), or null
   */
  public JdbcQuotaStore(Session session, String rowLock, String usageBatchSetup) {
    this.session = Objects.requireNonNull(session, "session");
    this.usageBatchSetup = usageBatchSetup;
    this.pools = new QuotaPools(Objects.requireNonNull(rowLock, "rowLock"));
    this.usage = new UsageRecords(session);
    this.prices = new ModelPrices(session);
  }

  // ---- accounts

  @Override
  public void insertAccount(QuotaAccount account) {
    required("account", account);
    session.call(h -> QuotaRows.bindLimits(QuotaRows.bindAccount(h.createUpdate("INSERT INTO quota_accounts ("
                + QuotaRows.ACCOUNT_COLUMNS + ") VALUES (:tenantId, :level, :subjectId, :budget, :period, :rpm, "
                + ":tpm, :concurrency, :version, :createdAt, :updatedAt)"), account.ref()), account.limits())
        .bind("version", account.version())
        .bind("createdAt", millis(account.createdAt()))
        .bind("updatedAt", millis(account.updatedAt()))
        .execute(), ACCOUNT);
  }

  @Override
  public Optional<QuotaAccount> findAccount(AccountRef ref) {
    required("ref", ref);
    return session.read(h -> QuotaRows.bindAccount(h.createQuery("SELECT " + QuotaRows.ACCOUNT_COLUMNS
            + " FROM quota_accounts WHERE " + QuotaRows.ACCOUNT_KEY), ref)
        .map((rs, ctx) -> QuotaRows.account(rs))
        .findOne());
  }

  @Override
  public List<QuotaAccount> listAccounts(TenantId tenantId, PageRequest page) {
    required("tenantId", tenantId);
    required("page", page);
    return session.read(h -> h.createQuery("SELECT " + QuotaRows.ACCOUNT_COLUMNS + " FROM quota_accounts "
            + "WHERE tenant_id = :tenantId ORDER BY " + LEVEL_ORDER + ", subject_id LIMIT :limit OFFSET :offset")
        .bind("tenantId", tenantId.value())
        .bind("limit", page.limit())
        .bind("offset", page.offset())
        .map((rs, ctx) -> QuotaRows.account(rs))
        .list());
  }

  @Override
  public boolean updateAccount(QuotaAccount next) {
    required("next", next);
    return session.call(h -> QuotaRows.bindLimits(QuotaRows.bindAccount(h.createUpdate("UPDATE quota_accounts "
                + "SET budget = :budget, period = :period, rpm = :rpm, tpm = :tpm, concurrency = :concurrency, "
                + "version = :version, updated_at = :updatedAt WHERE " + QuotaRows.ACCOUNT_KEY
                + " AND version = :previousVersion"), next.ref()), next.limits())
        .bind("version", next.version())
        .bind("previousVersion", next.version() - 1)
        .bind("updatedAt", millis(next.updatedAt()))
        .execute(), ACCOUNT) > 0;
  }

  @Override
  public boolean deleteAccount(AccountRef ref) {
    required("ref", ref);
    // Pools first: their row locks keep lease changes of this account out until the delete commits.
    return session.atomicWithRowLocks(h -> {
      deleteOfAccount(h, "quota_pools", ref);
      deleteOfAccount(h, "quota_leases", ref);
      return deleteOfAccount(h, "quota_accounts", ref) > 0;
    }, Conflicts.NONE);
  }

  private static int deleteOfAccount(Handle h, String table, AccountRef ref) {
    return QuotaRows.bindAccount(h.createUpdate("DELETE FROM " + table + " WHERE " + QuotaRows.ACCOUNT_KEY), ref)
        .execute();
  }

  // ---- pools and leases

  @Override
  public Optional<PoolState> findPool(PoolKey key) {
    required("key", key);
    return session.read(h -> QuotaRows.bindPool(h.createQuery("SELECT " + QuotaRows.POOL_COLUMNS
            + " FROM quota_pools WHERE " + QuotaRows.POOL_KEY), key)
        .map((rs, ctx) -> QuotaRows.pool(rs))
        .findOne());
  }

  @Override
  public PoolState lockPool(PoolKey key) {
    required("key", key);
    return session.atomicWithRowLocks(h -> {
      Optional<PoolState> pool = pools.lock(h, key);
      if (pool.isPresent()) {
        return pool.get();
      }
      pools.createPool(h, key, 0, 0);
      return pools.lock(h, key).orElseThrow();
    }, Conflicts.NONE);
  }

  @Override
  public long lease(PoolKey key, long min, long want, String hostId, Instant expiresAt) {
    required("key", key);
    if (min < 1) {
      throw NeuraSeaException.invalid("min", "must be 1 or more");
    }
    if (want < min) {
      throw NeuraSeaException.invalid("want", "must be min or more");
    }
    requiredHost(hostId);
    required("expiresAt", expiresAt);
    return session.atomicWithRowLocks(h -> {
      Optional<PoolState> pool = pools.lock(h, key);
      if (pool.isEmpty()) {
        // Creating the pool below fails (and waits) if a limit change created and locked it meanwhile.
        long limit = limitOf(h, key);
        long grant = Math.min(want, limit);
        if (grant < min) {
          return 0L;
        }
        if (pools.createPool(h, key, 0, grant)) {
          pools.addLease(h, key, hostId, grant, expiresAt);
          return grant;
        }
        // Another host created it since: lock it as it is now.
        pool = pools.lock(h, key);
      }
      PoolState state = pool.orElseThrow();
      // Read under the pool's lock: a limit change that locked the pool first has committed by now.
      long limit = limitOf(h, key);
      long grant = Math.min(want, QuotaPools.headroom(limit, state.used(), state.leased()));
      if (grant < min) {
        return 0L;
      }
      pools.addLeased(h, key, grant);
      pools.addLease(h, key, hostId, grant, expiresAt);
      return grant;
    }, Conflicts.NONE);
  }

  private long limitOf(Handle h, PoolKey key) {
    QuotaLimits limits = pools.limits(h, key.account())
        .orElseThrow(() -> NeuraSeaException.notFound("quota account " + key.account()));
    Long limit = limits.limitOf(key.meter());
    if (limit == null) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "quota account " + key.account() + " has no "
          + key.meter().key() + " limit");
    }
    return limit;
  }

  @Override
  public void returnLease(PoolKey key, String hostId, long amount) {
    required("key", key);
    requiredHost(hostId);
    if (amount < 0) {
      throw NeuraSeaException.invalid("amount", "must be 0 or more");
    }
    if (amount == 0) {
      return;
    }
    session.atomicWithRowLocks(h -> {
      pools.lock(h, key);
      long held = pools.lease(h, hostId, key);
      if (held < amount) {
        throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "the host holds " + held + " of the pool, less "
            + "than the " + amount + " it returns");
      }
      pools.setLease(h, key, hostId, held - amount);
      pools.addLeased(h, key, -amount);
      return null;
    }, Conflicts.NONE);
  }

  @Override
  public List<UsageRecord> settle(String hostId, List<Settlement> settlements) {
    requiredHost(hostId);
    required("settlements", settlements);
    Set<String> requestIds = new HashSet<>();
    for (int i = 0; i < settlements.size(); i++) {
      Settlement settlement = settlements.get(i);
      if (settlement == null) {
        throw NeuraSeaException.invalid("settlements[" + i + "]", "is required");
      }
      if (!requestIds.add(SettlementBatch.key(settlement.usage().tenantId().value(), settlement.usage().requestId()))) {
        throw NeuraSeaException.invalid("settlements[" + i + "]", "repeats request id "
            + settlement.usage().requestId());
      }
    }
    if (settlements.isEmpty()) {
      return List.of();
    }
    List<Settlement> batch = List.copyOf(settlements);
    return session.atomicWithRowLocks(h -> new SettlementBatch(h, pools, hostId, usageBatchSetup).settle(batch), Conflicts.NONE);
  }

  @Override
  public int renewLeases(String hostId, Instant expiresAt) {
    requiredHost(hostId);
    required("expiresAt", expiresAt);
    return session.call(h -> h.createUpdate("UPDATE quota_leases SET expires_at = :expiresAt WHERE host_id = :hostId")
        .bind("expiresAt", millis(expiresAt))
        .bind("hostId", hostId)
        .execute(), Conflicts.NONE);
  }

  @Override
  public List<QuotaLease> expireLeases(Instant now, int limit) {
    required("now", now);
    if (limit < 0) {
      throw NeuraSeaException.invalid("limit", "must be 0 or more");
    }
    if (limit == 0) {
      return List.of();
    }
    return session.atomicWithRowLocks(h -> {
      List<QuotaLease> candidates = expired(h, now, limit);
      if (candidates.isEmpty()) {
        return List.<QuotaLease>of();
      }
      Set<PoolKey> locked = pools.lockAll(h, candidates.stream().map(QuotaLease::key).toList()).keySet();
      // Read again under the locks: a lease may have been consumed, returned or renewed meanwhile.
      List<QuotaLease> expired = new ArrayList<>();
      for (QuotaLease lease : expired(h, now, limit)) {
        if (locked.contains(lease.key())) {
          expired.add(lease);
        }
      }
      return removeLeases(h, expired, now);
    }, Conflicts.NONE);
  }

  private static List<QuotaLease> expired(Handle h, Instant now, int limit) {
    return h.createQuery("SELECT " + QuotaRows.LEASE_COLUMNS + " FROM quota_leases WHERE expires_at < :now "
            + "ORDER BY expires_at, " + QuotaRows.POOL_ORDER_BY + ", host_id LIMIT :limit")
        .bind("now", millis(now))
        .bind("limit", limit)
        .map((rs, ctx) -> QuotaRows.lease(rs))
        .list();
  }

  private static List<QuotaLease> removeLeases(Handle h, List<QuotaLease> expired, Instant now) {
    if (expired.isEmpty()) {
      return expired;
    }
    PreparedBatch delete = h.prepareBatch("DELETE FROM quota_leases WHERE " + QuotaRows.POOL_KEY
        + " AND host_id = :hostId AND expires_at < :now");
    for (QuotaLease lease : expired) {
      QuotaRows.bindPool(delete, lease.key()).bind("hostId", lease.hostId()).bind("now", millis(now)).add();
    }
    int[] deleted = delete.execute();
    List<QuotaLease> removed = new ArrayList<>();
    Map<PoolKey, Long> returned = new LinkedHashMap<>();
    for (int i = 0; i < expired.size(); i++) {
      if (deleted[i] != 0) {
        QuotaLease lease = expired.get(i);
        removed.add(lease);
        returned.merge(lease.key(), lease.amount(), Long::sum);
      }
    }
    if (!returned.isEmpty()) {
      PreparedBatch update = h.prepareBatch("UPDATE quota_pools SET leased = leased - :amount WHERE "
          + QuotaRows.POOL_KEY);
      returned.forEach((key, amount) -> QuotaRows.bindPool(update, key).bind("amount", amount).add());
      update.execute();
    }
    return removed;
  }

  @Override
  public List<QuotaLease> leasesOf(String hostId) {
    requiredHost(hostId);
    return session.read(h -> h.createQuery("SELECT " + QuotaRows.LEASE_COLUMNS + " FROM quota_leases "
            + "WHERE host_id = :hostId ORDER BY " + QuotaRows.POOL_ORDER_BY)
        .bind("hostId", hostId)
        .map((rs, ctx) -> QuotaRows.lease(rs))
        .list());
  }

  @Override
  public int deleteStalePools(long windowStartBefore) {
    return session.call(h -> h.createUpdate("DELETE FROM quota_pools WHERE meter IN (:requests, :tokens) "
            + "AND window_start < :before AND leased = 0")
        .bind("requests", Meter.REQUESTS.name())
        .bind("tokens", Meter.TOKENS.name())
        .bind("before", windowStartBefore)
        .execute(), Conflicts.NONE);
  }

  // ---- usage records and daily statistics

  @Override
  public Optional<UsageRecord> findUsage(TenantId tenantId, String requestId) {
    required("tenantId", tenantId);
    required("requestId", requestId);
    return usage.find(tenantId, requestId);
  }

  @Override
  public List<UsageRecord> listUsage(UsageQuery query, PageRequest page) {
    required("query", query);
    required("page", page);
    return usage.list(query, page);
  }

  @Override
  public List<UsageRecord> usageOfUser(UserId userId, PageRequest page) {
    required("userId", userId);
    required("page", page);
    return usage.ofUser(userId, page);
  }

  @Override
  public List<DailyUsage> dailyUsage(TenantId tenantId, LocalDate from, LocalDate to, UserId userId, String model) {
    required("tenantId", tenantId);
    required("from", from);
    required("to", to);
    if (to.isBefore(from)) {
      throw NeuraSeaException.invalid("to", "must not be before from");
    }
    return usage.daily(tenantId, from, to, userId, model);
  }

  @Override
  public int eraseUsageDetails(UserId userId) {
    required("userId", userId);
    return usage.eraseDetails(userId);
  }

  @Override
  public int eraseUsageDetailsBefore(Instant finishedBefore) {
    required("finishedBefore", finishedBefore);
    return usage.eraseDetailsBefore(finishedBefore);
  }

  // ---- model prices

  @Override
  public void insertPrice(ModelPrice price) {
    required("price", price);
    prices.insert(price);
  }

  @Override
  public List<ModelPrice> listPrices(TenantId tenantId, String model) {
    return prices.list(tenantId, model);
  }

  // ---- arguments

  private static void required(String field, Object value) {
    if (value == null) {
      throw NeuraSeaException.invalid(field, "is required");
    }
  }

  private static void requiredHost(String hostId) {
    if (hostId == null || hostId.isBlank()) {
      throw NeuraSeaException.invalid("hostId", "is required");
    }
  }
}
