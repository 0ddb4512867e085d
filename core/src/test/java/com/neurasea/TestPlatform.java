package com.neurasea;

import com.neurasea.identity.BootstrapResult;
import com.neurasea.identity.PasswordPolicy;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.Caller;
import com.neurasea.model.CreateBinding;
import com.neurasea.model.CreateTenant;
import com.neurasea.model.CreateUser;
import com.neurasea.model.LoginMethod;
import com.neurasea.model.Principal;
import com.neurasea.model.RoleId;
import com.neurasea.model.Scope;
import com.neurasea.model.Subject;
import com.neurasea.model.Tenant;
import com.neurasea.model.User;
import com.neurasea.permissions.AccessCacheSettings;
import com.neurasea.spi.Storage;
import com.neurasea.store.sqlite.SqliteStorage;
import java.nio.file.Path;
import java.time.Instant;

/** A platform on a fresh SQLite file, bootstrapped, with helpers to set up tenants and users. */
public final class TestPlatform implements AutoCloseable {
  public static final String PASSWORD = "correct horse battery staple";

  public final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  public final Storage storage;
  public final NeuraSea platform;
  public final BootstrapResult bootstrap;
  public final Caller admin;

  public TestPlatform(Path dir) {
    this(dir, AccessCacheSettings.DEFAULT);
  }

  public TestPlatform(Path dir, AccessCacheSettings cache) {
    this(SqliteStorage.builder().path(dir.resolve("neurasea.db")).build(), dir, cache);
  }

  /** A platform on a storage the caller opened (e.g. from a {@code FreshStorage} extension). */
  public TestPlatform(Storage storage, Path dir, AccessCacheSettings cache) {
    this.storage = storage;
    this.platform = NeuraSea.builder()
        .storage(storage)
        .keyFile(dir.resolve("neurasea.key"))
        .clock(clock)
        .passwordPolicy(PasswordPolicy.forTests())
        .accessCache(cache)
        .build();
    this.bootstrap = platform.bootstrap("admin", "platform").orElseThrow();
    this.admin = Caller.platform(Principal.user(bootstrap.admin().id()));
  }

  /** Opens a second platform instance on the same storage (another host on the same database). */
  public NeuraSea sibling(Path dir, AccessCacheSettings cache) {
    return sibling(storage, dir, cache);
  }

  /** Opens a second platform instance on another storage of the same database. */
  public NeuraSea sibling(Storage other, Path dir, AccessCacheSettings cache) {
    return NeuraSea.builder()
        .storage(other)
        .keyFile(dir.resolve("neurasea.key"))
        .clock(clock)
        .passwordPolicy(PasswordPolicy.forTests())
        .accessCache(cache)
        .build();
  }

  public Tenant tenant(String slug) {
    return platform.tenancy().createTenant(admin, new CreateTenant(slug, "Tenant " + slug, null));
  }

  /** Creates a password user in the tenant (as the platform admin) and binds a built-in role. */
  public User user(Tenant tenant, String username, BuiltInRole role) {
    Caller inTenant = admin.inTenant(tenant.id());
    User user = platform.tenancy().createUser(inTenant,
        new CreateUser(username, null, username + "@example.com", null, LoginMethod.PASSWORD, PASSWORD));
    if (role != null) {
      bind(tenant, user, role.id());
    }
    return user;
  }

  public void bind(Tenant tenant, User user, RoleId role) {
    platform.permissions().createBinding(admin.inTenant(tenant.id()),
        new CreateBinding(Subject.user(user.id()), role, Scope.tenant()));
  }

  public static Caller as(User user, Tenant tenant) {
    return Caller.in(Principal.user(user.id()), tenant.id());
  }

  @Override
  public void close() {
    platform.close();
    storage.close();
  }
}
