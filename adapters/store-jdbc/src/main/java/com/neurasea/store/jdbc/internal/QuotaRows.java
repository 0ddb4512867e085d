package com.neurasea.store.jdbc.internal;

import static com.neurasea.store.jdbc.internal.Rows.millis;

import com.neurasea.model.AccountRef;
import com.neurasea.model.DailyUsage;
import com.neurasea.model.Meter;
import com.neurasea.model.ModelPrice;
import com.neurasea.model.PoolKey;
import com.neurasea.model.PoolState;
import com.neurasea.model.PriceId;
import com.neurasea.model.QuotaAccount;
import com.neurasea.model.QuotaLease;
import com.neurasea.model.QuotaLevel;
import com.neurasea.model.QuotaLimits;
import com.neurasea.model.ResetPeriod;
import com.neurasea.model.TenantId;
import com.neurasea.model.TokenId;
import com.neurasea.model.UsageRecord;
import com.neurasea.model.UsageStatus;
import com.neurasea.model.UserId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;
import org.jdbi.v3.core.statement.SqlStatement;

/** Column lists, row mappers and key conditions of the quota tables (see the V5 migration). */
final class QuotaRows {
  static final String ACCOUNT_COLUMNS = "tenant_id, level, subject_id, budget, period, rpm, tpm, concurrency, "
      + "version, created_at, updated_at";
  static final String POOL_COLUMNS = "tenant_id, level, subject_id, meter, window_start, used, leased";
  static final String LEASE_COLUMNS = "tenant_id, level, subject_id, meter, window_start, host_id, amount, "
      + "expires_at";
  static final String USAGE_COLUMNS = "request_id, tenant_id, user_id, token_id, model, channel, prompt_tokens, "
      + "completion_tokens, cached_tokens, cost, uncharged, price_id, multiplier, status, error_code, "
      + "latency_millis, started_at, finished_at, client_ip, user_agent, host_id";
  static final String DAILY_COLUMNS = "tenant_id, day, user_id, model, requests, failed, prompt_tokens, "
      + "completion_tokens, cached_tokens, cost";
  static final String PRICE_COLUMNS = "id, tenant_id, model, effective_from, input_per_million, "
      + "output_per_million, cached_input_per_million, per_request, group_multipliers, created_at";
  /** The order of pool keys, in SQL; {@link #POOL_ORDER} is the same order in Java for ASCII keys. */
  static final String POOL_ORDER_BY = "tenant_id, level, subject_id, meter, window_start";
  static final String ACCOUNT_KEY = "tenant_id = :tenantId AND level = :level AND subject_id = :subjectId";
  static final String POOL_KEY = ACCOUNT_KEY + " AND meter = :meter AND window_start = :windowStart";
  static final Comparator<PoolKey> POOL_ORDER = Comparator
      .comparing((PoolKey k) -> k.account().tenantId().value())
      .thenComparing(k -> k.account().level().name())
      .thenComparing(k -> k.account().subjectId())
      .thenComparing(k -> k.meter().name())
      .thenComparingLong(PoolKey::windowStart);

  /** The largest number of keys one statement looks up; see {@link #chunks}. */
  private static final int MAX_CHUNK = 128;
  private static final char MULTIPLIER_SEPARATOR = '=';

  private QuotaRows() {}

  // ---- keys

  static <S extends SqlStatement<S>> S bindAccount(S statement, AccountRef ref) {
    return statement
        .bind("tenantId", ref.tenantId().value())
        .bind("level", ref.level().name())
        .bind("subjectId", ref.subjectId());
  }

  static <S extends SqlStatement<S>> S bindPool(S statement, PoolKey key) {
    return bindAccount(statement, key.account())
        .bind("meter", key.meter().name())
        .bind("windowStart", key.windowStart());
  }

  /** {@code (a = :a0 AND b = :b0) OR (a = :a1 AND b = :b1) ...} for {@code size} keys of an account. */
  static String accountConditions(int size) {
    return conditions(size, i -> "tenant_id = :t" + i + " AND level = :l" + i + " AND subject_id = :s" + i);
  }

  /** As {@link #accountConditions}, for pool keys. */
  static String poolConditions(int size) {
    return conditions(size, i -> "tenant_id = :t" + i + " AND level = :l" + i + " AND subject_id = :s" + i
        + " AND meter = :m" + i + " AND window_start = :w" + i);
  }

  private static String conditions(int size, IntFunction<String> condition) {
    StringBuilder sql = new StringBuilder();
    for (int i = 0; i < size; i++) {
      sql.append(i == 0 ? "(" : " OR (").append(condition.apply(i)).append(')');
    }
    return sql.toString();
  }

  static <S extends SqlStatement<S>> S bindAccounts(S statement, List<AccountRef> refs) {
    for (int i = 0; i < refs.size(); i++) {
      AccountRef ref = refs.get(i);
      statement.bind("t" + i, ref.tenantId().value()).bind("l" + i, ref.level().name()).bind("s" + i, ref.subjectId());
    }
    return statement;
  }

  static <S extends SqlStatement<S>> S bindPools(S statement, List<PoolKey> keys) {
    bindAccounts(statement, keys.stream().map(PoolKey::account).toList());
    for (int i = 0; i < keys.size(); i++) {
      statement.bind("m" + i, keys.get(i).meter().name()).bind("w" + i, keys.get(i).windowStart());
    }
    return statement;
  }

