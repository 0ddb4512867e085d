package com.neurasea.tenancy;

import com.neurasea.Backends;
import com.neurasea.permissions.AccessCacheSettings;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.api.extension.RegisterExtension;
import com.neurasea.tck.FreshStorage;
import static org.assertj.core.api.Assertions.assertThat;
import static com.neurasea.Errors.assertCode;
import static com.neurasea.Errors.thrown;

import com.neurasea.TestPlatform;
import com.neurasea.model.AccountStatus;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.Caller;
import com.neurasea.model.CreateGroup;
import com.neurasea.model.CreateTenant;
import com.neurasea.model.CreateUser;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.FieldError;
import com.neurasea.model.Group;
import com.neurasea.model.GroupId;
import com.neurasea.model.LoginMethod;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Tenant;
import com.neurasea.model.TenantStatus;
import com.neurasea.model.UpdateUser;
import com.neurasea.model.User;
import com.neurasea.model.UserId;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"sqlite", "postgres"})
class TenancyServiceTest {
  @RegisterExtension final FreshStorage fresh;

  TenancyServiceTest(String backend) {
    this.fresh = Backends.fresh(backend);
  }

  @TempDir Path dir;
  TestPlatform t;
  TenancyService tenancy;

  @BeforeEach
  void setUp() {
    t = new TestPlatform(fresh.storage(), dir, AccessCacheSettings.DEFAULT);
    tenancy = t.platform.tenancy();
  }

  @AfterEach
  void tearDown() {
    t.close();
  }

  @Test
  void platformAdminCreatesTenantsAndOthersCannot() {
    Tenant acme = t.tenant("acme");
    assertThat(acme.status()).isEqualTo(TenantStatus.ACTIVE);
    assertThat(acme.timeZone()).isEqualTo("UTC");
    User owner = t.user(acme, "olivia", BuiltInRole.TENANT_OWNER);
    assertCode(() -> tenancy.createTenant(TestPlatform.as(owner, acme), new CreateTenant("other", "Other", null)),
        ErrorCode.PERMISSION_DENIED);
  }

