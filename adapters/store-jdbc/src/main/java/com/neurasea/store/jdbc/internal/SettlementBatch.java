package com.neurasea.store.jdbc.internal;

import com.neurasea.model.AccountRef;
import com.neurasea.model.Meter;
import com.neurasea.model.PoolKey;
import com.neurasea.model.PoolState;
import com.neurasea.model.QuotaLimits;
import com.neurasea.model.UsageRecord;
import com.neurasea.model.UsageStatus;
import com.neurasea.spi.PoolCharge;
import com.neurasea.spi.Settlement;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * One {@code settle} call on the handle of its transaction: skips the settlements already stored,
 * locks every pool the others charge, works out in memory, settlement after settlement in the
 * order given, what each charge consumes (so that a batch gets exactly what one call per settlement
 * would), and writes the outcome with one batch per table, whatever the number of settlements.
 */
final class SettlementBatch {
  private final Handle h;
  private final QuotaPools pools;
  private final String hostId;
  // In key order, like the locks, so that concurrent batches creating pools queue instead of deadlocking.
  private final Map<PoolKey, Balance> balances = new TreeMap<>(QuotaRows.POOL_ORDER);

  private final String setup;

  SettlementBatch(Handle h, QuotaPools pools, String hostId, String setup) {
    this.h = h;
    this.pools = pools;
    this.hostId = hostId;
    this.setup = setup;
  }

  /** A pool's balance as the batch goes along. */
  private static final class Balance {
    final PoolKey key;
    final Long limit;
    final boolean stored;
    final long usedBefore;
    final long leasedBefore;
    final long leaseBefore;
    long used;
    long leased;
    long lease;

    Balance(PoolKey key, Long limit, PoolState state, long lease) {
      this.key = key;
      this.limit = limit;
      this.stored = state != null;
      this.used = usedBefore = state == null ? 0 : state.used();
      this.leased = leasedBefore = state == null ? 0 : state.leased();
      this.lease = leaseBefore = lease;
    }

    /** The most one charge may consume: the host's lease and the free allowance. */
    long available() {
      long free = QuotaPools.headroom(limit, used, leased);
      return free > Long.MAX_VALUE - lease ? Long.MAX_VALUE : lease + free;
    }

    void consume(long amount) {
      long fromLease = Math.min(amount, lease);
      lease -= fromLease;
      leased -= fromLease;
      used += amount;
    }
  }

  /** Daily statistics of one tenant, day, user and model, as the batch adds to them. */
  private record DayKey(String tenantId, String day, String userId, String model) {
    static final Comparator<DayKey> ORDER = Comparator.comparing(DayKey::tenantId).thenComparing(DayKey::day)
        .thenComparing(DayKey::userId).thenComparing(DayKey::model);
  }

  List<UsageRecord> settle(List<Settlement> settlements) {
    if (setup != null) {
      h.execute(setup);
    }
    List<Settlement> fresh = unstored(settlements);
    if (fresh.isEmpty()) {
      return List.of();
    }
    loadBalances(fresh);
    List<UsageRecord> written = new ArrayList<>(fresh.size());
    for (Settlement settlement : fresh) {
      written.add(apply(settlement));
    }
    writePools();
    writeLeases();
    insertRecords(written);
    addToDailyStatistics(fresh, written);
    return written;
  }

  private List<Settlement> unstored(List<Settlement> settlements) {
    Set<String> stored = new HashSet<>();
    List<String> ids = settlements.stream().map(s -> s.usage().requestId()).distinct().toList();
    for (List<String> chunk : QuotaRows.chunks(ids)) {
      StringBuilder in = new StringBuilder();
      for (int i = 0; i < chunk.size(); i++) {
        in.append(i == 0 ? ":r" : ", :r").append(i);
      }
      var query = h.createQuery("SELECT tenant_id, request_id FROM usage_records WHERE request_id IN (" + in + ")");
      for (int i = 0; i < chunk.size(); i++) {
        query.bind("r" + i, chunk.get(i));
      }
      stored.addAll(query.map((rs, ctx) -> key(rs.getString(1), rs.getString(2))).list());
    }
    return stored.isEmpty() ? settlements : settlements.stream()
        .filter(s -> !stored.contains(key(s.usage().tenantId().value(), s.usage().requestId()))).toList();
  }

  /** A request's identity: its id within its tenant. */
  static String key(String tenantId, String requestId) {
    return tenantId + '\n' + requestId;
  }

