package com.neurasea.store.jdbc.internal;

import com.neurasea.model.AccountStatus;
import com.neurasea.model.TenantId;
import com.neurasea.model.TenantStatus;
import com.neurasea.model.UserId;
import com.neurasea.spi.AccessFacts;
import com.neurasea.store.jdbc.internal.JdbcPermissionStore.BoundPermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads {@link AccessFacts} in one statement: the account's status, the tenant's status, the
 * membership, the platform grants and the tenant grants (through the user's groups and their
 * ancestors), as tagged rows of one UNION ALL. This is the access cache's miss path.
 */
public final class JdbcAccessQuery {
  private static final String GRANT_COLUMNS = "b.scope_kind, b.scope_group_id, r.permission_list";

  private static final String PLATFORM_PART = "SELECT 'P', " + GRANT_COLUMNS
      + " FROM role_bindings b CROSS JOIN roles r"
      + " WHERE b.tenant_id = '' AND b.subject_kind = 'USER' AND b.subject_id = :userId AND r.id = b.role_id";

  private static final String IN_TENANT = inTenant(" FROM subjects s CROSS JOIN role_bindings b CROSS JOIN roles r"
      + " WHERE b.tenant_id = :tenantId AND b.subject_kind = s.kind AND b.subject_id = s.id AND r.id = b.role_id");

  /** The same with a fenced lateral lookup per subject, which PostgreSQL plans as index scans. */
  private static final String IN_TENANT_LATERAL = inTenant(" FROM subjects s CROSS JOIN LATERAL ("
      + "SELECT b.scope_kind, b.scope_group_id, b.role_id FROM role_bindings b"
      + " WHERE b.tenant_id = :tenantId AND b.subject_kind = s.kind AND b.subject_id = s.id OFFSET 0) b"
      + " JOIN roles r ON r.id = b.role_id");

  private static String inTenant(String tenantGrants) {
    return "WITH RECURSIVE user_groups(id) AS ("
      + " SELECT group_id FROM group_members WHERE tenant_id = :tenantId AND user_id = :userId"
      + " UNION"
      + " SELECT g.parent_id FROM tenant_groups g JOIN user_groups ug ON g.id = ug.id"
      + " WHERE g.tenant_id = :tenantId AND g.parent_id <> ''"
      + "), subjects(kind, id) AS ("
      + " SELECT 'USER', :userId UNION ALL SELECT 'GROUP', id FROM user_groups"
      + ")"
      + " SELECT 'U', status, NULL, NULL FROM users WHERE id = :userId"
      + " UNION ALL SELECT 'T', status, NULL, NULL FROM tenants WHERE id = :tenantId"
      + " UNION ALL SELECT 'M', NULL, NULL, NULL FROM memberships WHERE tenant_id = :tenantId AND user_id = :userId"
      + " UNION ALL " + PLATFORM_PART
      + " UNION ALL SELECT 'G', " + GRANT_COLUMNS + tenantGrants;
  }

  private static final String PLATFORM_LEVEL = "SELECT 'U', status, NULL, NULL FROM users WHERE id = :userId"
      + " UNION ALL " + PLATFORM_PART;

  private record Row(String part, String a, String b, String c) {}

  private final Session session;
  private final String inTenantSql;

  /**
   * Creates the query over a session.
   *
   * @param session where it runs
   * @param lateral whether to use the lateral form (see {@code SqlDialect.supportsLateralJoin})
   */
  public JdbcAccessQuery(Session session, boolean lateral) {
    this.session = Objects.requireNonNull(session, "session");
    this.inTenantSql = lateral ? IN_TENANT_LATERAL : IN_TENANT;
  }

  /** Reads the facts; see {@link com.neurasea.spi.Stores#accessOf}. */
  public AccessFacts accessOf(TenantId tenantId, UserId userId) {
    Objects.requireNonNull(userId, "userId");
    List<Row> rows = session.read(h -> {
      var query = h.createQuery(tenantId == null ? PLATFORM_LEVEL : inTenantSql).bind("userId", userId.value());
      if (tenantId != null) {
        query.bind("tenantId", tenantId.value());
      }
      return query.map((rs, ctx) -> new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
          .list();
    });
    AccountStatus userStatus = null;
    TenantStatus tenantStatus = null;
    boolean member = false;
    List<BoundPermissions> platform = new ArrayList<>();
    List<BoundPermissions> tenant = new ArrayList<>();
    for (Row row : rows) {
      switch (row.part()) {
        case "U" -> userStatus = AccountStatus.valueOf(row.a());
        case "T" -> tenantStatus = TenantStatus.valueOf(row.a());
        case "M" -> member = true;
        case "P" -> platform.add(new BoundPermissions(row.a(), row.b(), row.c()));
        default -> tenant.add(new BoundPermissions(row.a(), row.b(), row.c()));
      }
    }
    if (userStatus == null) {
      // The contract: an unknown user holds nothing, whatever rows point at its id.
      return new AccessFacts(null, tenantStatus, false, List.of(), List.of());
    }
    boolean isMember = member && tenantStatus != null;
    return new AccessFacts(userStatus, tenantStatus, isMember, JdbcPermissionStore.grants(platform),
        isMember ? JdbcPermissionStore.grants(tenant) : List.of());
  }
}
