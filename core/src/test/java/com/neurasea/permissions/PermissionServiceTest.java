package com.neurasea.permissions;

import com.neurasea.Backends;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.api.extension.RegisterExtension;
import com.neurasea.tck.FreshStorage;
import static com.neurasea.Errors.assertCode;
import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.TestPlatform;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.Caller;
import com.neurasea.model.CreateBinding;
import com.neurasea.model.CreateGroup;
import com.neurasea.model.CreateRole;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.Group;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Permissions;
import com.neurasea.model.Role;
import com.neurasea.model.RoleBinding;
import com.neurasea.model.Scope;
import com.neurasea.model.Subject;
import com.neurasea.model.Tenant;
import com.neurasea.model.User;
import com.neurasea.tenancy.TenancyService;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"sqlite", "postgres"})
class PermissionServiceTest {
  @RegisterExtension final FreshStorage fresh;

  PermissionServiceTest(String backend) {
    this.fresh = Backends.fresh(backend);
  }

  @TempDir Path dir;
  TestPlatform t;
  PermissionService permissions;
  TenancyService tenancy;
  Tenant acme;
  Caller admin;

  @BeforeEach
  void setUp() {
    t = new TestPlatform(fresh.storage(), dir, AccessCacheSettings.DEFAULT);
    permissions = t.platform.permissions();
    tenancy = t.platform.tenancy();
    acme = t.tenant("acme");
    admin = t.admin.inTenant(acme.id());
  }

  @AfterEach
  void tearDown() {
    t.close();
  }

  @Test
  void builtInRolesGrantTheirPermissions() {
    User viewer = t.user(acme, "vera", BuiltInRole.VIEWER);
    User member = t.user(acme, "max", BuiltInRole.MEMBER);
    Caller v = TestPlatform.as(viewer, acme);
    Caller m = TestPlatform.as(member, acme);
    assertThat(permissions.check(v, Permissions.MEMBERS_READ, Scope.tenant())).isTrue();
    assertThat(permissions.check(v, Permissions.TOKENS_CREATE, Scope.tenant())).isFalse();
    assertThat(permissions.check(m, Permissions.TOKENS_CREATE, Scope.tenant())).isTrue();
    assertThat(permissions.check(m, Permissions.useModel("gpt-4o-mini"), Scope.tenant())).isTrue();
    assertThat(permissions.check(m, Permissions.MEMBERS_MANAGE, Scope.tenant())).isFalse();
    assertThat(permissions.listRoles(m)).extracting(Role::name).contains("tenant_owner", "billing_viewer");
  }

  @Test
  void modelAccessByPattern() {
    User dev = t.user(acme, "dev", null);
    Role gpt4o = permissions.createRole(admin, new CreateRole("gpt4o-users", "only gpt-4o family",
        Set.of("models:use:gpt-4o*", Permissions.TENANT_READ)));
    t.bind(acme, dev, gpt4o.id());
    Caller c = TestPlatform.as(dev, acme);
    assertThat(permissions.check(c, Permissions.useModel("gpt-4o"), Scope.tenant())).isTrue();
    assertThat(permissions.check(c, Permissions.useModel("gpt-4o-mini"), Scope.tenant())).isTrue();
    assertThat(permissions.check(c, Permissions.useModel("claude-3-5-sonnet"), Scope.tenant())).isFalse();
    assertThat(permissions.listPermitted(c, Scope.tenant())).containsExactly("models:use:gpt-4o*", "tenant:read");
  }

  @Test
  void groupScopedBindingsCoverTheGroupAndItsDescendantsOnly() {
    Group eng = t.platform.groups().createGroup(admin, new CreateGroup("engineering", null));
    Group ml = t.platform.groups().createGroup(admin, new CreateGroup("ml", eng.id()));
    Group sales = t.platform.groups().createGroup(admin, new CreateGroup("sales", null));
    User lead = t.user(acme, "lead", null);
    permissions.createBinding(admin, new CreateBinding(Subject.user(lead.id()), BuiltInRole.TENANT_ADMIN.id(),
        Scope.group(eng.id())));
    Caller c = TestPlatform.as(lead, acme);
    assertThat(permissions.check(c, Permissions.GROUPS_MANAGE, Scope.group(eng.id()))).isTrue();
    assertThat(permissions.check(c, Permissions.GROUPS_MANAGE, Scope.group(ml.id()))).isTrue();
    assertThat(permissions.check(c, Permissions.GROUPS_MANAGE, Scope.group(sales.id()))).isFalse();
    assertThat(permissions.check(c, Permissions.GROUPS_MANAGE, Scope.tenant())).isFalse();
    // A group lead can create subgroups under its group but not at the top.
    t.platform.groups().createGroup(c, new CreateGroup("vision", ml.id()));
    assertCode(() -> t.platform.groups().createGroup(c, new CreateGroup("rogue", null)), ErrorCode.PERMISSION_DENIED);
  }

