package com.neurasea.tck;

import static com.neurasea.tck.TckAssertions.assertConflict;
import static com.neurasea.tck.TckAssertions.assertInvalid;
import static com.neurasea.tck.TckFixtures.group;
import static com.neurasea.tck.TckFixtures.membership;
import static com.neurasea.tck.TckFixtures.nextInstant;
import static com.neurasea.tck.TckFixtures.randomId;
import static com.neurasea.tck.TckFixtures.tenant;
import static com.neurasea.tck.TckFixtures.user;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link TenancyStore}: tenants, users, memberships, groups and group members,
 * listing order and paging, verbatim text, and isolation between tenants.
 *
 * <p>A storage adapter passes it by extending this class in its own tests and implementing
 * {@link #newStorage()}:
 *
 * <pre>{@code
 * class MyTenancyStoreTckTest extends TenancyStoreContract {
 *   @TempDir Path dir;
 *
 *   @Override
 *   protected Storage newStorage() {
 *     return MyStorage.open(dir.resolve("tck.db"));
 *   }
 * }
 * }</pre>
 *
 * <p>Each test opens one storage before it runs and closes it afterwards.
 */
public abstract class TenancyStoreContract extends StorageUnderTest {
  private static final PageRequest ALL = PageRequest.firstPage();

  // ---- tenants

  @Test
  void insertedTenantIsFound() {
    Tenant tenant = tenant();
    store().insertTenant(tenant);

    assertThat(store().findTenant(tenant.id())).contains(tenant);
  }

  @Test
  void unknownTenantIsNotFound() {
    assertThat(store().findTenant(new TenantId(randomId("tnt_")))).isEmpty();
  }

  @Test
  void duplicateSlugIsConflict() {
    Tenant first = savedTenant();

    assertConflict(() -> store().insertTenant(tenant(first.slug())), "slug");
  }

  @Test
  void tenantsAreListedByCreationTime() {
    Tenant older = tenant();
    Tenant newer = tenant();
    store().insertTenant(newer);
    store().insertTenant(older);

    assertThat(store().listTenants(ALL)).containsExactly(older, newer);
  }

  @Test
  void tenantsCreatedAtTheSameInstantAreListedById() {
    Instant at = nextInstant();
    Tenant second = new Tenant(new TenantId(randomId("tnt_b")), "second", "Second", TenantStatus.ACTIVE, "UTC", at, at);
    Tenant first = new Tenant(new TenantId(randomId("tnt_a")), "first", "First", TenantStatus.ACTIVE, "UTC", at, at);
    store().insertTenant(second);
    store().insertTenant(first);

    assertThat(store().listTenants(ALL)).containsExactly(first, second);
  }

  @Test
  void tenantPagingRespectsOffsetAndLimit() {
    List<Tenant> tenants = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      tenants.add(savedTenant());
    }

    assertThat(store().listTenants(new PageRequest(0, 2))).containsExactlyElementsOf(tenants.subList(0, 2));
    assertThat(store().listTenants(new PageRequest(1, 3))).containsExactlyElementsOf(tenants.subList(1, 4));
    assertThat(store().listTenants(new PageRequest(4, 10))).containsExactly(tenants.get(4));
    assertThat(store().listTenants(new PageRequest(5, 10))).isEmpty();
  }

  @Test
  void updateTenantReplacesMutableFields() {
    Tenant tenant = savedTenant();
    Tenant changed = new Tenant(tenant.id(), tenant.slug(), "Renamed", TenantStatus.SUSPENDED, "Asia/Shanghai",
        tenant.createdAt(), nextInstant());

    assertThat(store().updateTenant(changed)).isTrue();
    assertThat(store().findTenant(tenant.id())).contains(changed);
  }

  @Test
  void updateTenantKeepsSlugAndCreatedAt() {
    Tenant tenant = savedTenant();
    Tenant changed = new Tenant(tenant.id(), "other-slug", "Renamed", TenantStatus.ACTIVE, "UTC", nextInstant(),
        nextInstant());

    store().updateTenant(changed);

    Tenant found = store().findTenant(tenant.id()).orElseThrow();
    assertThat(found.name()).isEqualTo("Renamed");
    assertThat(found.slug()).isEqualTo(tenant.slug());
    assertThat(found.createdAt()).isEqualTo(tenant.createdAt());
  }

  @Test
  void updateOfUnknownTenantIsFalse() {
    assertThat(store().updateTenant(tenant())).isFalse();
  }

  // ---- users

  @Test
  void insertedUserIsFoundById() {
    User user = user();
    store().insertUser(user);

    assertThat(store().findUser(user.id())).contains(user);
  }

  @Test
  void unknownUserIsNotFound() {
    assertThat(store().findUser(new UserId(randomId("usr_")))).isEmpty();
  }

  @Test
  void userIsFoundByUsernameIgnoringCase() {
    User user = user("Mixed.Case_User");
    store().insertUser(user);

    assertThat(store().findUserByUsername("Mixed.Case_User")).contains(user);
    assertThat(store().findUserByUsername("mixed.case_user")).contains(user);
    assertThat(store().findUserByUsername("MIXED.CASE_USER")).contains(user);
  }

  @Test
  void unknownUsernameIsNotFound() {
    savedUser();

    assertThat(store().findUserByUsername("nobody")).isEmpty();
  }

  @Test
  void usernameLookupIsNotAPattern() {
    store().insertUser(user("alice"));

    assertThat(store().findUserByUsername("al%")).isEmpty();
    assertThat(store().findUserByUsername("al_ce")).isEmpty();
    assertThat(store().findUserByUsername("alic")).isEmpty();
    assertThat(store().findUserByUsername("x' OR '1'='1")).isEmpty();
  }

  @Test
  void duplicateUsernameIgnoringCaseIsConflict() {
    store().insertUser(user("grace.hopper"));

    assertConflict(() -> store().insertUser(user("Grace.Hopper")), "username");
  }

  @Test
  void duplicateUsernameIsConflict() {
    store().insertUser(user("ada"));

    assertConflict(() -> store().insertUser(user("ada")), "username");
  }

  private User insertAndReturn(User user) {
    store().insertUser(user);
    return user;
  }

  @Test
  void renameUserReplacesTheUsernameAndFreesTheOldOne() {
    User user = insertAndReturn(user("old.name"));
    java.time.Instant at = nextInstant();

    assertThat(store().renameUser(user.id(), "erased-0123", at)).isTrue();

    User renamed = store().findUser(user.id()).orElseThrow();
    assertThat(renamed.username()).isEqualTo("erased-0123");
    assertThat(renamed.updatedAt()).isEqualTo(at);
    assertThat(store().findUserByUsername("OLD.NAME")).isEmpty();
    assertThat(store().findUserByUsername("Erased-0123")).contains(renamed);
    store().insertUser(user("old.name"));
    assertConflict(() -> store().renameUser(user.id(), "Old.Name", nextInstant()), "username");
    assertThat(store().renameUser(new UserId(randomId("usr_")), "nobody-here", nextInstant())).isFalse();
    assertInvalid(() -> store().renameUser(user.id(), " ", nextInstant()), "username");
  }

  @Test
  void updateUserReplacesMutableFields() {
    User user = savedUser();
    User changed = new User(user.id(), user.username(), "New Name", "new@example.com", "+8613800138000",
        LoginMethod.OIDC, nextInstant(), nextInstant(), AccountStatus.LOCKED, user.createdAt(), nextInstant());

    assertThat(store().updateUser(changed)).isTrue();
    assertThat(store().findUser(user.id())).contains(changed);
  }

  @Test
  void updateUserCanClearOptionalFields() {
    User user = new User(new UserId(randomId("usr_")), TckFixtures.username(), "Name", "a@example.com",
        "+8613800138000", LoginMethod.PASSWORD, nextInstant(), nextInstant(), AccountStatus.ACTIVE, nextInstant(),
        nextInstant());
    store().insertUser(user);
    User cleared = new User(user.id(), user.username(), null, null, null, LoginMethod.PASSWORD, null, null,
        AccountStatus.ACTIVE, user.createdAt(), nextInstant());

    store().updateUser(cleared);

    assertThat(store().findUser(user.id())).contains(cleared);
  }

  @Test
  void updateUserKeepsIdUsernameAndCreatedAt() {
    User user = savedUser();
    User changed = new User(user.id(), "renamed-login", "New Name", user.email(), null, user.loginMethod(), null,
        null, user.status(), nextInstant(), nextInstant());

    store().updateUser(changed);

    User found = store().findUser(user.id()).orElseThrow();
    assertThat(found.displayName()).isEqualTo("New Name");
    assertThat(found.username()).isEqualTo(user.username());
    assertThat(found.createdAt()).isEqualTo(user.createdAt());
    assertThat(store().findUserByUsername("renamed-login")).isEmpty();
  }

  @Test
  void updateOfUnknownUserIsFalse() {
    assertThat(store().updateUser(user())).isFalse();
  }

  @Test
  void absentOptionalUserFieldsRoundTripAsNull() {
    Instant at = nextInstant();
    User user = new User(new UserId(randomId("usr_")), TckFixtures.username(), null, null, null,
        LoginMethod.TOKEN_ONLY, null, null, AccountStatus.PENDING, at, at);
    store().insertUser(user);

    assertThat(store().findUser(user.id())).contains(user);
  }

  @Test
  void sqlLookingTextIsStoredVerbatim() {
    User user = userWithProfile("Robert'); DROP TABLE users;--", "o'brien+\"quoted\"@example.com");
    store().insertUser(user);
    User other = savedUser();

    assertThat(store().findUser(user.id())).contains(user);
    assertThat(store().findUser(other.id())).contains(other);
  }

  @Test
  void nonAsciiTextIsStoredVerbatim() {
    User user = userWithProfile("张伟", "zhang.wei@例子.中国");
    store().insertUser(user);

    assertThat(store().findUser(user.id())).contains(user);
  }

  @Test
  void emojiIsStoredVerbatim() {
    User user = userWithProfile("Ada 👩\u200d💻 🚀", "ada@example.com");
    store().insertUser(user);

    assertThat(store().findUser(user.id())).contains(user);
  }

  @Test
  void surroundingWhitespaceIsStoredVerbatim() {
    User user = userWithProfile("  Ada  Lovelace\t", "ada@example.com");
    store().insertUser(user);

    assertThat(store().findUser(user.id())).contains(user);
  }

  @Test
  void longestEmailIsStoredVerbatim() {
    String email = "a".repeat(64) + "@" + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(61);
    assertThat(email).hasSize(254);
    User user = userWithProfile("Long Mail", email);
    store().insertUser(user);

    assertThat(store().findUser(user.id()).orElseThrow().email()).isEqualTo(email);
  }

  // ---- memberships

  @Test
  void insertedMembershipIsFound() {
    Tenant tenant = savedTenant();
    User user = savedUser();
    Membership membership = membership(tenant, user);
    store().insertMembership(membership);

    assertThat(store().findMembership(tenant.id(), user.id())).contains(membership);
  }

  @Test
  void unknownMembershipIsNotFound() {
    Tenant tenant = savedTenant();
    User user = savedUser();

    assertThat(store().findMembership(tenant.id(), user.id())).isEmpty();
  }

  @Test
  void duplicateMembershipIsConflict() {
    Tenant tenant = savedTenant();
    User user = savedMember(tenant);

    assertConflict(() -> store().insertMembership(membership(tenant, user)), "userId");
  }

  @Test
  void membersOfTenantAreListedInJoiningOrder() {
    Tenant tenant = savedTenant();
    User first = savedMember(tenant);
    User second = savedMember(tenant);
    User third = savedMember(tenant);
    savedMember(savedTenant());
    savedUser();

    assertThat(store().listMembers(tenant.id(), ALL)).containsExactly(first, second, third);
  }

  @Test
  void memberPagingRespectsOffsetAndLimit() {
    Tenant tenant = savedTenant();
    List<User> members = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      members.add(savedMember(tenant));
    }

    assertThat(store().listMembers(tenant.id(), new PageRequest(0, 2)))
        .containsExactlyElementsOf(members.subList(0, 2));
    assertThat(store().listMembers(tenant.id(), new PageRequest(2, 2)))
        .containsExactlyElementsOf(members.subList(2, 4));
    assertThat(store().listMembers(tenant.id(), new PageRequest(4, 2))).containsExactly(members.get(4));
    assertThat(store().listMembers(tenant.id(), new PageRequest(6, 2))).isEmpty();
  }

  @Test
  void membershipsOfUserAreListed() {
    Tenant first = savedTenant();
    Tenant second = savedTenant();
    savedTenant();
    User user = savedUser();
    Membership inFirst = membership(first, user);
    Membership inSecond = membership(second, user);
    store().insertMembership(inFirst);
    store().insertMembership(inSecond);
    savedMember(first);

    assertThat(store().listMemberships(user.id())).containsExactly(inFirst, inSecond);
  }

  @Test
  void userWithoutTenantsHasNoMemberships() {
    savedMember(savedTenant());

    assertThat(store().listMemberships(savedUser().id())).isEmpty();
  }

  @Test
  void deleteMembershipRemovesIt() {
    Tenant tenant = savedTenant();
    User leaving = savedMember(tenant);
    User staying = savedMember(tenant);

    assertThat(store().deleteMembership(tenant.id(), leaving.id())).isTrue();
    assertThat(store().findMembership(tenant.id(), leaving.id())).isEmpty();
    assertThat(store().listMembers(tenant.id(), ALL)).containsExactly(staying);
    assertThat(store().findUser(leaving.id())).isPresent();
  }

  @Test
  void deleteOfUnknownMembershipIsFalse() {
    Tenant tenant = savedTenant();
    User user = savedUser();

    assertThat(store().deleteMembership(tenant.id(), user.id())).isFalse();
  }

  @Test
  void deleteMembershipRemovesGroupMembershipsOfThatTenantOnly() {
    Tenant left = savedTenant();
    Tenant kept = savedTenant();
    User user = savedMember(left);
    store().insertMembership(membership(kept, user));
    Group leftGroup = savedGroup(left, "team");
    Group keptGroup = savedGroup(kept, "team");
    store().insertGroupMember(left.id(), leftGroup.id(), user.id());
    store().insertGroupMember(kept.id(), keptGroup.id(), user.id());

    store().deleteMembership(left.id(), user.id());

    assertThat(store().groupsOfUser(left.id(), user.id())).isEmpty();
    assertThat(store().listGroupMembers(left.id(), leftGroup.id(), ALL)).isEmpty();
    assertThat(store().groupsOfUser(kept.id(), user.id())).containsExactly(keptGroup.id());
    assertThat(store().findMembership(kept.id(), user.id())).isPresent();
  }

  // ---- groups

  @Test
  void insertedGroupIsFound() {
    Tenant tenant = savedTenant();
    Group group = group(tenant, "Engineering");
    store().insertGroup(group);

    assertThat(store().findGroup(tenant.id(), group.id())).contains(group);
  }

  @Test
  void childGroupIsFoundWithItsParent() {
    Tenant tenant = savedTenant();
    Group parent = savedGroup(tenant, "Engineering");
    Group child = group(tenant, "Platform", parent);
    store().insertGroup(child);

    assertThat(store().findGroup(tenant.id(), child.id())).contains(child);
  }

  @Test
  void unknownGroupIsNotFound() {
    Tenant tenant = savedTenant();

    assertThat(store().findGroup(tenant.id(), new GroupId(randomId("grp_")))).isEmpty();
  }

  @Test
  void duplicateTopLevelGroupNameIsConflict() {
    Tenant tenant = savedTenant();
    savedGroup(tenant, "Engineering");

    assertConflict(() -> store().insertGroup(group(tenant, "Engineering")), "name");
  }

  @Test
  void duplicateSiblingGroupNameIsConflict() {
    Tenant tenant = savedTenant();
    Group parent = savedGroup(tenant, "Engineering");
    savedGroup(tenant, "Platform", parent);

    assertConflict(() -> store().insertGroup(group(tenant, "Platform", parent)), "name");
  }

  @Test
  void sameGroupNameUnderDifferentParentsIsAllowed() {
    Tenant tenant = savedTenant();
    Group engineering = savedGroup(tenant, "Engineering");
    Group research = savedGroup(tenant, "Research");
    Group underEngineering = savedGroup(tenant, "Platform", engineering);
    Group underResearch = savedGroup(tenant, "Platform", research);
    Group topLevel = savedGroup(tenant, "Platform");

    assertThat(store().listGroups(tenant.id(), ALL))
        .containsExactly(engineering, research, underEngineering, underResearch, topLevel);
  }

  @Test
  void sameGroupNameInTwoTenantsIsAllowed() {
    Tenant first = savedTenant();
    Tenant second = savedTenant();
    Group inFirst = savedGroup(first, "Engineering");
    Group inSecond = savedGroup(second, "Engineering");

    assertThat(store().findGroup(first.id(), inFirst.id())).contains(inFirst);
    assertThat(store().findGroup(second.id(), inSecond.id())).contains(inSecond);
  }

  @Test
  void updateGroupRenamesIt() {
    Tenant tenant = savedTenant();
    Group group = savedGroup(tenant, "Engineering");
    Group renamed = new Group(group.id(), tenant.id(), "R&D", null, group.createdAt());

    assertThat(store().updateGroup(renamed)).isTrue();
    assertThat(store().findGroup(tenant.id(), group.id())).contains(renamed);
  }

  @Test
  void updateGroupKeepsCreatedAt() {
    Tenant tenant = savedTenant();
    Group group = savedGroup(tenant, "Engineering");

    store().updateGroup(new Group(group.id(), tenant.id(), "R&D", null, nextInstant()));

    assertThat(store().findGroup(tenant.id(), group.id()).orElseThrow().createdAt()).isEqualTo(group.createdAt());
  }

  @Test
  void updateGroupMovesItToAnotherParent() {
    Tenant tenant = savedTenant();
    Group from = savedGroup(tenant, "Engineering");
    Group to = savedGroup(tenant, "Research");
    Group moving = savedGroup(tenant, "Platform", from);
    Group moved = new Group(moving.id(), tenant.id(), "Platform", to.id(), moving.createdAt());

    assertThat(store().updateGroup(moved)).isTrue();
    assertThat(store().findGroup(tenant.id(), moving.id())).contains(moved);
    assertThat(store().childGroups(tenant.id(), from.id())).isEmpty();
    assertThat(store().childGroups(tenant.id(), to.id())).containsExactly(moved);
    assertThat(store().groupAndAncestors(tenant.id(), moving.id())).containsExactly(moving.id(), to.id());
  }

  @Test
  void updateGroupCanMakeItTopLevel() {
    Tenant tenant = savedTenant();
    Group parent = savedGroup(tenant, "Engineering");
    Group child = savedGroup(tenant, "Platform", parent);
    Group topLevel = new Group(child.id(), tenant.id(), "Platform", null, child.createdAt());

    assertThat(store().updateGroup(topLevel)).isTrue();
    assertThat(store().findGroup(tenant.id(), child.id())).contains(topLevel);
    assertThat(store().groupAndAncestors(tenant.id(), child.id())).containsExactly(child.id());
  }

  @Test
  void renamingGroupToSiblingNameIsConflict() {
    Tenant tenant = savedTenant();
    savedGroup(tenant, "Engineering");
    Group other = savedGroup(tenant, "Research");

    assertConflict(() -> store().updateGroup(new Group(other.id(), tenant.id(), "Engineering", null,
        other.createdAt())));
    assertThat(store().findGroup(tenant.id(), other.id())).contains(other);
  }

  @Test
  void movingGroupNextToSiblingWithSameNameIsConflict() {
    Tenant tenant = savedTenant();
    Group engineering = savedGroup(tenant, "Engineering");
    Group research = savedGroup(tenant, "Research");
    savedGroup(tenant, "Platform", engineering);
    Group moving = savedGroup(tenant, "Platform", research);

    assertConflict(() -> store().updateGroup(new Group(moving.id(), tenant.id(), "Platform", engineering.id(),
        moving.createdAt())));
    assertThat(store().findGroup(tenant.id(), moving.id())).contains(moving);
  }

  @Test
  void updateOfUnknownGroupIsFalse() {
    Tenant tenant = savedTenant();

    assertThat(store().updateGroup(group(tenant, "Ghost"))).isFalse();
  }

  @Test
  void deleteGroupRemovesItAndItsMemberships() {
    Tenant tenant = savedTenant();
    User user = savedMember(tenant);
    Group deleted = savedGroup(tenant, "Engineering");
    Group kept = savedGroup(tenant, "Research");
    store().insertGroupMember(tenant.id(), deleted.id(), user.id());
    store().insertGroupMember(tenant.id(), kept.id(), user.id());

    assertThat(store().deleteGroup(tenant.id(), deleted.id())).isTrue();
    assertThat(store().findGroup(tenant.id(), deleted.id())).isEmpty();
    assertThat(store().groupsOfUser(tenant.id(), user.id())).containsExactly(kept.id());
    assertThat(store().listGroups(tenant.id(), ALL)).containsExactly(kept);
  }

  @Test
  void deleteOfUnknownGroupIsFalse() {
    Tenant tenant = savedTenant();

    assertThat(store().deleteGroup(tenant.id(), new GroupId(randomId("grp_")))).isFalse();
  }

  @Test
  void groupsAreListedByCreationTime() {
    Tenant tenant = savedTenant();
    Group older = group(tenant, "Older");
    Group newer = group(tenant, "Newer");
    store().insertGroup(newer);
    store().insertGroup(older);

    assertThat(store().listGroups(tenant.id(), ALL)).containsExactly(older, newer);
  }

  @Test
  void groupPagingRespectsOffsetAndLimit() {
    Tenant tenant = savedTenant();
    List<Group> groups = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      groups.add(savedGroup(tenant, "group-" + i));
    }

    assertThat(store().listGroups(tenant.id(), new PageRequest(0, 2))).containsExactlyElementsOf(groups.subList(0, 2));
    assertThat(store().listGroups(tenant.id(), new PageRequest(2, 2))).containsExactlyElementsOf(groups.subList(2, 4));
    assertThat(store().listGroups(tenant.id(), new PageRequest(4, 2))).containsExactly(groups.get(4));
    assertThat(store().listGroups(tenant.id(), new PageRequest(5, 2))).isEmpty();
  }

  @Test
  void childGroupsListsDirectChildrenOnly() {
    Tenant tenant = savedTenant();
    Group parent = savedGroup(tenant, "Engineering");
    Group first = savedGroup(tenant, "Platform", parent);
    Group second = savedGroup(tenant, "Apps", parent);
    savedGroup(tenant, "Storage", first);
    savedGroup(tenant, "Research");

    assertThat(store().childGroups(tenant.id(), parent.id())).containsExactly(first, second);
  }

  @Test
  void childGroupsOfLeafOrUnknownGroupAreEmpty() {
    Tenant tenant = savedTenant();
    Group leaf = savedGroup(tenant, "Engineering");

    assertThat(store().childGroups(tenant.id(), leaf.id())).isEmpty();
    assertThat(store().childGroups(tenant.id(), new GroupId(randomId("grp_")))).isEmpty();
  }

  @Test
  void groupAndAncestorsListsNearestFirst() {
    Tenant tenant = savedTenant();
    Group root = savedGroup(tenant, "Company");
    Group middle = savedGroup(tenant, "Engineering", root);
    Group leaf = savedGroup(tenant, "Platform", middle);
    savedGroup(tenant, "Apps", middle);

    assertThat(store().groupAndAncestors(tenant.id(), leaf.id())).containsExactly(leaf.id(), middle.id(), root.id());
    assertThat(store().groupAndAncestors(tenant.id(), middle.id())).containsExactly(middle.id(), root.id());
  }

  @Test
  void groupAndAncestorsOfTopLevelGroupIsTheGroup() {
    Tenant tenant = savedTenant();
    Group group = savedGroup(tenant, "Engineering");

    assertThat(store().groupAndAncestors(tenant.id(), group.id())).containsExactly(group.id());
  }

  @Test
  void groupAndAncestorsOfUnknownGroupIsEmpty() {
    Tenant tenant = savedTenant();

    assertThat(store().groupAndAncestors(tenant.id(), new GroupId(randomId("grp_")))).isEmpty();
  }

  // ---- group members

  @Test
  void addedGroupMembersAreListed() {
    Tenant tenant = savedTenant();
    Group group = savedGroup(tenant, "Engineering");
    User first = savedMember(tenant);
    User second = savedMember(tenant);
    savedMember(tenant);
    store().insertGroupMember(tenant.id(), group.id(), first.id());
    store().insertGroupMember(tenant.id(), group.id(), second.id());

    assertThat(store().listGroupMembers(tenant.id(), group.id(), ALL))
        .containsExactlyInAnyOrder(first.id(), second.id());
  }

  @Test
  void duplicateGroupMemberIsConflict() {
    Tenant tenant = savedTenant();
    Group group = savedGroup(tenant, "Engineering");
    User user = savedMember(tenant);
    store().insertGroupMember(tenant.id(), group.id(), user.id());

    assertConflict(() -> store().insertGroupMember(tenant.id(), group.id(), user.id()), "userId");
  }

  @Test
  void removedGroupMemberIsNoLongerListed() {
    Tenant tenant = savedTenant();
    Group group = savedGroup(tenant, "Engineering");
    User leaving = savedMember(tenant);
    User staying = savedMember(tenant);
    store().insertGroupMember(tenant.id(), group.id(), leaving.id());
    store().insertGroupMember(tenant.id(), group.id(), staying.id());

    assertThat(store().deleteGroupMember(tenant.id(), group.id(), leaving.id())).isTrue();
    assertThat(store().listGroupMembers(tenant.id(), group.id(), ALL)).containsExactly(staying.id());
    assertThat(store().deleteGroupMember(tenant.id(), group.id(), leaving.id())).isFalse();
  }

  @Test
  void removingNonMemberFromGroupIsFalse() {
    Tenant tenant = savedTenant();
    Group group = savedGroup(tenant, "Engineering");
    User user = savedMember(tenant);

    assertThat(store().deleteGroupMember(tenant.id(), group.id(), user.id())).isFalse();
  }

  @Test
  void groupMemberPagingIsStableAndComplete() {
    Tenant tenant = savedTenant();
    Group group = savedGroup(tenant, "Engineering");
    List<UserId> members = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      UserId id = savedMember(tenant).id();
      store().insertGroupMember(tenant.id(), group.id(), id);
      members.add(id);
    }

    List<UserId> all = store().listGroupMembers(tenant.id(), group.id(), ALL);
    List<UserId> paged = new ArrayList<>();
    paged.addAll(store().listGroupMembers(tenant.id(), group.id(), new PageRequest(0, 2)));
    paged.addAll(store().listGroupMembers(tenant.id(), group.id(), new PageRequest(2, 2)));
    paged.addAll(store().listGroupMembers(tenant.id(), group.id(), new PageRequest(4, 2)));

    assertThat(all).containsExactlyInAnyOrderElementsOf(members);
    assertThat(paged).containsExactlyElementsOf(all);
    assertThat(store().listGroupMembers(tenant.id(), group.id(), ALL)).containsExactlyElementsOf(all);
  }

  @Test
  void groupsOfUserListsDirectGroupsOnly() {
    Tenant tenant = savedTenant();
    Group parent = savedGroup(tenant, "Engineering");
    Group child = savedGroup(tenant, "Platform", parent);
    Group other = savedGroup(tenant, "Research");
    savedGroup(tenant, "Sales");
    User user = savedMember(tenant);
    store().insertGroupMember(tenant.id(), child.id(), user.id());
    store().insertGroupMember(tenant.id(), other.id(), user.id());

    assertThat(store().groupsOfUser(tenant.id(), user.id())).containsExactlyInAnyOrder(child.id(), other.id());
  }

  @Test
  void userWithoutGroupsHasNone() {
    Tenant tenant = savedTenant();
    savedGroup(tenant, "Engineering");

    assertThat(store().groupsOfUser(tenant.id(), savedMember(tenant).id())).isEmpty();
  }

  // ---- isolation between tenants

  @Test
  void groupOfAnotherTenantIsNotFound() {
    Tenant owner = savedTenant();
    Tenant other = savedTenant();
    Group group = savedGroup(owner, "Engineering");

    assertThat(store().findGroup(other.id(), group.id())).isEmpty();
  }

  @Test
  void groupOfAnotherTenantCannotBeUpdated() {
    Tenant owner = savedTenant();
    Tenant other = savedTenant();
    Group group = savedGroup(owner, "Engineering");

    assertThat(store().updateGroup(new Group(group.id(), other.id(), "Hijacked", null, group.createdAt()))).isFalse();
    assertThat(store().findGroup(owner.id(), group.id())).contains(group);
    assertThat(store().listGroups(other.id(), ALL)).isEmpty();
  }

  @Test
  void groupOfAnotherTenantCannotBeDeleted() {
    Tenant owner = savedTenant();
    Tenant other = savedTenant();
    Group group = savedGroup(owner, "Engineering");

    assertThat(store().deleteGroup(other.id(), group.id())).isFalse();
    assertThat(store().findGroup(owner.id(), group.id())).contains(group);
  }

  @Test
  void groupsOfAnotherTenantAreNotListed() {
    Tenant owner = savedTenant();
    Tenant other = savedTenant();
    savedGroup(owner, "Engineering");
    Group own = savedGroup(other, "Research");

    assertThat(store().listGroups(other.id(), ALL)).containsExactly(own);
  }

  @Test
  void hierarchyOfAnotherTenantsGroupIsEmpty() {
    Tenant owner = savedTenant();
    Tenant other = savedTenant();
    Group parent = savedGroup(owner, "Engineering");
    Group child = savedGroup(owner, "Platform", parent);

    assertThat(store().childGroups(other.id(), parent.id())).isEmpty();
    assertThat(store().groupAndAncestors(other.id(), child.id())).isEmpty();
    assertThat(store().groupAndAncestors(other.id(), parent.id())).isEmpty();
  }

  @Test
  void membersOfAnotherTenantsGroupAreNeitherListedNorRemoved() {
    Tenant owner = savedTenant();
    Tenant other = savedTenant();
    Group group = savedGroup(owner, "Engineering");
    User user = savedMember(owner);
    store().insertMembership(membership(other, user));
    store().insertGroupMember(owner.id(), group.id(), user.id());

    assertThat(store().listGroupMembers(other.id(), group.id(), ALL)).isEmpty();
    assertThat(store().groupsOfUser(other.id(), user.id())).isEmpty();
    assertThat(store().deleteGroupMember(other.id(), group.id(), user.id())).isFalse();
    assertThat(store().listGroupMembers(owner.id(), group.id(), ALL)).containsExactly(user.id());
  }

  @Test
  void membershipOfAnotherTenantIsNotFound() {
    Tenant owner = savedTenant();
    Tenant other = savedTenant();
    User user = savedMember(owner);

    assertThat(store().findMembership(other.id(), user.id())).isEmpty();
    assertThat(store().deleteMembership(other.id(), user.id())).isFalse();
    assertThat(store().findMembership(owner.id(), user.id())).isPresent();
  }

  @Test
  void membersOfAnotherTenantAreNotListed() {
    Tenant owner = savedTenant();
    Tenant other = savedTenant();
    savedMember(owner);
    User own = savedMember(other);

    assertThat(store().listMembers(other.id(), ALL)).containsExactly(own);
  }

  // ---- helpers

  private TenancyStore store() {
    return storage().tenancy();
  }

  private Tenant savedTenant() {
    Tenant tenant = tenant();
    store().insertTenant(tenant);
    return tenant;
  }

  private User savedUser() {
    User user = user();
    store().insertUser(user);
    return user;
  }

  private User savedMember(Tenant tenant) {
    User user = savedUser();
    store().insertMembership(membership(tenant, user));
    return user;
  }

  private Group savedGroup(Tenant tenant, String name) {
    Group group = group(tenant, name);
    store().insertGroup(group);
    return group;
  }

  private Group savedGroup(Tenant tenant, String name, Group parent) {
    Group group = group(tenant, name, parent);
    store().insertGroup(group);
    return group;
  }

  private static User userWithProfile(String displayName, String email) {
    Instant at = nextInstant();
    return new User(new UserId(randomId("usr_")), TckFixtures.username(), displayName, email, null,
        LoginMethod.PASSWORD, null, null, AccountStatus.ACTIVE, at, at);
  }
}
