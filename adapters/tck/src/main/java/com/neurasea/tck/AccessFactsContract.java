package com.neurasea.tck;

import static com.neurasea.tck.TckFixtures.builtInRoles;
import static com.neurasea.tck.TckFixtures.customRole;
import static com.neurasea.tck.TckFixtures.group;
import static com.neurasea.tck.TckFixtures.groupBinding;
import static com.neurasea.tck.TckFixtures.membership;
import static com.neurasea.tck.TckFixtures.platformBinding;
import static com.neurasea.tck.TckFixtures.tenant;
import static com.neurasea.tck.TckFixtures.user;
import static com.neurasea.tck.TckFixtures.userBinding;
import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.model.AccountStatus;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.Grant;
import com.neurasea.model.Group;
import com.neurasea.model.Role;
import com.neurasea.model.Scope;
import com.neurasea.model.Subject;
import com.neurasea.model.Tenant;
import com.neurasea.model.TenantId;
import com.neurasea.model.TenantStatus;
import com.neurasea.model.User;
import com.neurasea.model.UserId;
import com.neurasea.spi.AccessFacts;
import com.neurasea.spi.ChannelStore;
import com.neurasea.spi.CredentialStore;
import com.neurasea.spi.LedgerStore;
import com.neurasea.spi.PermissionStore;
import com.neurasea.spi.PrivacyStore;
import com.neurasea.spi.QuotaStore;
import com.neurasea.spi.Storage;
import com.neurasea.spi.Stores;
import com.neurasea.spi.TenancyStore;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link Stores#accessOf}, the read behind every permission-cache miss. A backend
 * that overrides it (to answer in one round trip) must answer exactly what the default composition
 * of the store calls answers; this contract compares both on the same data.
 */
public abstract class AccessFactsContract extends StorageUnderTest {
  private Storage storage;
  private Tenant tenant;

  @BeforeEach
  void seedTenant() {
    storage().permissions().syncBuiltInRoles(builtInRoles());
    tenant = tenant();
    storage().tenancy().insertTenant(tenant);
  }

  /** The default composition of the store calls, whatever the backend overrides. */
  private AccessFacts composed(TenantId tenantId, UserId userId) {
    Stores plain = new Stores() {
      @Override
      public TenancyStore tenancy() {
        return storage().tenancy();
      }

      @Override
      public CredentialStore credentials() {
        return storage().credentials();
      }

      @Override
      public PermissionStore permissions() {
        return storage().permissions();
      }

      @Override
      public LedgerStore ledger() {
        return storage().ledger();
      }

      @Override
      public PrivacyStore privacy() {
        return storage().privacy();
      }

      @Override
      public QuotaStore quota() {
        return storage().quota();
      }

      @Override
      public ChannelStore channels() {
        return storage().channels();
      }
    };
    return plain.accessOf(tenantId, userId);
  }

  private void assertSameAsComposition(TenantId tenantId, UserId userId) {
    AccessFacts actual = storage().accessOf(tenantId, userId);
    AccessFacts expected = composed(tenantId, userId);
    assertThat(actual.userStatus()).isEqualTo(expected.userStatus());
    assertThat(actual.tenantStatus()).isEqualTo(expected.tenantStatus());
    assertThat(actual.member()).isEqualTo(expected.member());
    assertThat(new HashSet<>(actual.platformGrants())).isEqualTo(new HashSet<>(expected.platformGrants()));
    assertThat(new HashSet<>(actual.tenantGrants())).isEqualTo(new HashSet<>(expected.tenantGrants()));
  }

  private User member() {
    User user = user();
    storage().tenancy().insertUser(user);
    storage().tenancy().insertMembership(membership(tenant, user));
    return user;
  }

  @Test
  void unknownUserHasNoStatusAndNoGrants() {
    AccessFacts facts = storage().accessOf(tenant.id(), new UserId("usr_nobody"));
    assertThat(facts.userStatus()).isNull();
    assertThat(facts.member()).isFalse();
    assertThat(facts.platformGrants()).isEmpty();
    assertThat(facts.tenantGrants()).isEmpty();
    assertSameAsComposition(tenant.id(), new UserId("usr_nobody"));
  }

