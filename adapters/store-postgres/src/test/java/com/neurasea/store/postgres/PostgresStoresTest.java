package com.neurasea.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.neurasea.model.ApiToken;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.FieldError;
import com.neurasea.model.Group;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Role;
import com.neurasea.model.RoleBinding;
import com.neurasea.model.Tenant;
import com.neurasea.model.TenantStatus;
import com.neurasea.model.User;
import com.neurasea.spi.AccessFacts;
import com.neurasea.spi.Storage;
import com.neurasea.tck.FreshStorage;
import com.neurasea.tck.TckFixtures;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What PostgreSQL does differently from SQLite, seen through the stores: text, constraint names, types. */
class PostgresStoresTest {
  private static final String[] TEXTS = {
    "Robert'); DROP TABLE users;--", "张伟 😀", "back\\slash and 100% _like_", "\"quoted\" 'single'",
    "tab\tand\nnewline", "x".repeat(10_000)
  };

  @RegisterExtension final FreshStorage fresh = FreshStorage.postgres();

  Storage storage;
  Tenant tenant;

  @BeforeEach
  void open() {
    storage = fresh.storage();
    storage.permissions().syncBuiltInRoles(TckFixtures.builtInRoles());
    tenant = TckFixtures.tenant();
    storage.tenancy().insertTenant(tenant);
  }

  @Test
  void textIsStoredVerbatim() {
    for (String text : TEXTS) {
      Tenant named = new Tenant(TckFixtures.tenant().id(), TckFixtures.slug(), text, TenantStatus.ACTIVE,
          "Asia/Shanghai", TckFixtures.nextInstant(), TckFixtures.nextInstant());
      storage.tenancy().insertTenant(named);
      assertThat(storage.tenancy().findTenant(named.id())).contains(named);
      Group group = TckFixtures.group(tenant, text);
      storage.tenancy().insertGroup(group);
      assertThat(storage.tenancy().findGroup(tenant.id(), group.id())).contains(group);
    }
  }

  @Test
  void usernamesAreUniqueIgnoringCaseAndFoundIgnoringCase() {
    User user = TckFixtures.user("Zhang.Wei");
    storage.tenancy().insertUser(user);
    assertThat(storage.tenancy().findUserByUsername("zhang.wei")).contains(user);
    assertConflict(() -> storage.tenancy().insertUser(TckFixtures.user("ZHANG.WEI")), "username");
  }

  /** PostgreSQL names the violated constraint; each maps to the field that collided. */
  @Test
  void everyUniqueConstraintNamesItsField() {
    User user = TckFixtures.user();
    storage.tenancy().insertUser(user);
    storage.tenancy().insertMembership(TckFixtures.membership(tenant, user));
    Group group = TckFixtures.group(tenant, "engineering");
    storage.tenancy().insertGroup(group);
    Role role = TckFixtures.customRole(tenant, "auditor", "tenant.read");
    storage.permissions().insertRole(role);
    RoleBinding binding = TckFixtures.userBinding(tenant, user, BuiltInRole.MEMBER.id());
    storage.permissions().insertBinding(binding);
    ApiToken token = TckFixtures.token(tenant, user);
    byte[] hash = TckFixtures.secretHash();
    storage.credentials().insertToken(token, hash);

    assertConflict(() -> storage.tenancy().insertTenant(tenant), "id");
    assertConflict(() -> storage.tenancy().insertTenant(TckFixtures.tenant(tenant.slug())), "slug");
    assertConflict(() -> storage.tenancy().insertUser(user), "id");
    assertConflict(() -> storage.tenancy().insertMembership(TckFixtures.membership(tenant, user)), "userId");
    assertConflict(() -> storage.tenancy().insertGroup(group), "id");
    assertConflict(() -> storage.tenancy().insertGroup(TckFixtures.group(tenant, "engineering")), "name");
    assertConflict(() -> storage.permissions().insertRole(role), "id");
    assertConflict(() -> storage.permissions().insertRole(TckFixtures.customRole(tenant, "auditor")), "name");
    assertConflict(() -> storage.permissions().insertBinding(binding), "id");
    assertConflict(() -> storage.permissions().insertBinding(
        TckFixtures.userBinding(tenant, user, BuiltInRole.MEMBER.id())), "roleId");
    assertConflict(() -> storage.credentials().insertToken(token, TckFixtures.secretHash()), "id");
    assertConflict(() -> storage.credentials().insertToken(TckFixtures.token(tenant, user), hash), "secretHash");
  }

  @Test
  void accessFactsFollowGroupAncestorsInOneQuery() {
    User user = TckFixtures.user();
    storage.tenancy().insertUser(user);
    storage.tenancy().insertMembership(TckFixtures.membership(tenant, user));
    Group parent = TckFixtures.group(tenant, "parent");
    Group child = TckFixtures.group(tenant, "child", parent);
    storage.tenancy().insertGroup(parent);
    storage.tenancy().insertGroup(child);
    storage.tenancy().insertGroupMember(tenant.id(), child.id(), user.id());
    storage.permissions().insertBinding(TckFixtures.groupBinding(tenant, parent, BuiltInRole.MEMBER.id()));

    AccessFacts facts = storage.accessOf(tenant.id(), user.id());
    assertThat(facts.member()).isTrue();
    assertThat(facts.tenantGrants()).isNotEmpty();
    assertThat(facts).isEqualTo(storage.inTransaction(stores -> stores.accessOf(tenant.id(), user.id())));
    assertThat(storage.accessOf(null, user.id()).platformGrants()).isEmpty();
  }

  @Test
  void pagesFollowCreationOrder() {
    List<User> users = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      User user = TckFixtures.user();
      users.add(user);
      storage.tenancy().insertUser(user);
      storage.tenancy().insertMembership(TckFixtures.membership(tenant, user));
    }
    assertThat(storage.tenancy().listMembers(tenant.id(), new PageRequest(2, 3))).containsExactlyElementsOf(
        users.subList(2, 5));
  }

  private static void assertConflict(ThrowingCallable call, String field) {
    NeuraSeaException e = catchThrowableOfType(NeuraSeaException.class, call);
    assertThat(e).as("expected a CONFLICT on " + field).isNotNull();
    assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
    assertThat(e.fieldErrors()).extracting(FieldError::field).containsExactly(field);
    assertThat(e.getMessage()).doesNotContainIgnoringCase("insert").doesNotContain("uq_").doesNotContain("pkey");
  }
}
