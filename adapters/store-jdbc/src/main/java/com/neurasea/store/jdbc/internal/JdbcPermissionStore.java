package com.neurasea.store.jdbc.internal;

import static com.neurasea.store.jdbc.internal.Rows.key;
import static com.neurasea.store.jdbc.internal.Rows.millis;

import com.neurasea.model.BindingId;
import com.neurasea.model.Grant;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Role;
import com.neurasea.model.RoleBinding;
import com.neurasea.model.RoleId;
import com.neurasea.model.Scope;
import com.neurasea.model.Subject;
import com.neurasea.model.TenantId;
import com.neurasea.model.UserId;
import com.neurasea.spi.PermissionStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/** Roles, role bindings and grant resolution over a {@link Session}. */
public final class JdbcPermissionStore implements PermissionStore {
  private static final Conflicts ROLE = Conflicts.fallback("id", "a role with this id already exists")
      .on("name", "name", "a role with this name already exists");
  private static final Conflicts BINDING = Conflicts.fallback("id", "a binding with this id already exists")
      .on("subject", "roleId", "this role is already bound to the subject at this scope");

  private static final String ROLE_COLUMNS =
      "SELECT id, tenant_id, name, description, built_in, created_at, permission_list FROM roles ";
  private static final String BINDING_COLUMNS =
      "id, tenant_id, subject_kind, subject_id, role_id, scope_kind, scope_group_id, created_at";

  /**
   * The user's direct groups in the tenant and all their ancestors, then every binding of the
   * tenant whose subject is the user or one of those groups, with its role's permission list: one
   * row per binding. UNION (not UNION ALL) in the walk makes it terminate even on a parent cycle.
   * The CROSS JOINs pin the join order for SQLite, whose planner would otherwise scan the tenant's
   * bindings and probe the (tiny) subject list; PostgreSQL plans CROSS JOIN with WHERE like any
   * inner join.
   */
  private static final String GRANTS = "WITH RECURSIVE user_groups(id) AS ("
      + " SELECT group_id FROM group_members WHERE tenant_id = :tenantId AND user_id = :userId"
      + " UNION"
      + " SELECT g.parent_id FROM tenant_groups g JOIN user_groups ug ON g.id = ug.id"
      + " WHERE g.tenant_id = :tenantId AND g.parent_id <> ''"
      + "), subjects(kind, id) AS ("
      + " SELECT 'USER', :userId"
      + " UNION ALL"
      + " SELECT 'GROUP', id FROM user_groups"
      + ") SELECT b.scope_kind, b.scope_group_id, r.permission_list FROM subjects s"
      + " CROSS JOIN role_bindings b CROSS JOIN roles r"
      + " WHERE b.tenant_id = :tenantId AND b.subject_kind = s.kind AND b.subject_id = s.id AND r.id = b.role_id";

  private static final String PLATFORM_GRANTS = "SELECT b.scope_kind, b.scope_group_id, r.permission_list"
      + " FROM role_bindings b CROSS JOIN roles r"
      + " WHERE b.tenant_id = '' AND b.subject_kind = 'USER' AND b.subject_id = :userId AND r.id = b.role_id";

  private final Session session;

  /**
   * Creates the store.
   *
   * @param session where its statements run
   */
  public JdbcPermissionStore(Session session) {
    this.session = Objects.requireNonNull(session, "session");
  }

