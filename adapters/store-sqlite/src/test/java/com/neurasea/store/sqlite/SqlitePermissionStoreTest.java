package com.neurasea.store.sqlite;

import static com.neurasea.store.sqlite.Fixtures.NON_ASCII;
import static com.neurasea.store.sqlite.Fixtures.SQL_LOOKING;
import static com.neurasea.store.sqlite.Fixtures.assertConflict;
import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.model.BindingId;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.Grant;
import com.neurasea.model.Group;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Role;
import com.neurasea.model.RoleBinding;
import com.neurasea.model.RoleId;
import com.neurasea.model.Scope;
import com.neurasea.model.Subject;
import com.neurasea.model.Tenant;
import com.neurasea.model.User;
import com.neurasea.spi.PermissionStore;
import com.neurasea.spi.Storage;
import com.neurasea.spi.TenancyStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlitePermissionStoreTest {
  @TempDir Path dir;
  Path file;
  Storage storage;
  PermissionStore permissions;
  TenancyStore tenancy;
  Tenant tenant;

  @BeforeEach
  void open() {
    file = dir.resolve("permissions.db");
    storage = SqliteStorage.builder().path(file).build();
    permissions = storage.permissions();
    tenancy = storage.tenancy();
    permissions.syncBuiltInRoles(Arrays.stream(BuiltInRole.values()).map(BuiltInRole::toRole).toList());
    tenant = Fixtures.tenant();
    tenancy.insertTenant(tenant);
  }

  @AfterEach
  void close() {
    storage.close();
  }

  @Test
  void builtInRolesAreVisibleInEveryTenant() {
    Role admin = BuiltInRole.PLATFORM_ADMIN.toRole();
    assertThat(admin.id()).isEqualTo(RoleId.of("rol_platform_admin"));
    assertThat(permissions.findRole(tenant.id(), admin.id())).contains(admin);
    assertThat(permissions.findRole(Fixtures.tenant().id(), BuiltInRole.MEMBER.id()))
        .contains(BuiltInRole.MEMBER.toRole());
    assertThat(permissions.listRoles(tenant.id()))
        .containsExactlyInAnyOrderElementsOf(Arrays.stream(BuiltInRole.values()).map(BuiltInRole::toRole).toList());
  }

  @Test
  void syncingBuiltInRolesReplacesTheirPermissionsAndDropsStaleOnes() {
    Role viewer = BuiltInRole.VIEWER.toRole();
    Role changed = new Role(viewer.id(), null, viewer.name(), "reads less", Set.of("tenant:read"), true,
        viewer.createdAt());
    Role retired = new Role(RoleId.of("rol_retired"), null, "retired", "", Set.of("x:y"), true, Instant.EPOCH);
    permissions.syncBuiltInRoles(List.of(changed, retired));
    assertThat(permissions.findRole(tenant.id(), viewer.id())).contains(changed);
    assertThat(permissions.findRole(tenant.id(), BuiltInRole.MEMBER.id())).isEmpty();

    permissions.syncBuiltInRoles(List.of(viewer));
    assertThat(permissions.listRoles(tenant.id())).containsExactly(viewer);
    assertThat(permissionRows(viewer.id())).isEqualTo(viewer.permissions());
    assertThat(permissionRows(retired.id())).isEmpty();
  }

  @Test
  void customRolesRoundTripAndStayInTheirTenant() {
    Set<String> odd = Set.of("models:use:" + SQL_LOOKING, "geo:read:" + NON_ASCII, "a\"b\\c");
    Role role = Fixtures.role(tenant, "auditor", odd);
    permissions.insertRole(role);
    assertThat(permissions.findRole(tenant.id(), role.id())).contains(role);
    assertThat(permissions.findRole(Fixtures.tenant().id(), role.id())).isEmpty();
    assertThat(permissions.listRoles(tenant.id())).contains(role).hasSize(BuiltInRole.values().length + 1);
    assertThat(permissionRows(role.id())).isEqualTo(odd);

    Role updated = new Role(role.id(), tenant.id(), "ignored", NON_ASCII, Set.of("jobs:read"), false,
        role.createdAt());
    assertThat(permissions.updateRole(updated)).isTrue();
    assertThat(permissions.findRole(tenant.id(), role.id())).contains(
        new Role(role.id(), tenant.id(), "auditor", NON_ASCII, Set.of("jobs:read"), false, role.createdAt()));
    assertThat(permissionRows(role.id())).containsExactly("jobs:read");

    assertThat(permissions.updateRole(Fixtures.role(tenant, "ghost", Set.of("a:b")))).isFalse();
    assertThat(permissions.updateRole(BuiltInRole.MEMBER.toRole())).isFalse();
  }

  @Test
  void roleNamesAreUniquePerTenantAndNeverShadowBuiltIns() {
    permissions.insertRole(Fixtures.role(tenant, "auditor", Set.of("a:b")));
    assertConflict(() -> permissions.insertRole(Fixtures.role(tenant, "auditor", Set.of("c:d"))), "name");
    assertConflict(() -> permissions.insertRole(Fixtures.role(tenant, "member", Set.of("c:d"))), "name");

    Tenant other = Fixtures.tenant();
    tenancy.insertTenant(other);
    permissions.insertRole(Fixtures.role(other, "auditor", Set.of("a:b")));
  }

  @Test
  void boundRoleCannotBeDeleted() {
    Role role = Fixtures.role(tenant, "deployer", Set.of("jobs:submit"));
    permissions.insertRole(role);
    User user = insertMember();
    RoleBinding binding = Fixtures.binding(tenant, Subject.user(user.id()), role, Scope.tenant());
    permissions.insertBinding(binding);

    assertConflict(() -> permissions.deleteRole(tenant.id(), role.id()), "roleId");
    assertThat(permissions.findRole(tenant.id(), role.id())).isPresent();

    assertThat(permissions.deleteBinding(tenant.id(), binding.id())).isTrue();
    assertThat(permissions.deleteRole(Fixtures.tenant().id(), role.id())).isFalse();
    assertThat(permissions.deleteRole(tenant.id(), role.id())).isTrue();
    assertThat(permissions.findRole(tenant.id(), role.id())).isEmpty();
    assertThat(permissionRows(role.id())).isEmpty();
    assertThat(permissions.deleteRole(tenant.id(), role.id())).isFalse();
    assertThat(permissions.deleteRole(tenant.id(), BuiltInRole.MEMBER.id())).isFalse();
  }

  @Test
  void bindingsRoundTripListAndRejectDuplicates() {
    User user = insertMember();
    Group group = insertGroup("team", null);
    Role member = BuiltInRole.MEMBER.toRole();
    RoleBinding tenantWide = Fixtures.binding(tenant, Subject.user(user.id()), member, Scope.tenant());
    RoleBinding groupScoped = Fixtures.binding(tenant, Subject.user(user.id()), member, Scope.group(group.id()));
    RoleBinding forGroup = Fixtures.binding(tenant, Subject.group(group.id()), BuiltInRole.VIEWER.toRole(),
        Scope.tenant());
    List.of(tenantWide, groupScoped, forGroup).forEach(permissions::insertBinding);

    assertThat(permissions.findBinding(tenant.id(), groupScoped.id())).contains(groupScoped);
    assertThat(permissions.findBinding(Fixtures.tenant().id(), groupScoped.id())).isEmpty();
    assertThat(permissions.listBindings(tenant.id(), null, PageRequest.firstPage()))
        .containsExactly(tenantWide, groupScoped, forGroup);
    assertThat(permissions.listBindings(tenant.id(), Subject.user(user.id()), PageRequest.firstPage()))
        .containsExactly(tenantWide, groupScoped);
    assertThat(permissions.listBindings(tenant.id(), null, new PageRequest(2, 5))).containsExactly(forGroup);

    assertConflict(() -> permissions.insertBinding(Fixtures.binding(tenant, Subject.user(user.id()), member,
        Scope.tenant())), "roleId");
    assertConflict(() -> permissions.insertBinding(new RoleBinding(tenantWide.id(), tenant.id(),
        Subject.group(group.id()), member.id(), Scope.tenant(), Fixtures.now())), "id");

    assertThat(permissions.deleteBinding(tenant.id(), tenantWide.id())).isTrue();
    assertThat(permissions.deleteBinding(tenant.id(), tenantWide.id())).isFalse();
    assertThat(permissions.deleteBinding(tenant.id(), BindingId.of("rbd_absent"))).isFalse();
  }

  @Test
  void bindingsOfAGroupOrUserAreDeletedTogether() {
    User user = insertMember();
    Group group = insertGroup("team", null);
    Group other = insertGroup("other", null);
    Role viewer = BuiltInRole.VIEWER.toRole();
    permissions.insertBinding(Fixtures.binding(tenant, Subject.group(group.id()), viewer, Scope.tenant()));
    permissions.insertBinding(Fixtures.binding(tenant, Subject.user(user.id()), viewer, Scope.group(group.id())));
    RoleBinding kept = Fixtures.binding(tenant, Subject.group(other.id()), viewer, Scope.group(other.id()));
    permissions.insertBinding(kept);
    RoleBinding userWide = Fixtures.binding(tenant, Subject.user(user.id()), viewer, Scope.tenant());
    permissions.insertBinding(userWide);

    assertThat(permissions.deleteBindingsOfGroup(tenant.id(), group.id().value())).isEqualTo(2);
    assertThat(permissions.listBindings(tenant.id(), null, PageRequest.firstPage())).containsExactly(kept, userWide);
    assertThat(permissions.deleteBindingsOfUser(tenant.id(), user.id())).isEqualTo(1);
    assertThat(permissions.listBindings(tenant.id(), null, PageRequest.firstPage())).containsExactly(kept);
  }

  @Test
  void grantsFollowNestedGroupsUpwards() {
    Group org = insertGroup("org", null);
    Group dept = insertGroup("dept", org);
    Group team = insertGroup("team", dept);
    Group unrelated = insertGroup("unrelated", null);
    User user = insertMember();
    tenancy.insertGroupMember(tenant.id(), team.id(), user.id());

    Role orgRole = insertRole("org-role", "org:read");
    Role deptRole = insertRole("dept-role", "dept:read", "shared:read");
    Role direct = insertRole("direct-role", "direct:read", "shared:read");
    Role unrelatedRole = insertRole("unrelated-role", "unrelated:read");
    permissions.insertBinding(Fixtures.binding(tenant, Subject.group(org.id()), orgRole, Scope.tenant()));
    permissions.insertBinding(Fixtures.binding(tenant, Subject.group(dept.id()), deptRole, Scope.group(dept.id())));
    permissions.insertBinding(Fixtures.binding(tenant, Subject.user(user.id()), direct, Scope.group(dept.id())));
    permissions.insertBinding(Fixtures.binding(tenant, Subject.group(unrelated.id()), unrelatedRole, Scope.tenant()));
    // The same user id bound in another tenant grants nothing here.
    Tenant other = Fixtures.tenant();
    tenancy.insertTenant(other);
    permissions.insertBinding(new RoleBinding(BindingId.of("rbd_elsewhere"), other.id(), Subject.user(user.id()),
        unrelatedRole.id(), Scope.tenant(), Fixtures.now()));
    permissions.insertPlatformBinding(Fixtures.platformBinding(user, BuiltInRole.PLATFORM_ADMIN.id()));

    List<Grant> grants = permissions.grantsOf(tenant.id(), user.id());
    assertThat(grants).containsExactlyInAnyOrder(
        new Grant(Scope.tenant(), "org:read"),
        new Grant(Scope.group(dept.id()), "dept:read"),
        new Grant(Scope.group(dept.id()), "shared:read"),
        new Grant(Scope.group(dept.id()), "direct:read"));
    assertThat(permissions.platformGrantsOf(user.id())).containsExactly(new Grant(Scope.platform(), "*"));
    assertThat(permissions.grantsOf(tenant.id(), insertMember().id())).isEmpty();
    assertThat(permissions.platformGrantsOf(insertMember().id())).isEmpty();

    // Leaving the team takes the group grants away, the direct one stays.
    tenancy.deleteGroupMember(tenant.id(), team.id(), user.id());
    assertThat(permissions.grantsOf(tenant.id(), user.id())).containsExactlyInAnyOrder(
        new Grant(Scope.group(dept.id()), "direct:read"), new Grant(Scope.group(dept.id()), "shared:read"));
  }

  @Test
  void grantResolutionTerminatesOnAParentCycle() {
    Group a = insertGroup("a", null);
    Group b = insertGroup("b", a);
    tenancy.updateGroup(new Group(a.id(), tenant.id(), "a", b.id(), a.createdAt()));
    User user = insertMember();
    tenancy.insertGroupMember(tenant.id(), b.id(), user.id());
    permissions.insertBinding(Fixtures.binding(tenant, Subject.group(a.id()), insertRole("r", "x:y"),
        Scope.tenant()));

    assertThat(permissions.grantsOf(tenant.id(), user.id())).containsExactly(new Grant(Scope.tenant(), "x:y"));
    assertThat(tenancy.groupAndAncestors(tenant.id(), b.id())).startsWith(b.id(), a.id(), b.id());
  }

  private Set<String> permissionRows(RoleId roleId) {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        PreparedStatement ps = c.prepareStatement("SELECT permission FROM role_permissions WHERE role_id = ?")) {
      ps.setString(1, roleId.value());
      Set<String> rows = new HashSet<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(rs.getString(1));
        }
      }
      return rows;
    } catch (java.sql.SQLException e) {
      throw new AssertionError(e);
    }
  }

  private User insertMember() {
    User user = Fixtures.user();
    tenancy.insertUser(user);
    tenancy.insertMembership(Fixtures.membership(tenant, user));
    return user;
  }

  private Group insertGroup(String name, Group parent) {
    Group group = Fixtures.group(tenant, name, parent);
    tenancy.insertGroup(group);
    return group;
  }

  private Role insertRole(String name, String... grants) {
    Role role = Fixtures.role(tenant, name, Set.of(grants));
    permissions.insertRole(role);
    return role;
  }
}
