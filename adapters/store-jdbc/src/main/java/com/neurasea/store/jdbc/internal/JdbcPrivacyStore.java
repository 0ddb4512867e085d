package com.neurasea.store.jdbc.internal;

import static com.neurasea.store.jdbc.internal.Rows.millis;

import com.neurasea.model.HoldId;
import com.neurasea.model.LegalHold;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PageRequest;
import com.neurasea.model.PolicyAcknowledgment;
import com.neurasea.model.PolicyVersion;
import com.neurasea.model.RequestId;
import com.neurasea.model.RequestStatus;
import com.neurasea.model.RequestType;
import com.neurasea.model.SubjectFlags;
import com.neurasea.model.SubjectRequest;
import com.neurasea.model.TenantId;
import com.neurasea.model.UserId;
import com.neurasea.spi.PrivacyStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.statement.SqlStatement;

/**
 * Data-subject requests, legal holds, policy versions and acknowledgments, and subject flags over a
 * {@link Session} (see the V4 migration).
 *
 * <p>A request's openness is stored beside its status ({@code is_open}, derived from {@link
 * RequestStatus#open()} on every write) so that a partial unique index allows one open request per
 * subject and type; a violation of that index is a {@code CONFLICT} naming {@code type}.
 */
public final class JdbcPrivacyStore implements PrivacyStore {
  private static final Conflicts REQUEST = Conflicts.fallback("id", "a request with this id already exists")
      .on("type", "type", "the subject already has an open request of this type");
  private static final Conflicts HOLD = Conflicts.fallback("id", "a legal hold with this id already exists");
  private static final Conflicts POLICY =
      Conflicts.fallback("version", "a policy version with this name already exists");
  private static final Conflicts ACKNOWLEDGMENT =
      Conflicts.fallback("version", "the user already acknowledged this policy version");

  private static final String REQUEST_COLUMNS = "id, user_id, type, status, routed_to, received_at, due_at, "
      + "extension_reason, verified_at, verification_method, closed_at, outcome, progress, payload, version, "
      + "updated_at";
  private static final String HOLD_COLUMNS = "id, user_id, categories, reason, created_at, released_at";
  private static final String POLICY_COLUMNS = "version, effective_at, summary, document_sha256, published_at";
  private static final String ACKNOWLEDGMENT_COLUMNS = "user_id, version, acknowledged_at, client_ip, method";
  private static final String FLAG_COLUMNS = "user_id, minor, guardian_consent_at, guardian_reference, "
      + "restricted_at, restriction_reason, updated_at";
  private static final String CATEGORY_SEPARATOR = ",";

  private final Session session;

  /**
   * Creates the store.
   *
   * @param session where its statements run
   */
  public JdbcPrivacyStore(Session session) {
    this.session = Objects.requireNonNull(session, "session");
  }

  // ---- requests

  @Override
  public void insertRequest(SubjectRequest request) {
    required("request", request);
    session.call(h -> bindRequest(h.createUpdate("INSERT INTO privacy_requests (" + REQUEST_COLUMNS
            + ", is_open) VALUES (:id, :userId, :type, :status, :routedTo, :receivedAt, :dueAt, :extensionReason, "
            + ":verifiedAt, :verificationMethod, :closedAt, :outcome, :progress, :payload, :version, :updatedAt, "
            + ":isOpen)"), request)
        .execute(), REQUEST);
  }

  @Override
  public Optional<SubjectRequest> findRequest(RequestId id) {
    required("id", id);
    return session.read(h -> h.createQuery("SELECT " + REQUEST_COLUMNS + " FROM privacy_requests WHERE id = :id")
        .bind("id", id.value())
        .map((rs, ctx) -> request(rs))
        .findOne());
  }

  @Override
  public boolean updateRequest(SubjectRequest request) {
    required("request", request);
    return session.call(h -> bindRequest(h.createUpdate("UPDATE privacy_requests SET user_id = :userId, "
            + "type = :type, status = :status, is_open = :isOpen, routed_to = :routedTo, received_at = :receivedAt, "
            + "due_at = :dueAt, extension_reason = :extensionReason, verified_at = :verifiedAt, "
            + "verification_method = :verificationMethod, closed_at = :closedAt, outcome = :outcome, "
            + "progress = :progress, payload = :payload, version = :version, updated_at = :updatedAt "
            + "WHERE id = :id AND version = :previousVersion"), request)
        .bind("previousVersion", request.version() - 1)
        .execute(), REQUEST) > 0;
  }

  @Override
  public List<SubjectRequest> listRequests(UserId userId, Set<RequestStatus> statuses, PageRequest page) {
    return requests(null, userId, statuses, page);
  }