  @Override
  public void syncBuiltInRoles(List<Role> builtInRoles) {
    for (Role role : builtInRoles) {
      if (!role.builtIn()) {
        throw new IllegalArgumentException("not a built-in role: " + role.id());
      }
    }
    session.atomic(h -> {
      Set<String> wanted = new HashSet<>();
      for (Role role : builtInRoles) {
        wanted.add(role.id().value());
        h.createUpdate("INSERT INTO roles (id, tenant_id, name, description, built_in, created_at, permission_list) "
                + "VALUES (:id, '', :name, :description, 1, :createdAt, '[]') ON CONFLICT (id) DO UPDATE SET "
                + "tenant_id = '', name = excluded.name, description = excluded.description, built_in = 1")
            .bind("id", role.id().value())
            .bind("name", role.name())
            .bind("description", role.description())
            .bind("createdAt", millis(role.createdAt()))
            .execute();
        replacePermissions(h, role.id(), role.permissions());
      }
      List<String> stale = h.createQuery("SELECT id FROM roles WHERE tenant_id = '' AND built_in = 1")
          .mapTo(String.class)
          .list();
      for (String id : stale) {
        if (!wanted.contains(id)) {
          h.createUpdate("DELETE FROM role_permissions WHERE role_id = :id").bind("id", id).execute();
          h.createUpdate("DELETE FROM roles WHERE id = :id").bind("id", id).execute();
        }
      }
      return null;
    }, ROLE);
  }

  @Override
  public void insertRole(Role role) {
    if (role.builtIn()) {
      throw new IllegalArgumentException("built-in roles are written by syncBuiltInRoles");
    }
    session.atomic(h -> {
      boolean builtInName = h.createQuery("SELECT 1 FROM roles WHERE tenant_id = '' AND name = :name")
          .bind("name", role.name())
          .mapTo(Integer.class)
          .findOne()
          .isPresent();
      if (builtInName) {
        throw NeuraSeaException.conflict("name", "a built-in role has this name");
      }
      h.createUpdate("INSERT INTO roles (id, tenant_id, name, description, built_in, created_at, permission_list) "
              + "VALUES (:id, :tenantId, :name, :description, 0, :createdAt, '[]')")
          .bind("id", role.id().value())
          .bind("tenantId", role.tenantId().value())
          .bind("name", role.name())
          .bind("description", role.description())
          .bind("createdAt", millis(role.createdAt()))
          .execute();
      replacePermissions(h, role.id(), role.permissions());
      return null;
    }, ROLE);
  }

  @Override
  public Optional<Role> findRole(TenantId tenantId, RoleId roleId) {
    return session.read(h -> h.createQuery(ROLE_COLUMNS + "WHERE id = :id AND tenant_id IN ('', :tenantId)")
        .bind("id", roleId.value())
        .bind("tenantId", tenantId.value())
        .map((rs, ctx) -> role(rs))
        .findOne());
  }

  @Override
  public List<Role> listRoles(TenantId tenantId) {
    return session.read(h -> h.createQuery(ROLE_COLUMNS + "WHERE tenant_id IN ('', :tenantId) ORDER BY created_at, id")
        .bind("tenantId", tenantId.value())
        .map((rs, ctx) -> role(rs))
        .list());
  }

  @Override
  public boolean updateRole(Role role) {
    if (role.builtIn()) {
      return false;
    }
    return session.atomic(h -> {
      int updated = h.createUpdate("UPDATE roles SET description = :description "
              + "WHERE id = :id AND tenant_id = :tenantId AND built_in = 0")
          .bind("id", role.id().value())
          .bind("tenantId", role.tenantId().value())
          .bind("description", role.description())
          .execute();
      if (updated == 0) {
        return false;
      }
      replacePermissions(h, role.id(), role.permissions());
      return true;
    }, ROLE);
  }

  @Override
  public boolean deleteRole(TenantId tenantId, RoleId roleId) {
    return session.atomic(h -> {
      boolean exists = h.createQuery("SELECT 1 FROM roles WHERE id = :id AND tenant_id = :tenantId AND built_in = 0")
          .bind("id", roleId.value())
          .bind("tenantId", tenantId.value())
          .mapTo(Integer.class)
          .findOne()
          .isPresent();
      if (!exists) {
        return false;
      }
      boolean bound = h.createQuery("SELECT 1 FROM role_bindings WHERE role_id = :id LIMIT 1")
          .bind("id", roleId.value())
          .mapTo(Integer.class)
          .findOne()
          .isPresent();
      if (bound) {
        throw NeuraSeaException.conflict("roleId", "the role is still bound; delete its bindings first");
      }
      h.createUpdate("DELETE FROM role_permissions WHERE role_id = :id").bind("id", roleId.value()).execute();
      return h.createUpdate("DELETE FROM roles WHERE id = :id").bind("id", roleId.value()).execute() > 0;
    }, ROLE);
  }