  /** Locks and reads every pool of an existing account that the settlements charge. */
  private void loadBalances(List<Settlement> fresh) {
    Set<PoolKey> keys = new LinkedHashSet<>();
    for (Settlement settlement : fresh) {
      for (PoolCharge charge : settlement.charges()) {
        if (charge.amount() > 0) {
          keys.add(charge.key());
        }
      }
    }
    if (keys.isEmpty()) {
      return;
    }
    Set<AccountRef> refs = new LinkedHashSet<>();
    keys.forEach(k -> refs.add(k.account()));
    Map<AccountRef, QuotaLimits> limits = pools.limits(h, refs);
    // Charges to an account that no longer exists are not counted.
    keys.removeIf(k -> !limits.containsKey(k.account()));
    if (keys.isEmpty()) {
      return;
    }
    Map<PoolKey, PoolState> states = pools.lockAll(h, keys);
    Map<PoolKey, Long> leases = pools.leases(h, hostId, states.keySet());
    for (PoolKey key : keys) {
      balances.put(key, new Balance(key, limits.get(key.account()).limitOf(key.meter()), states.get(key),
          leases.getOrDefault(key, 0L)));
    }
  }

  /**
   * Consumes one settlement's charges. All the charges of one meter consume the same amount: the
   * most every one of their pools can cover (a pool charged twice covering both), up to the most
   * asked. A shortfall of credits comes off the record's cost.
   */
  private UsageRecord apply(Settlement settlement) {
    Map<Meter, List<PoolCharge>> byMeter = new EnumMap<>(Meter.class);
    for (PoolCharge charge : settlement.charges()) {
      if (charge.amount() > 0 && balances.containsKey(charge.key())) {
        byMeter.computeIfAbsent(charge.key().meter(), m -> new ArrayList<>()).add(charge);
      }
    }
    long creditShortfall = 0;
    for (Map.Entry<Meter, List<PoolCharge>> meter : byMeter.entrySet()) {
      List<PoolCharge> charges = meter.getValue();
      long asked = 0;
      Map<PoolKey, Integer> times = new LinkedHashMap<>();
      for (PoolCharge charge : charges) {
        asked = Math.max(asked, charge.amount());
        times.merge(charge.key(), 1, Integer::sum);
      }
      long covered = asked;
      for (Map.Entry<PoolKey, Integer> pool : times.entrySet()) {
        covered = Math.min(covered, balances.get(pool.getKey()).available() / pool.getValue());
      }
      for (PoolCharge charge : charges) {
        balances.get(charge.key()).consume(Math.min(charge.amount(), covered));
      }
      if (meter.getKey() == Meter.CREDITS) {
        creditShortfall = asked - covered;
      }
    }
    UsageRecord usage = settlement.usage();
    return creditShortfall == 0 ? usage : usage.withCharged(Math.max(0L, usage.cost() - creditShortfall));
  }

  private void writePools() {
    PreparedBatch update = null;
    PreparedBatch insert = null;
    for (Balance b : balances.values()) {
      if (b.stored && (b.used != b.usedBefore || b.leased != b.leasedBefore)) {
        if (update == null) {
          update = h.prepareBatch("UPDATE quota_pools SET used = :used, leased = :leased WHERE "
              + QuotaRows.POOL_KEY);
        }
        QuotaRows.bindPool(update, b.key).bind("used", b.used).bind("leased", b.leased).add();
      } else if (!b.stored && b.used > 0) {
        // No lease without a pool: a new pool's charges all came from its free allowance.
        if (insert == null) {
          insert = h.prepareBatch("INSERT INTO quota_pools (" + QuotaRows.POOL_COLUMNS + ") VALUES (:tenantId, "
              + ":level, :subjectId, :meter, :windowStart, :used, 0) ON CONFLICT DO NOTHING");
        }
        QuotaRows.bindPool(insert, b.key).bind("used", b.used).add();
      }
    }
    if (update != null) {
      update.execute();
    }
    if (insert != null) {
      requireAllWritten(insert.execute());
    }
  }

  private void writeLeases() {
    PreparedBatch update = null;
    PreparedBatch delete = null;
    for (Balance b : balances.values()) {
      if (b.lease == b.leaseBefore) {
        continue;
      }
      if (b.lease > 0) {
        if (update == null) {
          update = h.prepareBatch("UPDATE quota_leases SET amount = :amount WHERE " + QuotaRows.POOL_KEY
              + " AND host_id = :hostId");
        }
        QuotaRows.bindPool(update, b.key).bind("hostId", hostId).bind("amount", b.lease).add();
      } else {
        if (delete == null) {
          delete = h.prepareBatch("DELETE FROM quota_leases WHERE " + QuotaRows.POOL_KEY + " AND host_id = :hostId");
        }
        QuotaRows.bindPool(delete, b.key).bind("hostId", hostId).add();
      }
    }
    if (update != null) {
      update.execute();
    }
    if (delete != null) {
      delete.execute();
    }
  }