  @Test
  void groupSubjectsGrantToMembersOfDescendantGroups() {
    Group eng = t.platform.groups().createGroup(admin, new CreateGroup("engineering", null));
    Group ml = t.platform.groups().createGroup(admin, new CreateGroup("ml", eng.id()));
    User alice = t.user(acme, "alice", null);
    User bob = t.user(acme, "bob", null);
    t.platform.groups().addGroupMember(admin, ml.id(), alice.id());
    t.platform.groups().addGroupMember(admin, eng.id(), bob.id());
    permissions.createBinding(admin, new CreateBinding(Subject.group(eng.id()), BuiltInRole.MEMBER.id(), Scope.tenant()));
    permissions.createBinding(admin, new CreateBinding(Subject.group(ml.id()), BuiltInRole.BILLING_VIEWER.id(),
        Scope.tenant()));
    assertThat(permissions.check(TestPlatform.as(alice, acme), Permissions.JOBS_SUBMIT, Scope.tenant())).isTrue();
    assertThat(permissions.check(TestPlatform.as(alice, acme), Permissions.BILLING_READ, Scope.tenant())).isTrue();
    assertThat(permissions.check(TestPlatform.as(bob, acme), Permissions.JOBS_SUBMIT, Scope.tenant())).isTrue();
    assertThat(permissions.check(TestPlatform.as(bob, acme), Permissions.BILLING_READ, Scope.tenant())).isFalse();
    // Leaving the group takes effect at once.
    t.platform.groups().removeGroupMember(admin, ml.id(), alice.id());
    assertThat(permissions.check(TestPlatform.as(alice, acme), Permissions.JOBS_SUBMIT, Scope.tenant())).isFalse();
  }

  @Test
  void removingABindingRevokesAtOnce() {
    User alice = t.user(acme, "alice", null);
    RoleBinding binding = permissions.createBinding(admin,
        new CreateBinding(Subject.user(alice.id()), BuiltInRole.MEMBER.id(), Scope.tenant()));
    Caller c = TestPlatform.as(alice, acme);
    assertThat(permissions.check(c, Permissions.JOBS_SUBMIT, Scope.tenant())).isTrue();
    permissions.deleteBinding(admin, binding.id());
    assertThat(permissions.check(c, Permissions.JOBS_SUBMIT, Scope.tenant())).isFalse();
    assertCode(() -> permissions.deleteBinding(admin, binding.id()), ErrorCode.NOT_FOUND);
  }