  @Override
  public void insertBinding(RoleBinding binding) {
    session.call(h -> h.createUpdate("INSERT INTO role_bindings (" + BINDING_COLUMNS + ") VALUES (:id, :tenantId, "
            + ":subjectKind, :subjectId, :roleId, :scopeKind, :scopeGroupId, :createdAt)")
        .bind("id", binding.id().value())
        .bind("tenantId", key(binding.tenantId() == null ? null : binding.tenantId().value()))
        .bind("subjectKind", binding.subject().kind().name())
        .bind("subjectId", binding.subject().id())
        .bind("roleId", binding.roleId().value())
        .bind("scopeKind", binding.scope().kind().name())
        .bind("scopeGroupId", key(binding.scope().groupId() == null ? null : binding.scope().groupId().value()))
        .bind("createdAt", millis(binding.createdAt()))
        .execute(), BINDING);
  }

  @Override
  public Optional<RoleBinding> findBinding(TenantId tenantId, BindingId bindingId) {
    return session.read(h -> h.createQuery("SELECT " + BINDING_COLUMNS + " FROM role_bindings "
            + "WHERE id = :id AND tenant_id = :tenantId")
        .bind("id", bindingId.value())
        .bind("tenantId", tenantId.value())
        .map((rs, ctx) -> Rows.binding(rs))
        .findOne());
  }

  @Override
  public List<RoleBinding> listBindings(TenantId tenantId, Subject subject, PageRequest page) {
    String filter = subject == null ? "" : " AND subject_kind = :subjectKind AND subject_id = :subjectId";
    return session.read(h -> {
      var query = h.createQuery("SELECT " + BINDING_COLUMNS + " FROM role_bindings WHERE tenant_id = :tenantId"
              + filter + " ORDER BY created_at, id LIMIT :limit OFFSET :offset")
          .bind("tenantId", tenantId.value())
          .bind("limit", page.limit())
          .bind("offset", page.offset());
      if (subject != null) {
        query.bind("subjectKind", subject.kind().name()).bind("subjectId", subject.id());
      }
      return query.map((rs, ctx) -> Rows.binding(rs)).list();
    });
  }

  @Override
  public boolean deleteBinding(TenantId tenantId, BindingId bindingId) {
    return session.call(h -> h.createUpdate("DELETE FROM role_bindings WHERE id = :id AND tenant_id = :tenantId")
        .bind("id", bindingId.value())
        .bind("tenantId", tenantId.value())
        .execute(), Conflicts.NONE) > 0;
  }

  @Override
  public int deleteBindingsOfGroup(TenantId tenantId, String groupId) {
    Objects.requireNonNull(groupId, "groupId");
    return session.call(h -> h.createUpdate("DELETE FROM role_bindings WHERE tenant_id = :tenantId AND ("
            + "(subject_kind = 'GROUP' AND subject_id = :groupId) "
            + "OR (scope_kind = 'GROUP' AND scope_group_id = :groupId))")
        .bind("tenantId", tenantId.value())
        .bind("groupId", groupId)
        .execute(), Conflicts.NONE);
  }

  @Override
  public int deleteBindingsOfUser(TenantId tenantId, UserId userId) {
    return session.call(h -> h.createUpdate("DELETE FROM role_bindings "
            + "WHERE tenant_id = :tenantId AND subject_kind = 'USER' AND subject_id = :userId")
        .bind("tenantId", tenantId.value())
        .bind("userId", userId.value())
        .execute(), Conflicts.NONE);
  }

