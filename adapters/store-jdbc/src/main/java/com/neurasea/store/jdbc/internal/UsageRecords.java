package com.neurasea.store.jdbc.internal;

import static com.neurasea.store.jdbc.internal.Rows.millis;

import com.neurasea.model.DailyUsage;
import com.neurasea.model.PageRequest;
import com.neurasea.model.TenantId;
import com.neurasea.model.UsageQuery;
import com.neurasea.model.UsageRecord;
import com.neurasea.model.UserId;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The reads and erasures of usage records and their daily statistics, for {@link JdbcQuotaStore},
 * which checks the arguments; {@link SettlementBatch} writes both.
 */
final class UsageRecords {
  private static final String SELECT = "SELECT " + QuotaRows.USAGE_COLUMNS + " FROM usage_records ";
  private static final String NEWEST_FIRST = " ORDER BY finished_at DESC, request_id DESC LIMIT :limit OFFSET :offset";
  private static final String CLEAR_DETAILS = "UPDATE usage_records SET client_ip = NULL, user_agent = NULL WHERE ";
  // Matches the partial index's predicate, so that both databases can use it.
  private static final String HAS_DETAILS = "(client_ip IS NOT NULL OR user_agent IS NOT NULL)";

  private final Session session;

  UsageRecords(Session session) {
    this.session = session;
  }

  Optional<UsageRecord> find(TenantId tenantId, String requestId) {
    return session.read(h -> h.createQuery(SELECT + "WHERE request_id = :requestId AND tenant_id = :tenantId")
        .bind("requestId", requestId)
        .bind("tenantId", tenantId.value())
        .map((rs, ctx) -> QuotaRows.usage(rs))
        .findOne());
  }

  List<UsageRecord> list(UsageQuery query, PageRequest page) {
    Map<String, Object> filters = new LinkedHashMap<>();
    filters.put("tenant_id = :tenantId", query.tenantId().value());
    if (query.userId() != null) {
      filters.put("user_id = :userId", query.userId().value());
    }
    if (query.tokenId() != null) {
      filters.put("token_id = :tokenId", query.tokenId().value());
    }
    if (query.model() != null) {
      filters.put("model = :model", query.model());
    }
    if (query.status() != null) {
      filters.put("status = :status", query.status().name());
    }
    if (query.from() != null) {
      filters.put("finished_at >= :from", millis(query.from()));
    }
    if (query.to() != null) {
      filters.put("finished_at < :to", millis(query.to()));
    }
    String sql = SELECT + "WHERE " + String.join(" AND ", filters.keySet()) + NEWEST_FIRST;
    return session.read(h -> {
      var select = h.createQuery(sql).bind("limit", page.limit()).bind("offset", page.offset());
      filters.forEach((condition, value) -> select.bind(condition.substring(condition.indexOf(':') + 1), value));
      return select.map((rs, ctx) -> QuotaRows.usage(rs)).list();
    });
  }

  List<UsageRecord> ofUser(UserId userId, PageRequest page) {
    return session.read(h -> h.createQuery(SELECT + "WHERE user_id = :userId" + NEWEST_FIRST)
        .bind("userId", userId.value())
        .bind("limit", page.limit())
        .bind("offset", page.offset())
        .map((rs, ctx) -> QuotaRows.usage(rs))
        .list());
  }

  /** Days are stored as {@code YYYY-MM-DD}, which sorts and compares as the days do. */
  List<DailyUsage> daily(TenantId tenantId, LocalDate from, LocalDate to, UserId userId, String model) {
    String filters = (userId == null ? "" : " AND user_id = :userId") + (model == null ? "" : " AND model = :model");
    return session.read(h -> {
      var select = h.createQuery("SELECT " + QuotaRows.DAILY_COLUMNS + " FROM usage_daily WHERE tenant_id = :tenantId "
              + "AND day >= :from AND day <= :to" + filters + " ORDER BY day, user_id, model")
          .bind("tenantId", tenantId.value())
          .bind("from", from.toString())
          .bind("to", to.toString());
      if (userId != null) {
        select.bind("userId", userId.value());
      }
      if (model != null) {
        select.bind("model", model);
      }
      return select.map((rs, ctx) -> QuotaRows.daily(rs)).list();
    });
  }

  int eraseDetails(UserId userId) {
    return session.call(h -> h.createUpdate(CLEAR_DETAILS + "user_id = :userId AND " + HAS_DETAILS)
        .bind("userId", userId.value())
        .execute(), Conflicts.NONE);
  }

  int eraseDetailsBefore(Instant finishedBefore) {
    return session.call(h -> h.createUpdate(CLEAR_DETAILS + "finished_at < :before AND " + HAS_DETAILS)
        .bind("before", millis(finishedBefore))
        .execute(), Conflicts.NONE);
  }
}