  @Override
  public List<SubjectRequest> listRoutedRequests(TenantId routedTo, UserId userId, Set<RequestStatus> statuses,
      PageRequest page) {
    required("routedTo", routedTo);
    return requests(routedTo, userId, statuses, page);
  }

  private List<SubjectRequest> requests(TenantId routedTo, UserId userId, Set<RequestStatus> statuses,
      PageRequest page) {
    required("statuses", statuses);
    required("page", page);
    List<RequestStatus> wanted = statuses(statuses);
    StringBuilder sql = new StringBuilder("SELECT ").append(REQUEST_COLUMNS).append(" FROM privacy_requests");
    List<String> conditions = new ArrayList<>();
    if (routedTo != null) {
      conditions.add("routed_to = :routedTo");
    }
    if (userId != null) {
      conditions.add("user_id = :userId");
    }
    if (!wanted.isEmpty()) {
      StringBuilder in = new StringBuilder("status IN (");
      for (int i = 0; i < wanted.size(); i++) {
        in.append(i == 0 ? ":status" : ", :status").append(i);
      }
      conditions.add(in.append(')').toString());
    }
    if (!conditions.isEmpty()) {
      sql.append(" WHERE ").append(String.join(" AND ", conditions));
    }
    sql.append(" ORDER BY received_at, id LIMIT :limit OFFSET :offset");
    return session.read(h -> {
      var query = h.createQuery(sql.toString())
          .bind("limit", page.limit())
          .bind("offset", page.offset());
      if (routedTo != null) {
        query.bind("routedTo", routedTo.value());
      }
      if (userId != null) {
        query.bind("userId", userId.value());
      }
      for (int i = 0; i < wanted.size(); i++) {
        query.bind("status" + i, wanted.get(i).name());
      }
      return query.map((rs, ctx) -> request(rs)).list();
    });
  }

  @Override
  public List<SubjectRequest> listOverdue(Instant now, int limit) {
    required("now", now);
    if (limit < 0) {
      throw NeuraSeaException.invalid("limit", "must be 0 or more");
    }
    if (limit == 0) {
      return List.of();
    }
    // The literal is_open = 1 matches the partial index's predicate, so both databases can use it.
    return session.read(h -> h.createQuery("SELECT " + REQUEST_COLUMNS + " FROM privacy_requests "
            + "WHERE is_open = 1 AND due_at < :now ORDER BY due_at, id LIMIT :limit")
        .bind("now", millis(now))
        .bind("limit", limit)
        .map((rs, ctx) -> request(rs))
        .list());
  }

  @Override
  public Optional<SubjectRequest> findOpenRequest(UserId userId, RequestType type) {
    required("userId", userId);
    required("type", type);
    return session.read(h -> h.createQuery("SELECT " + REQUEST_COLUMNS + " FROM privacy_requests "
            + "WHERE user_id = :userId AND type = :type AND is_open = 1")
        .bind("userId", userId.value())
        .bind("type", type.name())
        .map((rs, ctx) -> request(rs))
        .findOne());
  }

  private static <S extends SqlStatement<S>> S bindRequest(S statement, SubjectRequest request) {
    return statement
        .bind("id", request.id().value())
        .bind("userId", request.userId().value())
        .bind("type", request.type().name())
        .bind("status", request.status().name())
        .bind("isOpen", request.status().open() ? 1 : 0)
        .bind("routedTo", request.routedTo() == null ? null : request.routedTo().value())
        .bind("receivedAt", millis(request.receivedAt()))
        .bind("dueAt", millis(request.dueAt()))
        .bind("extensionReason", request.extensionReason())
        .bind("verifiedAt", millis(request.verifiedAt()))
        .bind("verificationMethod", request.verificationMethod())
        .bind("closedAt", millis(request.closedAt()))
        .bind("outcome", request.outcome())
        .bind("progress", request.progress())
        .bind("payload", request.payload())
        .bind("version", request.version())
        .bind("updatedAt", millis(request.updatedAt()));
  }

  private static List<RequestStatus> statuses(Set<RequestStatus> statuses) {
    EnumSet<RequestStatus> wanted = EnumSet.noneOf(RequestStatus.class);
    for (RequestStatus status : statuses) {
      if (status == null) {
        throw NeuraSeaException.invalid("statuses", "must not contain null");
      }
      wanted.add(status);
    }
    // Every status is as good as none: skip the filter.
    return wanted.size() == RequestStatus.values().length ? List.of() : List.copyOf(wanted);
  }