  @Override
  public List<Grant> grantsOf(TenantId tenantId, UserId userId) {
    return session.read(h -> grants(h.createQuery(GRANTS)
        .bind("tenantId", tenantId.value())
        .bind("userId", userId.value())
        .map((rs, ctx) -> new BoundPermissions(rs.getString(1), rs.getString(2), rs.getString(3)))
        .list()));
  }

  @Override
  public List<Grant> platformGrantsOf(UserId userId) {
    return session.read(h -> grants(h.createQuery(PLATFORM_GRANTS)
        .bind("userId", userId.value())
        .map((rs, ctx) -> new BoundPermissions(rs.getString(1), rs.getString(2), rs.getString(3)))
        .list()));
  }

  /** One binding's scope and its role's permission list, as the grant queries return them. */
  record BoundPermissions(String scopeKind, String scopeGroupId, String permissionList) {}

  /** The permission lists of the bindings at one scope. */
  private record ScopeRows(Scope scope, List<String> permissionLists) {}

  static List<Grant> grants(List<BoundPermissions> rows) {
    if (rows.isEmpty()) {
      return List.of();
    }
    Map<String, ScopeRows> byScope = new LinkedHashMap<>();
    for (BoundPermissions row : rows) {
      byScope.computeIfAbsent(row.scopeKind() + ':' + row.scopeGroupId(),
              key -> new ScopeRows(Rows.scope(row.scopeKind(), row.scopeGroupId()), new ArrayList<>(2)))
          .permissionLists().add(row.permissionList());
    }
    List<Grant> grants = new ArrayList<>(rows.size() * 16);
    for (ScopeRows scopeRows : byScope.values()) {
      addGrants(grants, scopeRows.scope(), scopeRows.permissionLists());
    }
    return grants;
  }

  /** A role's permissions are distinct; only several bindings at one scope can repeat a grant. */
  private static void addGrants(List<Grant> grants, Scope scope, List<String> permissionLists) {
    if (permissionLists.size() == 1) {
      for (String permission : StringLists.decode(permissionLists.get(0))) {
        grants.add(new Grant(scope, permission));
      }
      return;
    }
    Set<String> lists = new HashSet<>();
    Set<String> permissions = new HashSet<>();
    for (String list : permissionLists) {
      if (!lists.add(list)) {
        continue;
      }
      for (String permission : StringLists.decode(list)) {
        if (permissions.add(permission)) {
          grants.add(new Grant(scope, permission));
        }
      }
    }
  }

  private static void replacePermissions(Handle h, RoleId roleId, Collection<String> permissions) {
    List<String> sorted = new ArrayList<>(new TreeSet<>(permissions));
    h.createUpdate("UPDATE roles SET permission_list = :list WHERE id = :id")
        .bind("id", roleId.value())
        .bind("list", StringLists.encode(sorted))
        .execute();
    h.createUpdate("DELETE FROM role_permissions WHERE role_id = :id").bind("id", roleId.value()).execute();
    insertPermissions(h, roleId, sorted);
  }

  private static void insertPermissions(Handle h, RoleId roleId, Collection<String> permissions) {
    if (permissions.isEmpty()) {
      return;
    }
    PreparedBatch batch = h.prepareBatch("INSERT INTO role_permissions (role_id, permission) "
        + "VALUES (:roleId, :permission)");
    for (String permission : permissions) {
      batch.bind("roleId", roleId.value()).bind("permission", permission).add();
    }
    batch.execute();
  }

  private static Role role(ResultSet rs) throws SQLException {
    String tenant = Rows.orNull(rs.getString("tenant_id"));
    return new Role(
        new RoleId(rs.getString("id")),
        tenant == null ? null : new TenantId(tenant),
        rs.getString("name"),
        rs.getString("description"),
        new LinkedHashSet<>(StringLists.decode(rs.getString("permission_list"))),
        rs.getInt("built_in") != 0,
        Rows.instant(rs, "created_at"));
  }
}