  /**
   * Inserts the records with plain JDBC and positional parameters: at hundreds of rows a batch, named
   * binding's per-value lookups cost more than the database's own work.
   */
  private void insertRecords(List<UsageRecord> records) {
    int[] counts;
    try (PreparedStatement insert = h.getConnection().prepareStatement(INSERT_USAGE)) {
      for (UsageRecord record : records) {
        bindUsage(insert, record);
        insert.addBatch();
      }
      counts = insert.executeBatch();
    } catch (SQLException e) {
      throw new UnableToExecuteStatementException(e, null);
    }
    requireAllWritten(counts);
  }

  private static final String INSERT_USAGE = "INSERT INTO usage_records (" + QuotaRows.USAGE_COLUMNS
      + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";

  /** Binds a record in the order of {@link QuotaRows#USAGE_COLUMNS}. */
  private static void bindUsage(PreparedStatement insert, UsageRecord r) throws SQLException {
    insert.setString(1, r.requestId());
    insert.setString(2, r.tenantId().value());
    text(insert, 3, r.userId() == null ? null : r.userId().value());
    text(insert, 4, r.tokenId() == null ? null : r.tokenId().value());
    text(insert, 5, r.model());
    text(insert, 6, r.channel());
    insert.setLong(7, r.promptTokens());
    insert.setLong(8, r.completionTokens());
    insert.setLong(9, r.cachedTokens());
    insert.setLong(10, r.cost());
    insert.setLong(11, r.uncharged());
    text(insert, 12, r.priceId() == null ? null : r.priceId().value());
    insert.setLong(13, r.multiplier());
    insert.setString(14, r.status().name());
    text(insert, 15, r.errorCode());
    insert.setLong(16, r.latencyMillis());
    insert.setLong(17, r.startedAt().toEpochMilli());
    insert.setLong(18, r.finishedAt().toEpochMilli());
    text(insert, 19, r.clientIp());
    text(insert, 20, r.userAgent());
    insert.setString(21, r.hostId());
  }

  private static void text(PreparedStatement statement, int index, String value) throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.VARCHAR);
    } else {
      statement.setString(index, value);
    }
  }

  /**
   * Fails transiently when a row was found written already: another host stored the same record or
   * created the same pool after this transaction looked. Retried as a whole, the transaction skips
   * the record or locks the pool.
   */
  private static void requireAllWritten(int[] counts) {
    for (int count : counts) {
      if (count == 0) {
        throw new TransientFailure(new IllegalStateException("a row was written concurrently"));
      }
    }
  }

  private void addToDailyStatistics(List<Settlement> fresh, List<UsageRecord> written) {
    Map<DayKey, long[]> days = new TreeMap<>(DayKey.ORDER);
    for (int i = 0; i < fresh.size(); i++) {
      UsageRecord r = written.get(i);
      DayKey key = new DayKey(r.tenantId().value(), fresh.get(i).day().toString(),
          r.userId() == null ? Rows.NONE : r.userId().value(), Rows.key(r.model()));
      long[] sums = days.computeIfAbsent(key, k -> new long[6]);
      sums[0]++;
      sums[1] += r.status() == UsageStatus.SUCCEEDED ? 0 : 1;
      sums[2] += r.promptTokens();
      sums[3] += r.completionTokens();
      sums[4] += r.cachedTokens();
      sums[5] += r.cost();
    }
    PreparedBatch upsert = h.prepareBatch("INSERT INTO usage_daily (" + QuotaRows.DAILY_COLUMNS + ") VALUES "
        + "(:tenantId, :day, :userId, :model, :requests, :failed, :promptTokens, :completionTokens, :cachedTokens, "
        + ":cost) ON CONFLICT (tenant_id, day, user_id, model) DO UPDATE SET "
        + "requests = usage_daily.requests + excluded.requests, failed = usage_daily.failed + excluded.failed, "
        + "prompt_tokens = usage_daily.prompt_tokens + excluded.prompt_tokens, "
        + "completion_tokens = usage_daily.completion_tokens + excluded.completion_tokens, "
        + "cached_tokens = usage_daily.cached_tokens + excluded.cached_tokens, "
        + "cost = usage_daily.cost + excluded.cost");
    days.forEach((key, sums) -> upsert
        .bind("tenantId", key.tenantId())
        .bind("day", key.day())
        .bind("userId", key.userId())
        .bind("model", key.model())
        .bind("requests", sums[0])
        .bind("failed", sums[1])
        .bind("promptTokens", sums[2])
        .bind("completionTokens", sums[3])
        .bind("cachedTokens", sums[4])
        .bind("cost", sums[5])
        .add());
    upsert.execute();
  }
}
