package com.neurasea.benchmarks;

import com.neurasea.NeuraSea;
import com.neurasea.identity.BootstrapResult;
import com.neurasea.identity.PasswordPolicy;
import com.neurasea.model.AccountStatus;
import com.neurasea.model.BindingId;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.Caller;
import com.neurasea.model.Group;
import com.neurasea.model.GroupId;
import com.neurasea.model.LoginMethod;
import com.neurasea.model.Membership;
import com.neurasea.model.Principal;
import com.neurasea.model.Role;
import com.neurasea.model.RoleBinding;
import com.neurasea.model.RoleId;
import com.neurasea.model.Scope;
import com.neurasea.model.Subject;
import com.neurasea.model.Tenant;
import com.neurasea.model.TenantId;
import com.neurasea.model.TenantStatus;
import com.neurasea.model.User;
import com.neurasea.model.UserId;
import com.neurasea.permissions.AccessCacheSettings;
import com.neurasea.spi.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * A SQLite platform seeded with one large tenant: {@value #ROLES} custom roles of
 * {@value #PERMISSIONS_PER_ROLE} permissions each, {@value #USERS} users in {@value #GROUPS} nested
 * groups, and bindings to users and groups adding up to 20,000+ permission grants in the tenant.
 * Two users are measured: a typical one with two bindings and a heavy one with 24.
 */
final class BenchmarkPlatform implements AutoCloseable {
  static final int ROLES = 200;
  static final int PERMISSIONS_PER_ROLE = 10;
  static final int USERS = 1_000;
  static final int GROUPS = 100;
  static final int BINDINGS = 2_100;

  final Path dir;
  final Backend backend;
  final String schema;
  final Storage storage;
  final NeuraSea platform;
  final BootstrapResult bootstrap;
  final Tenant tenant;
  /** A user with 24 bindings (direct, through its group and the group's two ancestors): 230+ grants. */
  final Caller heavy;
  /** A user with two bindings: one direct, one through its group. */
  final Caller typical;
  final long tenantGrants;

  BenchmarkPlatform(AccessCacheSettings cache) {
    this(Backend.SQLITE, cache);
  }

  BenchmarkPlatform(Backend backend, AccessCacheSettings cache) {
    try {
      dir = Files.createTempDirectory("neurasea-bench");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.backend = backend;
    this.schema = Backend.freshSchema();
    storage = backend.open(dir, schema);
    platform = NeuraSea.builder().storage(storage).keyFile(dir.resolve("bench.key"))
        .passwordPolicy(PasswordPolicy.forTests()).accessCache(cache).build();
    bootstrap = platform.bootstrap("admin", "platform").orElseThrow();
    Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
    tenant = new Tenant(new TenantId("tnt_bench"), "bench", "Bench", TenantStatus.ACTIVE, "UTC", now, now);
    long[] grants = {0};
    storage.inTransaction(stores -> {
      stores.tenancy().insertTenant(tenant);
      for (int g = 0; g < GROUPS; g++) {
        GroupId parent = g == 0 ? null : new GroupId("grp_" + (g - 1) / 10);
        stores.tenancy().insertGroup(new Group(new GroupId("grp_" + g), tenant.id(), "group-" + g, parent, now));
      }
      for (int r = 0; r < ROLES; r++) {
        Set<String> permissions = new HashSet<>();
        for (int p = 0; p < PERMISSIONS_PER_ROLE; p++) {
          permissions.add("models:use:model-" + r + "-" + p);
        }
        stores.permissions().insertRole(new Role(new RoleId("rol_r" + r), tenant.id(), "role-" + r, null,
            permissions, false, now));
      }
      for (int u = 0; u < USERS; u++) {
        UserId user = new UserId("usr_" + u);
        stores.tenancy().insertUser(new User(user, "user-" + u, null, null, null, LoginMethod.TOKEN_ONLY, null, null,
            AccountStatus.ACTIVE, now, now));
        stores.tenancy().insertMembership(new Membership(tenant.id(), user, now));
        stores.tenancy().insertGroupMember(tenant.id(), new GroupId("grp_" + (u % GROUPS)), user);
      }
      Set<String> distinct = new HashSet<>();
      for (int b = 0; distinct.size() < BINDINGS; b++) {
        Subject subject = b % 3 == 0 ? Subject.group(new GroupId("grp_" + (b % GROUPS)))
            : Subject.user(new UserId("usr_" + (b % USERS)));
        Scope scope = b % 5 == 0 ? Scope.group(new GroupId("grp_" + (b % GROUPS))) : Scope.tenant();
        RoleId role = new RoleId("rol_r" + ((b * 7 + b / ROLES) % ROLES));
        if (!distinct.add(subject + "|" + role + "|" + scope)) {
          continue;
        }
        stores.permissions().insertBinding(new RoleBinding(new BindingId("rbd_" + b), tenant.id(), subject, role,
            scope, now));
        grants[0] += PERMISSIONS_PER_ROLE;
      }
      // The heavy user: member of group 55 (under 5, under 0), 24 bindings in all.
      stores.permissions().insertBinding(new RoleBinding(new BindingId("rbd_measured"), tenant.id(),
          Subject.user(new UserId("usr_55")), BuiltInRole.MEMBER.id(), Scope.tenant(), now));
      // The typical user: one direct binding and one through its team's group.
      UserId typical = new UserId("usr_typical");
      GroupId team = new GroupId("grp_team");
      stores.tenancy().insertUser(new User(typical, "typical", null, null, null, LoginMethod.TOKEN_ONLY, null, null,
          AccountStatus.ACTIVE, now, now));
      stores.tenancy().insertMembership(new Membership(tenant.id(), typical, now));
      stores.tenancy().insertGroup(new Group(team, tenant.id(), "team", null, now));
      stores.tenancy().insertGroupMember(tenant.id(), team, typical);
      stores.permissions().insertBinding(new RoleBinding(new BindingId("rbd_typical_1"), tenant.id(),
          Subject.user(typical), BuiltInRole.MEMBER.id(), Scope.tenant(), now));
      stores.permissions().insertBinding(new RoleBinding(new BindingId("rbd_typical_2"), tenant.id(),
          Subject.group(team), new RoleId("rol_r7"), Scope.tenant(), now));
      return null;
    });
    tenantGrants = grants[0];
    heavy = Caller.in(Principal.user(new UserId("usr_55")), tenant.id());
    typical = Caller.in(Principal.user(new UserId("usr_typical")), tenant.id());
  }

  @Override
  public void close() {
    platform.close();
    storage.close();
    backend.removeData(schema, dir);
  }
}