  @Test
  void createUserValidatesEveryField() {
    Tenant acme = t.tenant("acme");
    Caller admin = t.admin.inTenant(acme.id());
    NeuraSeaException e = thrown(() -> tenancy.createUser(admin,
        new CreateUser("x", "a".repeat(129), "not-an-email", "12345", LoginMethod.PASSWORD, "short")));
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.fieldErrors()).extracting(FieldError::field)
        .containsExactlyInAnyOrder("username", "displayName", "email", "phone", "password");
    assertCode(() -> tenancy.createUser(admin, new CreateUser("bob", null, null, null, null, null)),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> tenancy.createUser(admin, null), ErrorCode.INVALID_ARGUMENT);
    NeuraSeaException missing = thrown(() -> tenancy.createUser(admin,
        new CreateUser("bob", null, null, null, LoginMethod.PASSWORD, null)));
    assertThat(missing.fieldErrors()).extracting(FieldError::field).containsExactly("password");
    assertThat(tenancy.listMembers(admin, PageRequest.firstPage())).isEmpty();
  }

  @Test
  void duplicateUsernameIgnoringCaseIsConflictAndWritesNothing() {
    Tenant acme = t.tenant("acme");
    t.user(acme, "Alice", null);
    NeuraSeaException e = thrown(() -> t.user(acme, "alice", null));
    assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
    assertThat(e.fieldErrors()).extracting(FieldError::field).containsExactly("username");
    assertThat(tenancy.listMembers(t.admin.inTenant(acme.id()), PageRequest.firstPage())).hasSize(1);
  }

  @Test
  void sqlLookingAndNonAsciiTextIsStoredVerbatim() {
    Tenant acme = t.tenant("acme");
    Caller admin = t.admin.inTenant(acme.id());
    String sneaky = "Robert'); DROP TABLE users;--";
    User user = tenancy.createUser(admin,
        new CreateUser("robert", sneaky, "张伟@例子.公司", "+8613800138000", LoginMethod.TOKEN_ONLY, null));
    User read = tenancy.getUser(admin, user.id());
    assertThat(read.displayName()).isEqualTo(sneaky);
    assertThat(read.email()).isEqualTo("张伟@例子.公司");
    User renamed = tenancy.updateUser(admin, user.id(), new UpdateUser("张伟 😀", null, null));
    assertThat(tenancy.getUser(admin, user.id()).displayName()).isEqualTo("张伟 😀").isEqualTo(renamed.displayName());
  }

  @Test
  void idsOfAnotherTenantAnswerExactlyLikeUnknownIds() {
    Tenant a = t.tenant("tenant-a");
    Tenant b = t.tenant("tenant-b");
    User adminA = t.user(a, "admin-a", BuiltInRole.TENANT_ADMIN);
    User bobB = t.user(b, "bob-b", BuiltInRole.MEMBER);
    Group groupB = t.platform.groups().createGroup(t.admin.inTenant(b.id()), new CreateGroup("engineering", null));
    Caller callerA = TestPlatform.as(adminA, a);

    NeuraSeaException foreignUser = thrown(() -> tenancy.getUser(callerA, bobB.id()));
    NeuraSeaException unknownUser = thrown(() -> tenancy.getUser(callerA, new UserId("usr_doesnotexist")));
    assertThat(foreignUser.code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(foreignUser.getMessage()).isEqualTo(unknownUser.getMessage());

    NeuraSeaException foreignGroup = thrown(() -> t.platform.groups().getGroup(callerA, groupB.id()));
    NeuraSeaException unknownGroup = thrown(() -> t.platform.groups().getGroup(callerA, new GroupId("grp_doesnotexist")));
    assertThat(foreignGroup.code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(foreignGroup.getMessage()).isEqualTo(unknownGroup.getMessage());
    assertCode(() -> t.platform.groups().addGroupMember(callerA, groupB.id(), adminA.id()), ErrorCode.NOT_FOUND);
    assertCode(() -> t.platform.groups().deleteGroup(callerA, groupB.id()), ErrorCode.NOT_FOUND);

    // Acting in a tenant one is not a member of looks like a tenant that does not exist.
    assertCode(() -> tenancy.listMembers(callerA.inTenant(b.id()), PageRequest.firstPage()), ErrorCode.NOT_FOUND);
    assertCode(() -> t.platform.groups().getGroup(callerA.inTenant(b.id()), groupB.id()), ErrorCode.NOT_FOUND);
  }

  @Test
  void suspendingATenantStopsItsPrincipalsAtOnce() {
    Tenant acme = t.tenant("acme");
    User alice = t.user(acme, "alice", BuiltInRole.TENANT_ADMIN);
    Caller caller = TestPlatform.as(alice, acme);
    assertThat(tenancy.listMembers(caller, PageRequest.firstPage())).isNotEmpty();
    tenancy.setTenantStatus(t.admin, acme.id(), TenantStatus.SUSPENDED);
    assertCode(() -> tenancy.listMembers(caller, PageRequest.firstPage()), ErrorCode.FAILED_PRECONDITION);
    tenancy.setTenantStatus(t.admin, acme.id(), TenantStatus.ACTIVE);
    assertThat(tenancy.listMembers(caller, PageRequest.firstPage())).isNotEmpty();
    tenancy.setTenantStatus(t.admin, acme.id(), TenantStatus.CLOSED);
    assertCode(() -> tenancy.setTenantStatus(t.admin, acme.id(), TenantStatus.ACTIVE), ErrorCode.FAILED_PRECONDITION);
  }

  @Test
  void lockedAccountCannotAct() {
    Tenant acme = t.tenant("acme");
    User alice = t.user(acme, "alice", BuiltInRole.TENANT_ADMIN);
    User bob = t.user(acme, "bob", BuiltInRole.MEMBER);
    tenancy.setUserStatus(TestPlatform.as(alice, acme), bob.id(), AccountStatus.LOCKED);
    assertCode(() -> tenancy.listMembers(TestPlatform.as(bob, acme), PageRequest.firstPage()),
        ErrorCode.UNAUTHENTICATED);
    assertCode(() -> tenancy.setUserStatus(TestPlatform.as(alice, acme), alice.id(), AccountStatus.DISABLED),
        ErrorCode.FAILED_PRECONDITION);
  }

  @Test
  void tenantAdminCannotChangeAnAccountSharedWithAnotherTenant() {
    Tenant a = t.tenant("tenant-a");
    Tenant b = t.tenant("tenant-b");
    User adminA = t.user(a, "admin-a", BuiltInRole.TENANT_ADMIN);
    User shared = t.user(a, "shared", BuiltInRole.MEMBER);
    tenancy.addMember(t.admin.inTenant(b.id()), shared.id());
    assertCode(() -> tenancy.setUserStatus(TestPlatform.as(adminA, a), shared.id(), AccountStatus.LOCKED),
        ErrorCode.PERMISSION_DENIED);
    // Tenant admins cannot pull accounts of other tenants into theirs.
    User other = t.user(b, "other", BuiltInRole.MEMBER);
    assertCode(() -> tenancy.addMember(TestPlatform.as(adminA, a), other.id()), ErrorCode.PERMISSION_DENIED);
  }

  @Test
  void changingEmailClearsItsVerification() {
    Tenant acme = t.tenant("acme");
    Caller admin = t.admin.inTenant(acme.id());
    User alice = t.user(acme, "alice", BuiltInRole.MEMBER);
    User verified = tenancy.markEmailVerified(admin, alice.id());
    assertThat(verified.emailVerified()).isTrue();
    assertThat(verified.emailVerifiedAt()).isEqualTo(t.clock.instant());
    User changed = tenancy.updateUser(TestPlatform.as(alice, acme), alice.id(),
        new UpdateUser(null, "new@example.com", null));
    assertThat(changed.emailVerified()).isFalse();
    assertCode(() -> tenancy.markPhoneVerified(admin, alice.id()), ErrorCode.FAILED_PRECONDITION);
  }

  @Test
  void groupsNestMoveAndRefuseCycles() {
    Tenant acme = t.tenant("acme");
    Caller admin = t.admin.inTenant(acme.id());
    Group eng = t.platform.groups().createGroup(admin, new CreateGroup("engineering", null));
    Group ml = t.platform.groups().createGroup(admin, new CreateGroup("ml", eng.id()));
    Group infra = t.platform.groups().createGroup(admin, new CreateGroup("infra", ml.id()));
    assertCode(() -> t.platform.groups().createGroup(admin, new CreateGroup("ml", eng.id())), ErrorCode.CONFLICT);
    NeuraSeaException cycle = thrown(() -> t.platform.groups().updateGroup(admin, eng.id(), new CreateGroup("engineering", infra.id())));
    assertThat(cycle.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(cycle.fieldErrors()).extracting(FieldError::field).containsExactly("parentId");
    Group moved = t.platform.groups().updateGroup(admin, infra.id(), new CreateGroup("infrastructure", null));
    assertThat(moved.parentId()).isNull();
    assertCode(() -> t.platform.groups().deleteGroup(admin, eng.id()), ErrorCode.FAILED_PRECONDITION);
    t.platform.groups().deleteGroup(admin, ml.id());
    t.platform.groups().deleteGroup(admin, eng.id());
    assertThat(t.platform.groups().listGroups(admin, PageRequest.firstPage())).extracting(Group::name).containsExactly("infrastructure");
    assertCode(() -> t.platform.groups().createGroup(admin, new CreateGroup("x", new GroupId("grp_missing"))), ErrorCode.NOT_FOUND);
  }

  @Test
  void groupMembershipRequiresTenantMembership() {
    Tenant a = t.tenant("tenant-a");
    Tenant b = t.tenant("tenant-b");
    Caller admin = t.admin.inTenant(a.id());
    Group eng = t.platform.groups().createGroup(admin, new CreateGroup("engineering", null));
    User alice = t.user(a, "alice", null);
    User outsider = t.user(b, "outsider", null);
    t.platform.groups().addGroupMember(admin, eng.id(), alice.id());
    assertCode(() -> t.platform.groups().addGroupMember(admin, eng.id(), alice.id()), ErrorCode.CONFLICT);
    assertCode(() -> t.platform.groups().addGroupMember(admin, eng.id(), outsider.id()), ErrorCode.NOT_FOUND);
    assertThat(t.platform.groups().listGroupMembers(admin, eng.id(), PageRequest.firstPage())).extracting(User::username)
        .containsExactly("alice");
    assertThat(t.platform.groups().groupsOfUser(TestPlatform.as(alice, a), alice.id())).extracting(Group::name)
        .containsExactly("engineering");
    tenancy.removeMember(admin, alice.id());
    assertThat(t.platform.groups().listGroupMembers(admin, eng.id(), PageRequest.firstPage())).isEmpty();
  }

  @Test
  void badTimeZoneAndMissingTenantAreInvalid() {
    NeuraSeaException e = thrown(() -> tenancy.createTenant(t.admin, new CreateTenant("acme", "Acme", "Mars/Olympus")));
    assertThat(e.fieldErrors()).extracting(FieldError::field).containsExactly("timeZone");
    assertCode(() -> tenancy.listMembers(t.admin, PageRequest.firstPage()), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> tenancy.createTenant(t.admin, new CreateTenant("Bad Slug!", "", null)), ErrorCode.INVALID_ARGUMENT);
    t.tenant("acme");
    assertCode(() -> t.tenant("acme"), ErrorCode.CONFLICT);
  }
}