  private static SubjectRequest request(ResultSet rs) throws SQLException {
    String routedTo = rs.getString("routed_to");
    return new SubjectRequest(
        new RequestId(rs.getString("id")),
        new UserId(rs.getString("user_id")),
        RequestType.valueOf(rs.getString("type")),
        RequestStatus.valueOf(rs.getString("status")),
        routedTo == null ? null : new TenantId(routedTo),
        Rows.instant(rs, "received_at"),
        Rows.instant(rs, "due_at"),
        rs.getString("extension_reason"),
        Rows.instant(rs, "verified_at"),
        rs.getString("verification_method"),
        Rows.instant(rs, "closed_at"),
        rs.getString("outcome"),
        rs.getString("progress"),
        rs.getString("payload"),
        rs.getLong("version"),
        Rows.instant(rs, "updated_at"));
  }

  // ---- legal holds

  @Override
  public void insertHold(LegalHold hold) {
    required("hold", hold);
    String categories = joinCategories(hold.categories());
    session.call(h -> h.createUpdate("INSERT INTO legal_holds (" + HOLD_COLUMNS + ") "
            + "VALUES (:id, :userId, :categories, :reason, :createdAt, :releasedAt)")
        .bind("id", hold.id().value())
        .bind("userId", hold.userId().value())
        .bind("categories", categories)
        .bind("reason", hold.reason())
        .bind("createdAt", millis(hold.createdAt()))
        .bind("releasedAt", millis(hold.releasedAt()))
        .execute(), HOLD);
  }

  @Override
  public boolean releaseHold(HoldId id, Instant at) {
    required("id", id);
    required("at", at);
    return session.call(h -> h.createUpdate("UPDATE legal_holds SET released_at = :at "
            + "WHERE id = :id AND released_at IS NULL")
        .bind("id", id.value())
        .bind("at", millis(at))
        .execute(), Conflicts.NONE) > 0;
  }

  @Override
  public List<LegalHold> listHolds(UserId userId, boolean activeOnly) {
    required("userId", userId);
    String filter = activeOnly ? " AND released_at IS NULL" : "";
    return session.read(h -> h.createQuery("SELECT " + HOLD_COLUMNS + " FROM legal_holds WHERE user_id = :userId"
            + filter + " ORDER BY created_at, id")
        .bind("userId", userId.value())
        .map((rs, ctx) -> hold(rs))
        .list());
  }

  /** Joins category keys with commas, refusing a key that would not split back to itself. */
  private static String joinCategories(List<String> categories) {
    for (int i = 0; i < categories.size(); i++) {
      String category = categories.get(i);
      if (category.isEmpty()) {
        throw NeuraSeaException.invalid("categories[" + i + "]", "must not be empty");
      }
      if (category.contains(CATEGORY_SEPARATOR)) {
        throw NeuraSeaException.invalid("categories[" + i + "]", "must not contain a comma");
      }
    }
    return String.join(CATEGORY_SEPARATOR, categories);
  }

  private static List<String> splitCategories(String joined) {
    return joined == null || joined.isEmpty() ? List.of() : List.of(joined.split(CATEGORY_SEPARATOR, -1));
  }

  private static LegalHold hold(ResultSet rs) throws SQLException {
    return new LegalHold(
        new HoldId(rs.getString("id")),
        new UserId(rs.getString("user_id")),
        splitCategories(rs.getString("categories")),
        rs.getString("reason"),
        Rows.instant(rs, "created_at"),
        Rows.instant(rs, "released_at"));
  }

  // ---- policy versions and acknowledgments

  @Override
  public void insertPolicyVersion(PolicyVersion version) {
    required("version", version);
    session.call(h -> h.createUpdate("INSERT INTO policy_versions (" + POLICY_COLUMNS + ") "
            + "VALUES (:version, :effectiveAt, :summary, :documentSha256, :publishedAt)")
        .bind("version", version.version())
        .bind("effectiveAt", millis(version.effectiveAt()))
        .bind("summary", version.summary())
        .bind("documentSha256", version.documentSha256())
        .bind("publishedAt", millis(version.publishedAt()))
        .execute(), POLICY);
  }

  @Override
  public List<PolicyVersion> listPolicyVersions() {
    return session.read(h -> h.createQuery("SELECT " + POLICY_COLUMNS + " FROM policy_versions "
            + "ORDER BY effective_at, version")
        .map((rs, ctx) -> policyVersion(rs))
        .list());
  }

  @Override
  public Optional<PolicyVersion> findPolicyVersion(String version) {
    required("version", version);
    return session.read(h -> h.createQuery("SELECT " + POLICY_COLUMNS + " FROM policy_versions "
            + "WHERE version = :version")
        .bind("version", version)
        .map((rs, ctx) -> policyVersion(rs))
        .findOne());
  }