  @Test
  void escalationGuardStopsGrantingWhatOneDoesNotHold() {
    User tenantAdmin = t.user(acme, "tadmin", BuiltInRole.TENANT_ADMIN);
    User bob = t.user(acme, "bob", null);
    Caller c = TestPlatform.as(tenantAdmin, acme);
    // tenant_owner holds tenant:manage, which a tenant admin lacks.
    assertCode(() -> permissions.createBinding(c, new CreateBinding(Subject.user(bob.id()),
        BuiltInRole.TENANT_OWNER.id(), Scope.tenant())), ErrorCode.PERMISSION_DENIED);
    assertCode(() -> permissions.createRole(c, new CreateRole("sneaky", null, Set.of(Permissions.TENANT_MANAGE))),
        ErrorCode.PERMISSION_DENIED);
    assertCode(() -> permissions.createRole(c, new CreateRole("everything", null, Set.of("*"))),
        ErrorCode.PERMISSION_DENIED);
    // ...but may grant what it holds, including narrower model patterns.
    Role narrow = permissions.createRole(c, new CreateRole("mini-only", null, Set.of("models:use:gpt-4o-mini*")));
    permissions.createBinding(c, new CreateBinding(Subject.user(bob.id()), narrow.id(), Scope.tenant()));
    permissions.createBinding(c, new CreateBinding(Subject.user(bob.id()), BuiltInRole.MEMBER.id(), Scope.tenant()));
    // Nobody binds platform_admin inside a tenant.
    assertCode(() -> permissions.createBinding(admin, new CreateBinding(Subject.user(bob.id()),
        BuiltInRole.PLATFORM_ADMIN.id(), Scope.tenant())), ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void tenantAdminCannotRemoveTheOwnersBinding() {
    User owner = t.user(acme, "owner", null);
    RoleBinding ownerBinding = permissions.createBinding(admin,
        new CreateBinding(Subject.user(owner.id()), BuiltInRole.TENANT_OWNER.id(), Scope.tenant()));
    User tenantAdmin = t.user(acme, "tadmin", BuiltInRole.TENANT_ADMIN);
    assertCode(() -> permissions.deleteBinding(TestPlatform.as(tenantAdmin, acme), ownerBinding.id()),
        ErrorCode.PERMISSION_DENIED);
  }

  @Test
  void rolesValidateAndConflict() {
    assertCode(() -> permissions.createRole(admin, new CreateRole("Bad Name", null, Set.of("x"))),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> permissions.createRole(admin, new CreateRole("ok", null, Set.of())), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> permissions.createRole(admin, new CreateRole("ok", null, Set.of("NOT A PERMISSION"))),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> permissions.createRole(admin, new CreateRole("member", null, Set.of("tenant:read"))),
        ErrorCode.CONFLICT);
    Role role = permissions.createRole(admin, new CreateRole("readers", null, Set.of("tenant:read")));
    assertCode(() -> permissions.createRole(admin, new CreateRole("readers", null, Set.of("tenant:read"))),
        ErrorCode.CONFLICT);
    User alice = t.user(acme, "alice", null);
    t.bind(acme, alice, role.id());
    assertCode(() -> permissions.deleteRole(admin, role.id()), ErrorCode.CONFLICT);
    Role updated = permissions.updateRole(admin, role.id(), new CreateRole("readers", "more", Set.of("members:read")));
    assertThat(updated.permissions()).containsExactly("members:read");
    assertThat(permissions.check(TestPlatform.as(alice, acme), Permissions.MEMBERS_READ, Scope.tenant())).isTrue();
    assertThat(permissions.check(TestPlatform.as(alice, acme), Permissions.TENANT_READ, Scope.tenant())).isFalse();
    assertCode(() -> permissions.updateRole(admin, BuiltInRole.MEMBER.id(),
        new CreateRole("member", null, Set.of("*"))), ErrorCode.FAILED_PRECONDITION);
  }

  @Test
  void rolesAndBindingsOfAnotherTenantAreInvisible() {
    Tenant other = t.tenant("other");
    Caller otherAdmin = t.admin.inTenant(other.id());
    Role foreign = permissions.createRole(otherAdmin, new CreateRole("foreign", null, Set.of("tenant:read")));
    User alice = t.user(acme, "alice", BuiltInRole.TENANT_ADMIN);
    Caller c = TestPlatform.as(alice, acme);
    assertCode(() -> permissions.getRole(c, foreign.id()), ErrorCode.NOT_FOUND);
    assertCode(() -> permissions.createBinding(c, new CreateBinding(Subject.user(alice.id()), foreign.id(),
        Scope.tenant())), ErrorCode.NOT_FOUND);
    assertThat(permissions.listRoles(c)).extracting(Role::id).doesNotContain(foreign.id());
    assertThat(permissions.listBindings(c, null, PageRequest.firstPage()))
        .allMatch(b -> b.tenantId().equals(acme.id()));
  }

  @Test
  void platformAdminHoldsEverythingAndCanAppointAnother() {
    assertThat(permissions.isPlatformAdmin(t.admin)).isTrue();
    assertThat(permissions.check(admin, Permissions.useModel("anything"), Scope.tenant())).isTrue();
    User alice = t.user(acme, "alice", BuiltInRole.TENANT_OWNER);
    assertThat(permissions.isPlatformAdmin(TestPlatform.as(alice, acme))).isFalse();
    permissions.createBinding(t.admin, new CreateBinding(Subject.user(alice.id()), BuiltInRole.PLATFORM_ADMIN.id(),
        Scope.platform()));
    assertThat(permissions.isPlatformAdmin(TestPlatform.as(alice, acme))).isTrue();
  }
}
