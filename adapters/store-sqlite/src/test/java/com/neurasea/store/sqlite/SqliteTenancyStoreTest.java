package com.neurasea.store.sqlite;

import static com.neurasea.store.sqlite.Fixtures.NON_ASCII;
import static com.neurasea.store.sqlite.Fixtures.SQL_LOOKING;
import static com.neurasea.store.sqlite.Fixtures.assertConflict;
import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.model.AccountStatus;
import com.neurasea.model.Group;
import com.neurasea.model.GroupId;
import com.neurasea.model.LoginMethod;
import com.neurasea.model.Membership;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Tenant;
import com.neurasea.model.TenantId;
import com.neurasea.model.TenantStatus;
import com.neurasea.model.User;
import com.neurasea.model.UserId;
import com.neurasea.spi.Storage;
import com.neurasea.spi.TenancyStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteTenancyStoreTest {
  @TempDir Path dir;
  Storage storage;
  TenancyStore tenancy;

  @BeforeEach
  void open() {
    storage = Fixtures.open(dir);
    tenancy = storage.tenancy();
  }

  @AfterEach
  void close() {
    storage.close();
  }

  @Test
  void tenantRoundTripsAndUpdates() {
    Tenant tenant = Fixtures.tenant();
    tenancy.insertTenant(tenant);
    assertThat(tenancy.findTenant(tenant.id())).contains(tenant);

    Instant later = Fixtures.now();
    Tenant changed = new Tenant(tenant.id(), "ignored-slug", NON_ASCII, TenantStatus.SUSPENDED, "Asia/Shanghai",
        Instant.EPOCH, later);
    assertThat(tenancy.updateTenant(changed)).isTrue();
    assertThat(tenancy.findTenant(tenant.id())).contains(
        new Tenant(tenant.id(), tenant.slug(), NON_ASCII, TenantStatus.SUSPENDED, "Asia/Shanghai",
            tenant.createdAt(), later));

    assertThat(tenancy.updateTenant(Fixtures.tenant())).isFalse();
    assertThat(tenancy.findTenant(TenantId.of("tnt_absent"))).isEmpty();
  }

  @Test
  void duplicateTenantSlugOrIdIsConflict() {
    Tenant tenant = Fixtures.tenant();
    tenancy.insertTenant(tenant);
    Tenant sameSlug = Fixtures.tenant();
    assertConflict(() -> tenancy.insertTenant(new Tenant(sameSlug.id(), tenant.slug(), "x", TenantStatus.ACTIVE,
        "UTC", sameSlug.createdAt(), sameSlug.updatedAt())), "slug");
    Tenant sameId = Fixtures.tenant();
    assertConflict(() -> tenancy.insertTenant(new Tenant(tenant.id(), sameId.slug(), "x", TenantStatus.ACTIVE,
        "UTC", sameId.createdAt(), sameId.updatedAt())), "id");
  }

  @Test
  void tenantsAreListedByCreationTimeThenIdAndPaged() {
    Instant same = Fixtures.now();
    Tenant b = withTimes(Fixtures.tenant(), same, "tnt_b");
    Tenant a = withTimes(Fixtures.tenant(), same, "tnt_a");
    Tenant first = withTimes(Fixtures.tenant(), same.minusSeconds(1), "tnt_z");
    List.of(b, a, first).forEach(tenancy::insertTenant);

    assertThat(tenancy.listTenants(PageRequest.firstPage())).containsExactly(first, a, b);
    assertThat(tenancy.listTenants(new PageRequest(1, 1))).containsExactly(a);
    assertThat(tenancy.listTenants(new PageRequest(3, 10))).isEmpty();
  }

  private static Tenant withTimes(Tenant t, Instant at, String id) {
    return new Tenant(TenantId.of(id), t.slug(), t.name(), t.status(), t.timeZone(), at, at);
  }

  @Test
  void userRoundTripsWithEveryField() {
    Instant at = Fixtures.now();
    User full = new User(UserId.of("usr_full"), NON_ASCII, SQL_LOOKING, "a@example.com", "+8613800138000",
        LoginMethod.OIDC, at, at.plusMillis(1), AccountStatus.PENDING, at, at.plusMillis(2));
    User bare = Fixtures.user();
    tenancy.insertUser(full);
    tenancy.insertUser(bare);

    assertThat(tenancy.findUser(full.id())).contains(full);
    assertThat(tenancy.findUser(bare.id())).contains(bare);
    assertThat(tenancy.findUserByUsername(NON_ASCII)).contains(full);
    assertThat(tenancy.findUser(UserId.of("usr_absent"))).isEmpty();
  }

  @Test
  void usernameIsUniqueAndFoundIgnoringCase() {
    User alice = Fixtures.user("Alice.Smith");
    tenancy.insertUser(alice);
    assertThat(tenancy.findUserByUsername("alice.smith")).contains(alice);
    assertThat(tenancy.findUserByUsername("ALICE.SMITH")).contains(alice);
    assertThat(tenancy.findUserByUsername("alice")).isEmpty();

    assertConflict(() -> tenancy.insertUser(Fixtures.user("ALICE.smith")), "username");
    User sameId = Fixtures.user();
    assertConflict(() -> tenancy.insertUser(new User(alice.id(), "other", null, null, null, LoginMethod.PASSWORD,
        null, null, AccountStatus.ACTIVE, sameId.createdAt(), sameId.updatedAt())), "id");
  }

  @Test
  void updateUserKeepsIdUsernameAndCreatedAt() {
    User user = Fixtures.user("bob");
    tenancy.insertUser(user);
    Instant later = Fixtures.now();
    User changed = new User(user.id(), "renamed", "Bob", "bob@example.com", "+15550100", LoginMethod.LDAP, later,
        null, AccountStatus.LOCKED, Instant.EPOCH, later);
    assertThat(tenancy.updateUser(changed)).isTrue();
    assertThat(tenancy.findUser(user.id())).contains(new User(user.id(), "bob", "Bob", "bob@example.com",
        "+15550100", LoginMethod.LDAP, later, null, AccountStatus.LOCKED, user.createdAt(), later));
    assertThat(tenancy.updateUser(Fixtures.user())).isFalse();
  }

  @Test
  void membershipsRoundTripAndRejectDuplicates() {
    Tenant t1 = insertTenant();
    Tenant t2 = insertTenant();
    User u1 = insertUser();
    User u2 = insertUser();
    Membership m1 = Fixtures.membership(t1, u1);
    Membership m2 = Fixtures.membership(t1, u2);
    Membership m3 = Fixtures.membership(t2, u1);
    List.of(m1, m2, m3).forEach(tenancy::insertMembership);

    assertThat(tenancy.findMembership(t1.id(), u1.id())).contains(m1);
    assertThat(tenancy.findMembership(t2.id(), u2.id())).isEmpty();
    assertThat(tenancy.listMembers(t1.id(), PageRequest.firstPage())).containsExactly(u1, u2);
    assertThat(tenancy.listMembers(t1.id(), new PageRequest(1, 5))).containsExactly(u2);
    assertThat(tenancy.listMemberships(u1.id())).containsExactly(m1, m3);
    assertConflict(() -> tenancy.insertMembership(Fixtures.membership(t1, u1)), "userId");
  }

  @Test
  void deletingMembershipRemovesGroupMembershipsOfThatTenantOnly() {
    Tenant t1 = insertTenant();
    Tenant t2 = insertTenant();
    User user = insertUser();
    tenancy.insertMembership(Fixtures.membership(t1, user));
    tenancy.insertMembership(Fixtures.membership(t2, user));
    Group g1 = insertGroup(t1, "team", null);
    Group g2 = insertGroup(t2, "team", null);
    tenancy.insertGroupMember(t1.id(), g1.id(), user.id());
    tenancy.insertGroupMember(t2.id(), g2.id(), user.id());

    assertThat(tenancy.deleteMembership(t1.id(), user.id())).isTrue();
    assertThat(tenancy.findMembership(t1.id(), user.id())).isEmpty();
    assertThat(tenancy.groupsOfUser(t1.id(), user.id())).isEmpty();
    assertThat(tenancy.listGroupMembers(t1.id(), g1.id(), PageRequest.firstPage())).isEmpty();
    assertThat(tenancy.groupsOfUser(t2.id(), user.id())).containsExactly(g2.id());
    assertThat(tenancy.deleteMembership(t1.id(), user.id())).isFalse();
  }

  @Test
  void groupsRoundTripAndStayInTheirTenant() {
    Tenant t1 = insertTenant();
    Tenant t2 = insertTenant();
    Group root = insertGroup(t1, SQL_LOOKING, null);
    Group child = insertGroup(t1, NON_ASCII, root);

    assertThat(tenancy.findGroup(t1.id(), root.id())).contains(root);
    assertThat(tenancy.findGroup(t1.id(), child.id())).contains(child);
    assertThat(tenancy.findGroup(t2.id(), root.id())).isEmpty();
    assertThat(tenancy.listGroups(t1.id(), PageRequest.firstPage())).containsExactly(root, child);
    assertThat(tenancy.listGroups(t2.id(), PageRequest.firstPage())).isEmpty();
    assertThat(tenancy.childGroups(t1.id(), root.id())).containsExactly(child);
    assertThat(tenancy.childGroups(t2.id(), root.id())).isEmpty();
  }

  @Test
  void groupNamesAreUniqueAmongSiblingsOnly() {
    Tenant t1 = insertTenant();
    Tenant t2 = insertTenant();
    Group top = insertGroup(t1, "eng", null);
    assertConflict(() -> tenancy.insertGroup(Fixtures.group(t1, "eng", null)), "name");

    insertGroup(t2, "eng", null);
    Group nested = insertGroup(t1, "eng", top);
    assertConflict(() -> tenancy.insertGroup(Fixtures.group(t1, "eng", top)), "name");
    insertGroup(t1, "ENG", null);
    assertConflict(() -> tenancy.insertGroup(new Group(top.id(), t1.id(), "other", null, Fixtures.now())), "id");

    Group sibling = insertGroup(t1, "ops", null);
    assertConflict(() -> tenancy.updateGroup(new Group(sibling.id(), t1.id(), "eng", null, sibling.createdAt())),
        "name");
    // Moving it under "eng" makes the name free there.
    Group moved = new Group(sibling.id(), t1.id(), "ops", top.id(), sibling.createdAt());
    assertThat(tenancy.updateGroup(moved)).isTrue();
    assertThat(tenancy.findGroup(t1.id(), sibling.id())).contains(moved);
    assertThat(tenancy.childGroups(t1.id(), top.id())).containsExactly(nested, moved);
    assertThat(tenancy.updateGroup(Fixtures.group(t1, "ghost", null))).isFalse();
    assertThat(tenancy.updateGroup(new Group(sibling.id(), t2.id(), "x", null, sibling.createdAt()))).isFalse();
  }

  @Test
  void groupAndAncestorsAreNearestFirst() {
    Tenant tenant = insertTenant();
    Tenant other = insertTenant();
    Group a = insertGroup(tenant, "a", null);
    Group b = insertGroup(tenant, "b", a);
    Group c = insertGroup(tenant, "c", b);
    Group d = insertGroup(tenant, "d", c);

    assertThat(tenancy.groupAndAncestors(tenant.id(), d.id())).containsExactly(d.id(), c.id(), b.id(), a.id());
    assertThat(tenancy.groupAndAncestors(tenant.id(), a.id())).containsExactly(a.id());
    assertThat(tenancy.groupAndAncestors(tenant.id(), GroupId.of("grp_absent"))).isEmpty();
    assertThat(tenancy.groupAndAncestors(other.id(), d.id())).isEmpty();
  }

  @Test
  void groupMembersAreAddedListedAndRemoved() {
    Tenant tenant = insertTenant();
    Group group = insertGroup(tenant, "team", null);
    Group other = insertGroup(tenant, "other", null);
    User u1 = insertUser();
    User u2 = insertUser();
    tenancy.insertGroupMember(tenant.id(), group.id(), u2.id());
    tenancy.insertGroupMember(tenant.id(), group.id(), u1.id());
    tenancy.insertGroupMember(tenant.id(), other.id(), u1.id());

    assertThat(tenancy.listGroupMembers(tenant.id(), group.id(), PageRequest.firstPage()))
        .containsExactly(u1.id(), u2.id());
    assertThat(tenancy.listGroupMembers(tenant.id(), group.id(), new PageRequest(1, 1))).containsExactly(u2.id());
    assertThat(tenancy.groupsOfUser(tenant.id(), u1.id())).containsExactly(group.id(), other.id());
    assertConflict(() -> tenancy.insertGroupMember(tenant.id(), group.id(), u1.id()), "userId");

    assertThat(tenancy.deleteGroupMember(tenant.id(), group.id(), u1.id())).isTrue();
    assertThat(tenancy.deleteGroupMember(tenant.id(), group.id(), u1.id())).isFalse();
    assertThat(tenancy.groupsOfUser(tenant.id(), u1.id())).containsExactly(other.id());
  }

  @Test
  void deletingGroupRemovesItsMemberships() {
    Tenant tenant = insertTenant();
    Tenant other = insertTenant();
    Group group = insertGroup(tenant, "team", null);
    User user = insertUser();
    tenancy.insertGroupMember(tenant.id(), group.id(), user.id());

    assertThat(tenancy.deleteGroup(other.id(), group.id())).isFalse();
    assertThat(tenancy.deleteGroup(tenant.id(), group.id())).isTrue();
    assertThat(tenancy.findGroup(tenant.id(), group.id())).isEmpty();
    assertThat(tenancy.groupsOfUser(tenant.id(), user.id())).isEmpty();
    assertThat(tenancy.deleteGroup(tenant.id(), group.id())).isFalse();
    // The name is free again.
    insertGroup(tenant, "team", null);
  }

  private Tenant insertTenant() {
    Tenant tenant = Fixtures.tenant();
    tenancy.insertTenant(tenant);
    return tenant;
  }

  private User insertUser() {
    User user = Fixtures.user();
    tenancy.insertUser(user);
    return user;
  }

  private Group insertGroup(Tenant tenant, String name, Group parent) {
    Group group = Fixtures.group(tenant, name, parent);
    tenancy.insertGroup(group);
    return group;
  }
}