  @Test
  void memberGetsStatusesAndGrantsThroughNestedGroups() {
    User user = member();
    Group parent = group(tenant, "parent");
    Group child = group(tenant, "child", parent);
    storage().tenancy().insertGroup(parent);
    storage().tenancy().insertGroup(child);
    storage().tenancy().insertGroupMember(tenant.id(), child.id(), user.id());
    Role role = customRole(tenant, "readers", "tenant:read", "models:use:gpt-4o*");
    storage().permissions().insertRole(role);
    storage().permissions().insertBinding(userBinding(tenant, user, BuiltInRole.VIEWER.id()));
    storage().permissions().insertBinding(groupBinding(tenant, parent, role.id()));
    storage().permissions().insertBinding(TckFixtures.binding(tenant, Subject.user(user.id()),
        BuiltInRole.BILLING_VIEWER.id(), Scope.group(child.id())));

    AccessFacts facts = storage().accessOf(tenant.id(), user.id());
    assertThat(facts.userStatus()).isEqualTo(AccountStatus.ACTIVE);
    assertThat(facts.tenantStatus()).isEqualTo(TenantStatus.ACTIVE);
    assertThat(facts.member()).isTrue();
    Set<Grant> grants = new HashSet<>(facts.tenantGrants());
    assertThat(grants).contains(new Grant(Scope.tenant(), "models:use:gpt-4o*"),
        new Grant(Scope.tenant(), "members:read"), new Grant(Scope.group(child.id()), "billing:read"));
    assertSameAsComposition(tenant.id(), user.id());
  }

  @Test
  void platformGrantsComeAtEveryLevelAndNotAsTenantGrants() {
    User user = member();
    storage().permissions().insertPlatformBinding(platformBinding(user, BuiltInRole.PLATFORM_ADMIN.id()));
    AccessFacts inTenant = storage().accessOf(tenant.id(), user.id());
    assertThat(inTenant.platformGrants()).containsExactly(new Grant(Scope.platform(), "*"));
    assertThat(inTenant.tenantGrants()).isEmpty();
    AccessFacts platformLevel = storage().accessOf(null, user.id());
    assertThat(platformLevel.tenantStatus()).isNull();
    assertThat(platformLevel.member()).isFalse();
    assertThat(platformLevel.platformGrants()).containsExactly(new Grant(Scope.platform(), "*"));
    assertSameAsComposition(tenant.id(), user.id());
    assertSameAsComposition(null, user.id());
  }

  @Test
  void nonMemberGetsNoTenantGrantsEvenWithLeftoverBindings() {
    User user = user();
    storage().tenancy().insertUser(user);
    storage().permissions().insertBinding(userBinding(tenant, user, BuiltInRole.MEMBER.id()));
    AccessFacts facts = storage().accessOf(tenant.id(), user.id());
    assertThat(facts.member()).isFalse();
    assertThat(facts.tenantStatus()).isEqualTo(TenantStatus.ACTIVE);
    assertThat(facts.tenantGrants()).isEmpty();
    assertSameAsComposition(tenant.id(), user.id());
  }

  @Test
  void unknownTenantAndSuspendedTenantAreReported() {
    User user = member();
    AccessFacts unknown = storage().accessOf(new TenantId("tnt_unknown"), user.id());
    assertThat(unknown.tenantStatus()).isNull();
    assertThat(unknown.member()).isFalse();
    storage().tenancy().updateTenant(tenant.withStatus(TenantStatus.SUSPENDED, TckFixtures.nextInstant()));
    assertThat(storage().accessOf(tenant.id(), user.id()).tenantStatus()).isEqualTo(TenantStatus.SUSPENDED);
    assertSameAsComposition(tenant.id(), user.id());
    assertSameAsComposition(new TenantId("tnt_unknown"), user.id());
  }

  @Test
  void otherTenantsBindingsNeverLeakIn() {
    User user = member();
    Tenant other = tenant();
    storage().tenancy().insertTenant(other);
    storage().tenancy().insertMembership(membership(other, user));
    storage().permissions().insertBinding(userBinding(other, user, BuiltInRole.TENANT_OWNER.id()));
    assertThat(storage().accessOf(tenant.id(), user.id()).tenantGrants()).isEmpty();
    assertThat(storage().accessOf(other.id(), user.id()).tenantGrants()).isNotEmpty();
  }

  @Test
  void answersInsideATransactionToo() {
    User user = member();
    storage().permissions().insertBinding(userBinding(tenant, user, BuiltInRole.MEMBER.id()));
    AccessFacts facts = storage().inTransaction(stores -> stores.accessOf(tenant.id(), user.id()));
    assertThat(facts.member()).isTrue();
    assertThat(facts.tenantGrants()).isNotEmpty();
  }
}
