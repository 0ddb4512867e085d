package com.neurasea.permissions;

import com.neurasea.Backends;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.api.extension.RegisterExtension;
import com.neurasea.tck.FreshStorage;
import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.NeuraSea;
import com.neurasea.TestPlatform;
import com.neurasea.model.AccountStatus;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.Caller;
import com.neurasea.model.CreateBinding;
import com.neurasea.model.CreateGroup;
import com.neurasea.model.CreateRole;
import com.neurasea.model.Group;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Permissions;
import com.neurasea.model.Role;
import com.neurasea.model.RoleBinding;
import com.neurasea.model.RoleId;
import com.neurasea.model.Scope;
import com.neurasea.model.Subject;
import com.neurasea.model.Tenant;
import com.neurasea.model.TenantStatus;
import com.neurasea.model.User;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invariant, checked after every step of randomized change sequences and across cache
 * configurations: a cached check always answers what an uncached check on the same database
 * answers. Catches a missed invalidation anywhere in tenancy or permissions.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"sqlite", "postgres"})
class AccessCacheConsistencyTest {
  @RegisterExtension final FreshStorage fresh;

  AccessCacheConsistencyTest(String backend) {
    this.fresh = Backends.fresh(backend);
  }

  private static final List<String> PERMISSIONS = List.of(Permissions.JOBS_SUBMIT, Permissions.MEMBERS_MANAGE,
      Permissions.BILLING_READ, Permissions.GROUPS_MANAGE, Permissions.useModel("gpt-4o-mini"),
      Permissions.useModel("llama-3"));

  @TempDir Path dir;

  static Stream<Arguments> configurations() {
    return Stream.of(
        Arguments.of("default cache", AccessCacheSettings.DEFAULT, 1L),
        Arguments.of("tiny cache (constant eviction)", new AccessCacheSettings(2, Duration.ofMinutes(5)), 2L),
        Arguments.of("default cache, other seed", AccessCacheSettings.DEFAULT, 3L));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  void cachedChecksAlwaysMatchTheStore(String name, AccessCacheSettings settings, long seed) {
    try (TestPlatform t = new TestPlatform(fresh.storage(), dir, settings);
        NeuraSea uncached = t.sibling(fresh.open(), dir, AccessCacheSettings.DISABLED)) {
      Random random = new Random(seed);
      Tenant acme = t.tenant("acme");
      Caller admin = t.admin.inTenant(acme.id());
      List<User> users = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        users.add(t.user(acme, "user" + i, null));
      }
      List<Group> groups = new ArrayList<>();
      groups.add(t.platform.groups().createGroup(admin, new CreateGroup("root", null)));
      Role custom = t.platform.permissions().createRole(admin,
          new CreateRole("custom", null, Set.of(Permissions.BILLING_READ, "models:use:gpt-4o*")));
      List<RoleId> roles = List.of(BuiltInRole.MEMBER.id(), BuiltInRole.TENANT_ADMIN.id(),
          BuiltInRole.BILLING_VIEWER.id(), custom.id());
      List<RoleBinding> bindings = new ArrayList<>();

      for (int step = 0; step < 120; step++) {
        try {
          randomChange(t, random, acme, admin, users, groups, roles, bindings, custom);
        } catch (NeuraSeaException expected) {
          // Conflicts and refused moves are part of a random walk; the invariant still holds.
        }
        for (User user : users) {
          Caller cached = TestPlatform.as(user, acme);
          for (String permission : PERMISSIONS) {
            for (Scope scope : scopes(groups)) {
              boolean fromCache = t.platform.permissions().check(cached, permission, scope);
              boolean fromStore = uncached.permissions().check(cached, permission, scope);
              assertThat(fromCache).as("step %d, %s %s at %s", step, user.username(), permission, scope)
                  .isEqualTo(fromStore);
            }
          }
        }
      }
    }
  }

  private static List<Scope> scopes(List<Group> groups) {
    List<Scope> scopes = new ArrayList<>();
    scopes.add(Scope.tenant());
    groups.forEach(g -> scopes.add(Scope.group(g.id())));
    return scopes;
  }

  private static void randomChange(TestPlatform t, Random random, Tenant acme, Caller admin, List<User> users,
      List<Group> groups, List<RoleId> roles, List<RoleBinding> bindings, Role custom) {
    User user = users.get(random.nextInt(users.size()));
    Group group = groups.get(random.nextInt(groups.size()));
    switch (random.nextInt(10)) {
      case 0 -> groups.add(t.platform.groups().createGroup(admin,
          new CreateGroup("g" + random.nextInt(1_000_000), group.id())));
      case 1 -> t.platform.groups().addGroupMember(admin, group.id(), user.id());
      case 2 -> t.platform.groups().removeGroupMember(admin, group.id(), user.id());
      case 3 -> {
        Subject subject = random.nextBoolean() ? Subject.user(user.id()) : Subject.group(group.id());
        Scope scope = random.nextBoolean() ? Scope.tenant() : Scope.group(groups.get(random.nextInt(groups.size())).id());
        bindings.add(t.platform.permissions().createBinding(admin,
            new CreateBinding(subject, roles.get(random.nextInt(roles.size())), scope)));
      }
      case 4 -> {
        if (!bindings.isEmpty()) {
          t.platform.permissions().deleteBinding(admin, bindings.remove(random.nextInt(bindings.size())).id());
        }
      }
      case 5 -> {
        Group moved = group;
        Group parent = groups.get(random.nextInt(groups.size()));
        t.platform.groups().updateGroup(admin, moved.id(), new CreateGroup(moved.name(),
            random.nextInt(4) == 0 ? null : parent.id()));
      }
      case 6 -> t.platform.permissions().updateRole(admin, custom.id(), new CreateRole("custom", null,
          random.nextBoolean() ? Set.of(Permissions.JOBS_SUBMIT) : Set.of(Permissions.BILLING_READ, "models:use:*")));
      case 7 -> t.platform.tenancy().setUserStatus(admin, user.id(),
          random.nextInt(3) == 0 ? AccountStatus.LOCKED : AccountStatus.ACTIVE);
      case 8 -> t.platform.tenancy().setTenantStatus(t.admin, acme.id(),
          random.nextInt(4) == 0 ? TenantStatus.SUSPENDED : TenantStatus.ACTIVE);
      default -> t.platform.tenancy().listMembers(admin, PageRequest.firstPage());
    }
  }
}