  @Override
  public void insertAcknowledgment(PolicyAcknowledgment acknowledgment) {
    required("acknowledgment", acknowledgment);
    session.call(h -> h.createUpdate("INSERT INTO policy_acknowledgments (" + ACKNOWLEDGMENT_COLUMNS + ") "
            + "VALUES (:userId, :version, :acknowledgedAt, :clientIp, :method)")
        .bind("userId", acknowledgment.userId().value())
        .bind("version", acknowledgment.version())
        .bind("acknowledgedAt", millis(acknowledgment.acknowledgedAt()))
        .bind("clientIp", acknowledgment.clientIp())
        .bind("method", acknowledgment.method())
        .execute(), ACKNOWLEDGMENT);
  }

  @Override
  public List<PolicyAcknowledgment> acknowledgmentsOf(UserId userId) {
    required("userId", userId);
    return session.read(h -> h.createQuery("SELECT " + ACKNOWLEDGMENT_COLUMNS + " FROM policy_acknowledgments "
            + "WHERE user_id = :userId ORDER BY acknowledged_at, version")
        .bind("userId", userId.value())
        .map((rs, ctx) -> acknowledgment(rs))
        .list());
  }

  @Override
  public List<PolicyAcknowledgment> acknowledgmentsOfVersion(String version, PageRequest page) {
    required("version", version);
    required("page", page);
    return session.read(h -> h.createQuery("SELECT " + ACKNOWLEDGMENT_COLUMNS + " FROM policy_acknowledgments "
            + "WHERE version = :version ORDER BY acknowledged_at, user_id LIMIT :limit OFFSET :offset")
        .bind("version", version)
        .bind("limit", page.limit())
        .bind("offset", page.offset())
        .map((rs, ctx) -> acknowledgment(rs))
        .list());
  }

  private static PolicyVersion policyVersion(ResultSet rs) throws SQLException {
    return new PolicyVersion(
        rs.getString("version"),
        Rows.instant(rs, "effective_at"),
        rs.getString("summary"),
        rs.getString("document_sha256"),
        Rows.instant(rs, "published_at"));
  }

  private static PolicyAcknowledgment acknowledgment(ResultSet rs) throws SQLException {
    return new PolicyAcknowledgment(
        new UserId(rs.getString("user_id")),
        rs.getString("version"),
        Rows.instant(rs, "acknowledged_at"),
        rs.getString("client_ip"),
        rs.getString("method"));
  }

  // ---- subject flags

  @Override
  public void saveFlags(SubjectFlags flags) {
    required("flags", flags);
    session.call(h -> h.createUpdate("INSERT INTO subject_flags (" + FLAG_COLUMNS + ") VALUES (:userId, :minor, "
            + ":guardianConsentAt, :guardianReference, :restrictedAt, :restrictionReason, :updatedAt) "
            + "ON CONFLICT (user_id) DO UPDATE SET minor = excluded.minor, "
            + "guardian_consent_at = excluded.guardian_consent_at, guardian_reference = excluded.guardian_reference, "
            + "restricted_at = excluded.restricted_at, restriction_reason = excluded.restriction_reason, "
            + "updated_at = excluded.updated_at")
        .bind("userId", flags.userId().value())
        .bind("minor", flags.minor() ? 1 : 0)
        .bind("guardianConsentAt", millis(flags.guardianConsentAt()))
        .bind("guardianReference", flags.guardianReference())
        .bind("restrictedAt", millis(flags.restrictedAt()))
        .bind("restrictionReason", flags.restrictionReason())
        .bind("updatedAt", millis(flags.updatedAt()))
        .execute(), Conflicts.NONE);
  }

  @Override
  public Optional<SubjectFlags> findFlags(UserId userId) {
    required("userId", userId);
    return session.read(h -> h.createQuery("SELECT " + FLAG_COLUMNS + " FROM subject_flags WHERE user_id = :userId")
        .bind("userId", userId.value())
        .map((rs, ctx) -> flags(rs))
        .findOne());
  }

  private static SubjectFlags flags(ResultSet rs) throws SQLException {
    return new SubjectFlags(
        new UserId(rs.getString("user_id")),
        rs.getInt("minor") != 0,
        Rows.instant(rs, "guardian_consent_at"),
        rs.getString("guardian_reference"),
        Rows.instant(rs, "restricted_at"),
        rs.getString("restriction_reason"),
        Rows.instant(rs, "updated_at"));
  }

  private static void required(String field, Object value) {
    if (value == null) {
      throw NeuraSeaException.invalid(field, "is required");
    }
  }
}
