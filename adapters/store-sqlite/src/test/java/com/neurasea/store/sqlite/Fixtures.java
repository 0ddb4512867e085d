package com.neurasea.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.neurasea.model.AccountStatus;
import com.neurasea.model.ApiToken;
import com.neurasea.model.BindingId;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.Group;
import com.neurasea.model.GroupId;
import com.neurasea.model.LoginMethod;
import com.neurasea.model.Membership;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.Role;
import com.neurasea.model.RoleBinding;
import com.neurasea.model.RoleId;
import com.neurasea.model.Scope;
import com.neurasea.model.Subject;
import com.neurasea.model.Tenant;
import com.neurasea.model.TenantId;
import com.neurasea.model.TenantStatus;
import com.neurasea.model.TokenId;
import com.neurasea.model.User;
import com.neurasea.model.UserId;
import com.neurasea.spi.Storage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Test data: unique ids and strictly increasing millisecond instants. */
final class Fixtures {
  /** Text that must be stored verbatim. */
  static final String SQL_LOOKING = "Robert'); DROP TABLE users;--";
  static final String NON_ASCII = "张伟 😀";

  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static final AtomicLong CLOCK = new AtomicLong(1_735_689_600_123L);

  private Fixtures() {}

  static Storage open(Path directory) {
    return SqliteStorage.builder().path(directory.resolve("neurasea-" + SEQUENCE.incrementAndGet() + ".db")).build();
  }

  static int next() {
    return SEQUENCE.incrementAndGet();
  }

  static Instant now() {
    return Instant.ofEpochMilli(CLOCK.getAndAdd(1_001));
  }

  static Tenant tenant() {
    int n = next();
    Instant at = now();
    return new Tenant(TenantId.of("tnt_" + n), "tenant-" + n, "Tenant " + n, TenantStatus.ACTIVE, "UTC", at, at);
  }

  static User user() {
    return user("user" + next());
  }

  static User user(String username) {
    Instant at = now();
    return new User(UserId.of("usr_" + next()), username, null, null, null, LoginMethod.PASSWORD, null, null,
        AccountStatus.ACTIVE, at, at);
  }

  static Membership membership(Tenant tenant, User user) {
    return new Membership(tenant.id(), user.id(), now());
  }

  static Group group(Tenant tenant, String name, Group parent) {
    return new Group(GroupId.of("grp_" + next()), tenant.id(), name, parent == null ? null : parent.id(), now());
  }

  static Role role(Tenant tenant, String name, Set<String> permissions) {
    return new Role(RoleId.of("rol_" + next()), tenant.id(), name, "custom " + name, permissions, false, now());
  }

  static RoleBinding binding(Tenant tenant, Subject subject, Role role, Scope scope) {
    return new RoleBinding(BindingId.of("rbd_" + next()), tenant.id(), subject, role.id(), scope, now());
  }

  static RoleBinding platformBinding(User user, RoleId role) {
    return new RoleBinding(BindingId.of("rbd_" + next()), null, Subject.user(user.id()), role, Scope.platform(), now());
  }

  static ApiToken token(Tenant tenant, User user) {
    return new ApiToken(TokenId.of("tok_" + next()), tenant.id(), user.id(), "token", "nsk_abcd", now(), null, null,
        null, List.of(), List.of());
  }

  static byte[] hash(int seed) {
    byte[] hash = new byte[32];
    for (int i = 0; i < hash.length; i++) {
      hash[i] = (byte) (seed * 31 + i * 7);
    }
    return hash;
  }

  /** Asserts that the call fails with a CONFLICT naming the field, and returns the exception. */
  static NeuraSeaException assertConflict(ThrowingCallable call, String field) {
    NeuraSeaException e = catchThrowableOfType(NeuraSeaException.class, call);
    assertThat(e).as("expected a CONFLICT on " + field).isNotNull();
    assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
    assertThat(e.fieldErrors()).extracting(f -> f.field()).containsExactly(field);
    assertNoSql(e);
    return e;
  }

  static void assertNoSql(NeuraSeaException e) {
    assertThat(e.getMessage()).doesNotContainIgnoringCase("insert into")
        .doesNotContainIgnoringCase("select ")
        .doesNotContainIgnoringCase("update ")
        .doesNotContainIgnoringCase("delete from")
        .doesNotContain("SQLITE");
  }
}