  /**
   * Splits keys into the chunks one statement each looks up. Every chunk but the last holds {@value
   * #MAX_CHUNK}; the last is padded with its own last key up to a power of two, so that a lookup has
   * a handful of statement texts (which the statement cache keeps) however many keys it is given.
   * Repeating a key in a condition list changes nothing.
   */
  static <T> List<List<T>> chunks(List<T> keys) {
    List<List<T>> chunks = new ArrayList<>();
    for (int from = 0; from < keys.size(); from += MAX_CHUNK) {
      List<T> chunk = new ArrayList<>(keys.subList(from, Math.min(keys.size(), from + MAX_CHUNK)));
      int size = Integer.highestOneBit(chunk.size());
      size = size == chunk.size() ? size : size << 1;
      while (chunk.size() < size) {
        chunk.add(chunk.get(chunk.size() - 1));
      }
      chunks.add(chunk);
    }
    return chunks;
  }

  // ---- mappers

  static AccountRef accountRef(ResultSet rs) throws SQLException {
    return new AccountRef(new TenantId(rs.getString("tenant_id")), QuotaLevel.valueOf(rs.getString("level")),
        rs.getString("subject_id"));
  }

  static PoolKey poolKey(ResultSet rs) throws SQLException {
    return new PoolKey(accountRef(rs), Meter.valueOf(rs.getString("meter")), rs.getLong("window_start"));
  }

  static QuotaLimits limits(ResultSet rs) throws SQLException {
    return new QuotaLimits(nullableLong(rs, "budget"), ResetPeriod.valueOf(rs.getString("period")),
        nullableLong(rs, "rpm"), nullableLong(rs, "tpm"), nullableLong(rs, "concurrency"));
  }

  static QuotaAccount account(ResultSet rs) throws SQLException {
    return new QuotaAccount(accountRef(rs), limits(rs), rs.getLong("version"), Rows.instant(rs, "created_at"),
        Rows.instant(rs, "updated_at"));
  }

  static PoolState pool(ResultSet rs) throws SQLException {
    return new PoolState(poolKey(rs), rs.getLong("used"), rs.getLong("leased"));
  }

  static QuotaLease lease(ResultSet rs) throws SQLException {
    return new QuotaLease(poolKey(rs), rs.getString("host_id"), rs.getLong("amount"), Rows.instant(rs, "expires_at"));
  }

  static UsageRecord usage(ResultSet rs) throws SQLException {
    String userId = rs.getString("user_id");
    String tokenId = rs.getString("token_id");
    String priceId = rs.getString("price_id");
    return new UsageRecord(
        rs.getString("request_id"),
        new TenantId(rs.getString("tenant_id")),
        userId == null ? null : new UserId(userId),
        tokenId == null ? null : new TokenId(tokenId),
        rs.getString("model"),
        rs.getString("channel"),
        rs.getLong("prompt_tokens"),
        rs.getLong("completion_tokens"),
        rs.getLong("cached_tokens"),
        rs.getLong("cost"),
        rs.getLong("uncharged"),
        priceId == null ? null : new PriceId(priceId),
        rs.getLong("multiplier"),
        UsageStatus.valueOf(rs.getString("status")),
        rs.getString("error_code"),
        rs.getLong("latency_millis"),
        Rows.instant(rs, "started_at"),
        Rows.instant(rs, "finished_at"),
        rs.getString("client_ip"),
        rs.getString("user_agent"),
        rs.getString("host_id"));
  }

  static DailyUsage daily(ResultSet rs) throws SQLException {
    String userId = Rows.orNull(rs.getString("user_id"));
    return new DailyUsage(
        new TenantId(rs.getString("tenant_id")),
        LocalDate.parse(rs.getString("day")),
        userId == null ? null : new UserId(userId),
        Rows.orNull(rs.getString("model")),
        rs.getLong("requests"),
        rs.getLong("failed"),
        rs.getLong("prompt_tokens"),
        rs.getLong("completion_tokens"),
        rs.getLong("cached_tokens"),
        rs.getLong("cost"));
  }

  static ModelPrice price(ResultSet rs) throws SQLException {
    String tenantId = Rows.orNull(rs.getString("tenant_id"));
    return new ModelPrice(
        new PriceId(rs.getString("id")),
        tenantId == null ? null : new TenantId(tenantId),
        rs.getString("model"),
        Rows.instant(rs, "effective_from"),
        rs.getLong("input_per_million"),
        rs.getLong("output_per_million"),
        rs.getLong("cached_input_per_million"),
        rs.getLong("per_request"),
        decodeMultipliers(rs.getString("group_multipliers")),
        Rows.instant(rs, "created_at"));
  }

  private static Long nullableLong(ResultSet rs, String column) throws SQLException {
    long value = rs.getLong(column);
    return rs.wasNull() ? null : value;
  }

  // ---- binders

  static <S extends SqlStatement<S>> S bindLimits(S statement, QuotaLimits limits) {
    return statement
        .bind("budget", limits.budget())
        .bind("period", limits.period().name())
        .bind("rpm", limits.requestsPerMinute())
        .bind("tpm", limits.tokensPerMinute())
        .bind("concurrency", limits.concurrency());
  }

  /** Multipliers as a JSON array of {@code groupId=basisPoints} strings, by group id. */
  static String encodeMultipliers(Map<String, Long> multipliers) {
    List<String> entries = new ArrayList<>(multipliers.size());
    new TreeMap<>(multipliers).forEach((group, bp) -> entries.add(group + MULTIPLIER_SEPARATOR + bp));
    return StringLists.encode(entries);
  }

  private static Map<String, Long> decodeMultipliers(String text) {
    Map<String, Long> multipliers = new HashMap<>();
    for (String entry : StringLists.decode(text)) {
      int at = entry.lastIndexOf(MULTIPLIER_SEPARATOR);
      multipliers.put(entry.substring(0, at), Long.parseLong(entry.substring(at + 1)));
    }
    return multipliers;
  }
}
