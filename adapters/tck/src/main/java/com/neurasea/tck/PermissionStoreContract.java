package com.neurasea.tck;

import static com.neurasea.tck.TckAssertions.assertConflict;
import static com.neurasea.tck.TckFixtures.binding;
import static com.neurasea.tck.TckFixtures.builtInRoles;
import static com.neurasea.tck.TckFixtures.customRole;
import static com.neurasea.tck.TckFixtures.group;
import static com.neurasea.tck.TckFixtures.groupBinding;
import static com.neurasea.tck.TckFixtures.membership;
import static com.neurasea.tck.TckFixtures.nextInstant;
import static com.neurasea.tck.TckFixtures.platformBinding;
import static com.neurasea.tck.TckFixtures.randomId;
import static com.neurasea.tck.TckFixtures.tenant;
import static com.neurasea.tck.TckFixtures.user;
import static com.neurasea.tck.TckFixtures.userBinding;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link PermissionStore}: built-in and custom roles, role bindings, and the grants a
 * user holds through its own bindings and those of the groups it belongs to, directly or through
 * descendant groups, kept apart per tenant and from platform-scope grants.
 *
 * <p>A storage adapter passes it by extending this class in its own tests and implementing
 * {@link #newStorage()}. Each test opens one storage before it runs and closes it afterwards.
 */
public abstract class PermissionStoreContract extends StorageUnderTest {
  private static final PageRequest ALL = PageRequest.firstPage();

  // ---- built-in roles

  @Test
  void syncedBuiltInRolesAreVisibleInEveryTenant() {
    Tenant first = savedTenant();
    Tenant second = savedTenant();

    store().syncBuiltInRoles(builtInRoles());

    for (Role role : builtInRoles()) {
      assertThat(store().findRole(first.id(), role.id())).contains(role);
      assertThat(store().findRole(second.id(), role.id())).contains(role);
    }
  }

  @Test
  void syncBuiltInRolesIsIdempotent() {
    Tenant tenant = savedTenant();

    store().syncBuiltInRoles(builtInRoles());
    store().syncBuiltInRoles(builtInRoles());

    assertThat(store().listRoles(tenant.id())).containsExactlyInAnyOrderElementsOf(builtInRoles());
  }

  @Test
  void resyncReplacesPermissionsAndDescription() {
    Tenant tenant = savedTenant();
    store().syncBuiltInRoles(builtInRoles());
    Role changed = new Role(BuiltInRole.MEMBER.id(), null, "member", "Changed description", Set.of("tenant:read"),
        true, BuiltInRole.MEMBER.toRole().createdAt());
    List<Role> changedRoles = builtInRoles().stream().map(r -> r.id().equals(changed.id()) ? changed : r).toList();

    store().syncBuiltInRoles(changedRoles);

    assertThat(store().findRole(tenant.id(), changed.id())).contains(changed);
    assertThat(store().listRoles(tenant.id())).containsExactlyInAnyOrderElementsOf(changedRoles);
  }

  @Test
  void resyncKeepsBindingsOfBuiltInRoles() {
    Tenant tenant = savedTenant();
    User user = savedMember(tenant);
    store().syncBuiltInRoles(builtInRoles());
    RoleBinding binding = savedBinding(userBinding(tenant, user, BuiltInRole.VIEWER.id()));
    Role narrowed = new Role(BuiltInRole.VIEWER.id(), null, "viewer", "Reads", Set.of("tenant:read"), true,
        BuiltInRole.VIEWER.toRole().createdAt());

    store().syncBuiltInRoles(builtInRoles().stream().map(r -> r.id().equals(narrowed.id()) ? narrowed : r).toList());

    assertThat(store().findBinding(tenant.id(), binding.id())).contains(binding);
    assertThat(store().grantsOf(tenant.id(), user.id())).containsExactly(new Grant(Scope.tenant(), "tenant:read"));
  }

  // ---- custom roles

  @Test
  void insertedCustomRoleIsFound() {
    Tenant tenant = savedTenant();
    Role role = customRole(tenant, "auditor", "ledger:read", "usage:read");

    store().insertRole(role);

    assertThat(store().findRole(tenant.id(), role.id())).contains(role);
  }

  @Test
  void unknownRoleIsNotFound() {
    Tenant tenant = savedTenant();
    store().syncBuiltInRoles(builtInRoles());

    assertThat(store().findRole(tenant.id(), new RoleId(randomId("rol_")))).isEmpty();
  }

  @Test
  void duplicateRoleNameIsConflict() {
    Tenant tenant = savedTenant();
    savedRole(customRole(tenant, "auditor", "ledger:read"));

    assertConflict(() -> store().insertRole(customRole(tenant, "auditor", "usage:read")), "name");
  }

  @Test
  void sameRoleNameInTwoTenantsIsAllowed() {
    Tenant first = savedTenant();
    Tenant second = savedTenant();
    Role inFirst = savedRole(customRole(first, "auditor", "ledger:read"));
    Role inSecond = savedRole(customRole(second, "auditor", "ledger:read"));

    assertThat(store().findRole(first.id(), inFirst.id())).contains(inFirst);
    assertThat(store().findRole(second.id(), inSecond.id())).contains(inSecond);
  }

  @Test
  void listRolesHasBuiltInAndOwnCustomRoles() {
    Tenant tenant = savedTenant();
    Tenant other = savedTenant();
    store().syncBuiltInRoles(builtInRoles());
    Role own = savedRole(customRole(tenant, "auditor", "ledger:read"));
    savedRole(customRole(other, "operator", "jobs:manage"));
    List<Role> expected = new ArrayList<>(builtInRoles());
    expected.add(own);

    assertThat(store().listRoles(tenant.id())).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void updateRoleReplacesDescriptionAndPermissions() {
    Tenant tenant = savedTenant();
    Role role = savedRole(customRole(tenant, "auditor", "ledger:read", "usage:read"));
    Role changed = new Role(role.id(), tenant.id(), role.name(), "Reads billing", Set.of("billing:read"), false,
        role.createdAt());

    assertThat(store().updateRole(changed)).isTrue();
    assertThat(store().findRole(tenant.id(), role.id())).contains(changed);
  }

  @Test
  void updateRoleKeepsItsNameAndCreatedAt() {
    Tenant tenant = savedTenant();
    Role role = savedRole(customRole(tenant, "auditor", "ledger:read"));

    store().updateRole(new Role(role.id(), tenant.id(), "renamed", "Reads billing", Set.of("billing:read"), false,
        nextInstant()));

    Role found = store().findRole(tenant.id(), role.id()).orElseThrow();
    assertThat(found.name()).isEqualTo("auditor");
    assertThat(found.createdAt()).isEqualTo(role.createdAt());
    assertThat(found.permissions()).containsExactly("billing:read");
  }

  @Test
  void updateOfUnknownRoleIsFalse() {
    Tenant tenant = savedTenant();

    assertThat(store().updateRole(customRole(tenant, "ghost", "jobs:read"))).isFalse();
  }

  @Test
  void updateOfBuiltInRoleIsFalse() {
    Tenant tenant = savedTenant();
    store().syncBuiltInRoles(builtInRoles());
    Role member = BuiltInRole.MEMBER.toRole();

    boolean updated = store().updateRole(new Role(member.id(), null, member.name(), "Everything", Set.of("*"), true,
        member.createdAt()));

    assertThat(updated).isFalse();
    assertThat(store().findRole(tenant.id(), member.id())).contains(member);
  }

  @Test
  void deleteRoleRemovesIt() {
    Tenant tenant = savedTenant();
    Role role = savedRole(customRole(tenant, "auditor", "ledger:read"));

    assertThat(store().deleteRole(tenant.id(), role.id())).isTrue();
    assertThat(store().findRole(tenant.id(), role.id())).isEmpty();
  }

  @Test
  void deleteOfUnknownRoleIsFalse() {
    Tenant tenant = savedTenant();

    assertThat(store().deleteRole(tenant.id(), new RoleId(randomId("rol_")))).isFalse();
  }

  @Test
  void deleteOfBoundRoleIsConflict() {
    Tenant tenant = savedTenant();
    Role role = savedRole(customRole(tenant, "auditor", "ledger:read"));
    savedBinding(userBinding(tenant, savedMember(tenant), role.id()));

    assertConflict(() -> store().deleteRole(tenant.id(), role.id()), "roleId");
    assertThat(store().findRole(tenant.id(), role.id())).contains(role);
  }

  @Test
  void roleCanBeDeletedOnceItsBindingIsGone() {
    Tenant tenant = savedTenant();
    Role role = savedRole(customRole(tenant, "auditor", "ledger:read"));
    RoleBinding binding = savedBinding(userBinding(tenant, savedMember(tenant), role.id()));

    store().deleteBinding(tenant.id(), binding.id());

    assertThat(store().deleteRole(tenant.id(), role.id())).isTrue();
  }

  @Test
  void builtInRoleCannotBeDeleted() {
    Tenant tenant = savedTenant();
    store().syncBuiltInRoles(builtInRoles());

    assertThat(store().deleteRole(tenant.id(), BuiltInRole.MEMBER.id())).isFalse();
    assertThat(store().findRole(tenant.id(), BuiltInRole.MEMBER.id())).contains(BuiltInRole.MEMBER.toRole());
  }

  // ---- bindings

  @Test
  void insertedUserBindingIsFound() {
    Tenant tenant = savedTenant();
    store().syncBuiltInRoles(builtInRoles());
    RoleBinding binding = userBinding(tenant, savedMember(tenant), BuiltInRole.MEMBER.id());

    store().insertBinding(binding);

    assertThat(store().findBinding(tenant.id(), binding.id())).contains(binding);
  }

  @Test
  void insertedGroupScopedGroupBindingIsFound() {
    Tenant tenant = savedTenant();
    store().syncBuiltInRoles(builtInRoles());
    Group subject = savedGroup(tenant, "Engineering");
    Group scope = savedGroup(tenant, "Research");
    RoleBinding binding = binding(tenant, Subject.group(subject.id()), BuiltInRole.VIEWER.id(),
        Scope.group(scope.id()));

    store().insertBinding(binding);

    assertThat(store().findBinding(tenant.id(), binding.id())).contains(binding);
  }

  @Test
  void unknownBindingIsNotFound() {
    Tenant tenant = savedTenant();

    assertThat(store().findBinding(tenant.id(), new BindingId(randomId("rbd_")))).isEmpty();
  }

  @Test
  void duplicateBindingIsConflict() {
    Tenant tenant = savedTenant();
    User user = savedMember(tenant);
    store().syncBuiltInRoles(builtInRoles());
    savedBinding(userBinding(tenant, user, BuiltInRole.MEMBER.id()));

    assertConflict(() -> store().insertBinding(userBinding(tenant, user, BuiltInRole.MEMBER.id())), "roleId");
  }

  @Test
  void duplicateGroupScopedBindingIsConflict() {
    Tenant tenant = savedTenant();
    User user = savedMember(tenant);
    Group group = savedGroup(tenant, "Engineering");
    store().syncBuiltInRoles(builtInRoles());
    Subject subject = Subject.user(user.id());
    savedBinding(binding(tenant, subject, BuiltInRole.MEMBER.id(), Scope.group(group.id())));

    assertConflict(() -> store().insertBinding(binding(tenant, subject, BuiltInRole.MEMBER.id(),
        Scope.group(group.id()))), "roleId");
  }

  @Test
  void sameRoleAtAnotherScopeIsAllowed() {
    Tenant tenant = savedTenant();
    User user = savedMember(tenant);
    Group first = savedGroup(tenant, "Engineering");
    Group second = savedGroup(tenant, "Research");
    store().syncBuiltInRoles(builtInRoles());
    Subject subject = Subject.user(user.id());
    RoleBinding atTenant = savedBinding(binding(tenant, subject, BuiltInRole.MEMBER.id(), Scope.tenant()));
    RoleBinding atFirst = savedBinding(binding(tenant, subject, BuiltInRole.MEMBER.id(), Scope.group(first.id())));
    RoleBinding atSecond = savedBinding(binding(tenant, subject, BuiltInRole.MEMBER.id(), Scope.group(second.id())));

    assertThat(store().listBindings(tenant.id(), subject, ALL)).containsExactly(atTenant, atFirst, atSecond);
  }

  @Test
  void bindingsOfTenantAreListedByCreationTime() {
    Tenant tenant = savedTenant();
    store().syncBuiltInRoles(builtInRoles());
    User user = savedMember(tenant);
    Group group = savedGroup(tenant, "Engineering");
    RoleBinding older = userBinding(tenant, user, BuiltInRole.MEMBER.id());
    RoleBinding newer = groupBinding(tenant, group, BuiltInRole.VIEWER.id());
    store().insertBinding(newer);
    store().insertBinding(older);

    assertThat(store().listBindings(tenant.id(), null, ALL)).containsExactly(older, newer);
  }

  @Test
  void bindingsOfOneSubjectAreListed() {
    Tenant tenant = savedTenant();
    store().syncBuiltInRoles(builtInRoles());
    User user = savedMember(tenant);
    User other = savedMember(tenant);
    Group group = savedGroup(tenant, "Engineering");
    RoleBinding first = savedBinding(userBinding(tenant, user, BuiltInRole.MEMBER.id()));
    savedBinding(userBinding(tenant, other, BuiltInRole.MEMBER.id()));
    RoleBinding ofGroup = savedBinding(groupBinding(tenant, group, BuiltInRole.VIEWER.id()));
    RoleBinding second = savedBinding(userBinding(tenant, user, BuiltInRole.BILLING_VIEWER.id()));

    assertThat(store().listBindings(tenant.id(), Subject.user(user.id()), ALL)).containsExactly(first, second);
    assertThat(store().listBindings(tenant.id(), Subject.group(group.id()), ALL)).containsExactly(ofGroup);
  }

  @Test
  void bindingPagingRespectsOffsetAndLimit() {
    Tenant tenant = savedTenant();
    store().syncBuiltInRoles(builtInRoles());
    List<RoleBinding> bindings = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      bindings.add(savedBinding(userBinding(tenant, savedMember(tenant), BuiltInRole.MEMBER.id())));
    }

    assertThat(store().listBindings(tenant.id(), null, new PageRequest(0, 2)))
        .containsExactlyElementsOf(bindings.subList(0, 2));
    assertThat(store().listBindings(tenant.id(), null, new PageRequest(2, 2)))
        .containsExactlyElementsOf(bindings.subList(2, 4));
    assertThat(store().listBindings(tenant.id(), null, new PageRequest(4, 2))).containsExactly(bindings.get(4));
    assertThat(store().listBindings(tenant.id(), null, new PageRequest(5, 2))).isEmpty();
  }

  @Test
  void deleteBindingRemovesIt() {
    Tenant tenant = savedTenant();
    store().syncBuiltInRoles(builtInRoles());
    User user = savedMember(tenant);
    RoleBinding deleted = savedBinding(userBinding(tenant, user, BuiltInRole.MEMBER.id()));
    RoleBinding kept = savedBinding(userBinding(tenant, user, BuiltInRole.VIEWER.id()));

    assertThat(store().deleteBinding(tenant.id(), deleted.id())).isTrue();
    assertThat(store().findBinding(tenant.id(), deleted.id())).isEmpty();
    assertThat(store().listBindings(tenant.id(), null, ALL)).containsExactly(kept);
    assertThat(store().deleteBinding(tenant.id(), deleted.id())).isFalse();
  }

  @Test
  void deleteOfUnknownBindingIsFalse() {
    Tenant tenant = savedTenant();

    assertThat(store().deleteBinding(tenant.id(), new BindingId(randomId("rbd_")))).isFalse();
  }

  @Test
  void deleteBindingsOfGroupRemovesThoseWithTheGroupAsSubjectOrScope() {
    Tenant tenant = savedTenant();
    store().syncBuiltInRoles(builtInRoles());
    User user = savedMember(tenant);
    Group deleted = savedGroup(tenant, "Engineering");
    Group kept = savedGroup(tenant, "Research");
    savedBinding(groupBinding(tenant, deleted, BuiltInRole.MEMBER.id()));
    savedBinding(binding(tenant, Subject.user(user.id()), BuiltInRole.VIEWER.id(), Scope.group(deleted.id())));
    savedBinding(binding(tenant, Subject.group(kept.id()), BuiltInRole.VIEWER.id(), Scope.group(deleted.id())));
    RoleBinding ofKept = savedBinding(groupBinding(tenant, kept, BuiltInRole.MEMBER.id()));
    RoleBinding ofUser = savedBinding(userBinding(tenant, user, BuiltInRole.MEMBER.id()));

    assertThat(store().deleteBindingsOfGroup(tenant.id(), deleted.id().value())).isEqualTo(3);
    assertThat(store().listBindings(tenant.id(), null, ALL)).containsExactly(ofKept, ofUser);
  }

  @Test
  void deleteBindingsOfUserRemovesOnlyThatUsersBindingsInTheTenant() {
    Tenant tenant = savedTenant();
    Tenant other = savedTenant();
    store().syncBuiltInRoles(builtInRoles());
    User user = savedMember(tenant);
    storage().tenancy().insertMembership(membership(other, user));
    User colleague = savedMember(tenant);
    Group group = savedGroup(tenant, "Engineering");
    savedBinding(userBinding(tenant, user, BuiltInRole.MEMBER.id()));
    savedBinding(binding(tenant, Subject.user(user.id()), BuiltInRole.VIEWER.id(), Scope.group(group.id())));
    RoleBinding ofColleague = savedBinding(userBinding(tenant, colleague, BuiltInRole.MEMBER.id()));
    RoleBinding ofGroup = savedBinding(groupBinding(tenant, group, BuiltInRole.MEMBER.id()));
    RoleBinding inOther = savedBinding(userBinding(other, user, BuiltInRole.MEMBER.id()));

    assertThat(store().deleteBindingsOfUser(tenant.id(), user.id())).isEqualTo(2);
    assertThat(store().listBindings(tenant.id(), null, ALL)).containsExactly(ofColleague, ofGroup);
    assertThat(store().listBindings(other.id(), null, ALL)).containsExactly(inOther);
  }

  // ---- grants

  @Test
  void userBindingAtTenantScopeGrantsRolePermissions() {
    Tenant tenant = savedTenant();
    User user = savedMember(tenant);
    Role role = savedRole(customRole(tenant, "reader", "jobs:read", "geo:*"));
    savedBinding(userBinding(tenant, user, role.id()));

    assertThat(store().grantsOf(tenant.id(), user.id()))
        .containsExactlyInAnyOrder(new Grant(Scope.tenant(), "jobs:read"), new Grant(Scope.tenant(), "geo:*"));
  }

  @Test
  void userBindingAtGroupScopeGrantsAtThatGroup() {
    Tenant tenant = savedTenant();
    User user = savedMember(tenant);
    Group group = savedGroup(tenant, "Engineering");
    Role role = savedRole(customRole(tenant, "operator", "jobs:manage"));
    savedBinding(binding(tenant, Subject.user(user.id()), role.id(), Scope.group(group.id())));

    assertThat(store().grantsOf(tenant.id(), user.id()))
        .containsExactly(new Grant(Scope.group(group.id()), "jobs:manage"));
  }

  @Test
  void builtInRoleBindingGrantsItsPermissions() {
    Tenant tenant = savedTenant();
    User user = savedMember(tenant);
    store().syncBuiltInRoles(builtInRoles());
    savedBinding(userBinding(tenant, user, BuiltInRole.BILLING_VIEWER.id()));

    assertThat(store().grantsOf(tenant.id(), user.id())).containsExactlyInAnyOrderElementsOf(
        BuiltInRole.BILLING_VIEWER.permissions().stream().map(p -> new Grant(Scope.tenant(), p)).toList());
  }

  @Test
  void groupBindingGrantsToDirectMembers() {
    Tenant tenant = savedTenant();
    User user = savedMember(tenant);
    Group group = savedGroup(tenant, "Engineering");
    storage().tenancy().insertGroupMember(tenant.id(), group.id(), user.id());
    Role role = savedRole(customRole(tenant, "reader", "jobs:read"));
    savedBinding(groupBinding(tenant, group, role.id()));

    assertThat(store().grantsOf(tenant.id(), user.id())).containsExactly(new Grant(Scope.tenant(), "jobs:read"));
  }

  @Test
  void groupBindingAtGroupScopeGrantsAtThatScope() {
    Tenant tenant = savedTenant();
    User user = savedMember(tenant);
    Group members = savedGroup(tenant, "Engineering");
    Group scope = savedGroup(tenant, "Research");
    storage().tenancy().insertGroupMember(tenant.id(), members.id(), user.id());
    Role role = savedRole(customRole(tenant, "reader", "jobs:read"));
    savedBinding(binding(tenant, Subject.group(members.id()), role.id(), Scope.group(scope.id())));

    assertThat(store().grantsOf(tenant.id(), user.id()))
        .containsExactly(new Grant(Scope.group(scope.id()), "jobs:read"));
  }

  @Test
  void groupBindingGrantsToMembersOfDescendantGroups() {
    Tenant tenant = savedTenant();
    User user = savedMember(tenant);
    Group root = savedGroup(tenant, "Company");
    Group child = savedGroup(tenant, "Engineering", root);
    Group grandchild = savedGroup(tenant, "Platform", child);
    storage().tenancy().insertGroupMember(tenant.id(), grandchild.id(), user.id());
    Role reader = savedRole(customRole(tenant, "reader", "jobs:read"));
    Role submitter = savedRole(customRole(tenant, "submitter", "jobs:submit"));
    savedBinding(groupBinding(tenant, root, reader.id()));
    savedBinding(groupBinding(tenant, child, submitter.id()));

    assertThat(store().grantsOf(tenant.id(), user.id()))
        .containsExactlyInAnyOrder(new Grant(Scope.tenant(), "jobs:read"), new Grant(Scope.tenant(), "jobs:submit"));
  }

  @Test
  void groupBindingDoesNotGrantToMembersOfAncestorGroups() {
    Tenant tenant = savedTenant();
    User user = savedMember(tenant);
    Group parent = savedGroup(tenant, "Engineering");
    Group child = savedGroup(tenant, "Platform", parent);
    storage().tenancy().insertGroupMember(tenant.id(), parent.id(), user.id());
    Role role = savedRole(customRole(tenant, "reader", "jobs:read"));
    savedBinding(groupBinding(tenant, child, role.id()));

    assertThat(store().grantsOf(tenant.id(), user.id())).isEmpty();
  }

  @Test
  void groupBindingDoesNotGrantToNonMembers() {
    Tenant tenant = savedTenant();
    User member = savedMember(tenant);
    User outsider = savedMember(tenant);
    Group group = savedGroup(tenant, "Engineering");
    storage().tenancy().insertGroupMember(tenant.id(), group.id(), member.id());
    Role role = savedRole(customRole(tenant, "reader", "jobs:read"));
    savedBinding(groupBinding(tenant, group, role.id()));

    assertThat(store().grantsOf(tenant.id(), outsider.id())).isEmpty();
  }

  @Test
  void groupGrantsEndWhenUserLeavesTheGroup() {
    Tenant tenant = savedTenant();
    User user = savedMember(tenant);
    Group group = savedGroup(tenant, "Engineering");
    storage().tenancy().insertGroupMember(tenant.id(), group.id(), user.id());
    Role role = savedRole(customRole(tenant, "reader", "jobs:read"));
    savedBinding(groupBinding(tenant, group, role.id()));

    storage().tenancy().deleteGroupMember(tenant.id(), group.id(), user.id());

    assertThat(store().grantsOf(tenant.id(), user.id())).isEmpty();
  }

  @Test
  void grantsFollowUpdatedRolePermissions() {
    Tenant tenant = savedTenant();
    User user = savedMember(tenant);
    Role role = savedRole(customRole(tenant, "reader", "jobs:read"));
    savedBinding(userBinding(tenant, user, role.id()));

    store().updateRole(new Role(role.id(), tenant.id(), role.name(), "", Set.of("geo:read"), false, role.createdAt()));

    assertThat(store().grantsOf(tenant.id(), user.id())).containsExactly(new Grant(Scope.tenant(), "geo:read"));
  }

  @Test
  void userWithoutBindingsHasNoGrants() {
    Tenant tenant = savedTenant();
    store().syncBuiltInRoles(builtInRoles());
    savedBinding(userBinding(tenant, savedMember(tenant), BuiltInRole.MEMBER.id()));

    assertThat(store().grantsOf(tenant.id(), savedMember(tenant).id())).isEmpty();
  }

  @Test
  void platformBindingIsExcludedFromTenantGrants() {
    Tenant tenant = savedTenant();
    User admin = savedMember(tenant);
    store().syncBuiltInRoles(builtInRoles());
    store().insertPlatformBinding(platformBinding(admin, BuiltInRole.PLATFORM_ADMIN.id()));

    assertThat(store().grantsOf(tenant.id(), admin.id())).isEmpty();
    assertThat(store().listBindings(tenant.id(), null, ALL)).isEmpty();
  }

  @Test
  void platformBindingIsAPlatformGrant() {
    User admin = savedUser();
    store().syncBuiltInRoles(builtInRoles());
    store().insertPlatformBinding(platformBinding(admin, BuiltInRole.PLATFORM_ADMIN.id()));

    assertThat(store().platformGrantsOf(admin.id())).containsExactly(new Grant(Scope.platform(), "*"));
    assertThat(store().platformGrantsOf(savedUser().id())).isEmpty();
  }

  @Test
  void tenantBindingIsNotAPlatformGrant() {
    Tenant tenant = savedTenant();
    User user = savedMember(tenant);
    store().syncBuiltInRoles(builtInRoles());
    savedBinding(userBinding(tenant, user, BuiltInRole.TENANT_OWNER.id()));

    assertThat(store().platformGrantsOf(user.id())).isEmpty();
  }

  @Test
  void duplicatePlatformBindingIsConflict() {
    User admin = savedUser();
    store().syncBuiltInRoles(builtInRoles());
    store().insertPlatformBinding(platformBinding(admin, BuiltInRole.PLATFORM_ADMIN.id()));

    assertConflict(() -> store().insertPlatformBinding(platformBinding(admin, BuiltInRole.PLATFORM_ADMIN.id())));
  }

  // ---- isolation between tenants

  @Test
  void customRoleOfAnotherTenantIsNotFound() {
    Tenant owner = savedTenant();
    Tenant other = savedTenant();
    Role role = savedRole(customRole(owner, "auditor", "ledger:read"));

    assertThat(store().findRole(other.id(), role.id())).isEmpty();
  }

  @Test
  void customRoleOfAnotherTenantIsNotListed() {
    Tenant owner = savedTenant();
    Tenant other = savedTenant();
    savedRole(customRole(owner, "auditor", "ledger:read"));

    assertThat(store().listRoles(other.id())).noneMatch(role -> owner.id().equals(role.tenantId()));
  }

  @Test
  void customRoleOfAnotherTenantCannotBeUpdated() {
    Tenant owner = savedTenant();
    Tenant other = savedTenant();
    Role role = savedRole(customRole(owner, "auditor", "ledger:read"));

    boolean updated = store().updateRole(new Role(role.id(), other.id(), role.name(), "Hijacked", Set.of("*"), false,
        role.createdAt()));

    assertThat(updated).isFalse();
    assertThat(store().findRole(owner.id(), role.id())).contains(role);
  }

  @Test
  void customRoleOfAnotherTenantCannotBeDeleted() {
    Tenant owner = savedTenant();
    Tenant other = savedTenant();
    Role role = savedRole(customRole(owner, "auditor", "ledger:read"));

    assertThat(store().deleteRole(other.id(), role.id())).isFalse();
    assertThat(store().findRole(owner.id(), role.id())).contains(role);
  }

  @Test
  void bindingOfAnotherTenantIsNotFound() {
    Tenant owner = savedTenant();
    Tenant other = savedTenant();
    store().syncBuiltInRoles(builtInRoles());
    RoleBinding binding = savedBinding(userBinding(owner, savedMember(owner), BuiltInRole.MEMBER.id()));

    assertThat(store().findBinding(other.id(), binding.id())).isEmpty();
  }

  @Test
  void bindingOfAnotherTenantCannotBeDeleted() {
    Tenant owner = savedTenant();
    Tenant other = savedTenant();
    store().syncBuiltInRoles(builtInRoles());
    RoleBinding binding = savedBinding(userBinding(owner, savedMember(owner), BuiltInRole.MEMBER.id()));

    assertThat(store().deleteBinding(other.id(), binding.id())).isFalse();
    assertThat(store().findBinding(owner.id(), binding.id())).contains(binding);
  }

  @Test
  void bindingsOfAnotherTenantAreNotListed() {
    Tenant owner = savedTenant();
    Tenant other = savedTenant();
    store().syncBuiltInRoles(builtInRoles());
    User user = savedMember(owner);
    storage().tenancy().insertMembership(membership(other, user));
    savedBinding(userBinding(owner, user, BuiltInRole.MEMBER.id()));
    RoleBinding own = savedBinding(userBinding(other, user, BuiltInRole.VIEWER.id()));

    assertThat(store().listBindings(other.id(), null, ALL)).containsExactly(own);
    assertThat(store().listBindings(other.id(), Subject.user(user.id()), ALL)).containsExactly(own);
  }

  @Test
  void bindingsOfAnotherTenantsGroupAreNotDeleted() {
    Tenant owner = savedTenant();
    Tenant other = savedTenant();
    store().syncBuiltInRoles(builtInRoles());
    Group group = savedGroup(owner, "Engineering");
    RoleBinding binding = savedBinding(groupBinding(owner, group, BuiltInRole.MEMBER.id()));

    assertThat(store().deleteBindingsOfGroup(other.id(), group.id().value())).isZero();
    assertThat(store().findBinding(owner.id(), binding.id())).contains(binding);
  }

  @Test
  void grantsOfAnotherTenantAreNotIncluded() {
    Tenant owner = savedTenant();
    Tenant other = savedTenant();
    User user = savedMember(owner);
    storage().tenancy().insertMembership(membership(other, user));
    Group group = savedGroup(owner, "Engineering");
    storage().tenancy().insertGroupMember(owner.id(), group.id(), user.id());
    Role role = savedRole(customRole(owner, "reader", "jobs:read"));
    savedBinding(userBinding(owner, user, role.id()));
    savedBinding(groupBinding(owner, group, role.id()));
    savedBinding(binding(owner, Subject.user(user.id()), role.id(), Scope.group(group.id())));

    assertThat(store().grantsOf(other.id(), user.id())).isEmpty();
    assertThat(store().grantsOf(owner.id(), user.id())).isNotEmpty();
  }

  // ---- helpers

  private PermissionStore store() {
    return storage().permissions();
  }

  private Tenant savedTenant() {
    Tenant tenant = tenant();
    storage().tenancy().insertTenant(tenant);
    return tenant;
  }

  private User savedUser() {
    User user = user();
    storage().tenancy().insertUser(user);
    return user;
  }

  private User savedMember(Tenant tenant) {
    User user = savedUser();
    storage().tenancy().insertMembership(membership(tenant, user));
    return user;
  }

  private Group savedGroup(Tenant tenant, String name) {
    Group group = group(tenant, name);
    storage().tenancy().insertGroup(group);
    return group;
  }

  private Group savedGroup(Tenant tenant, String name, Group parent) {
    Group group = group(tenant, name, parent);
    storage().tenancy().insertGroup(group);
    return group;
  }

  private Role savedRole(Role role) {
    store().insertRole(role);
    return role;
  }

  private RoleBinding savedBinding(RoleBinding binding) {
    store().insertBinding(binding);
    return binding;
  }
}
