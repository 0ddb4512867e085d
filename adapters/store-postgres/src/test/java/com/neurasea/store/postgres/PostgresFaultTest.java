package com.neurasea.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.neurasea.model.BuiltInRole;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.Tenant;
import com.neurasea.model.User;
import com.neurasea.spi.Storage;
import com.neurasea.tck.FreshStorage;
import com.neurasea.tck.TckFixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The server drops every connection while calls are in flight (as in a restart, simulated with
 * {@code pg_terminate_backend} from another session): in-flight calls fail with UNAVAILABLE, never
 * INTERNAL and never half-written, and the same storage serves calls again afterwards.
 */
class PostgresFaultTest {
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
  void aTransactionWhoseConnectionDiesLeavesNothingAndTheStorageRecovers() throws Exception {
    User user = TckFixtures.user();
    try (PgAdmin admin = PgAdmin.of(fresh)) {
      NeuraSeaException e = catchThrowableOfType(NeuraSeaException.class, () -> storage.inTransaction(stores -> {
        stores.tenancy().insertUser(user);
        stores.tenancy().insertMembership(TckFixtures.membership(tenant, user));
        terminateAll(admin);
        stores.permissions().insertBinding(TckFixtures.userBinding(tenant, user, BuiltInRole.MEMBER.id()));
        return null;
      }));
      assertThat(e).isNotNull();
      assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
      assertThat(e.getMessage()).contains("PostgreSQL").doesNotContainIgnoringCase("insert");

      assertThat(admin.rows("users", null)).isZero();
      assertThat(admin.rows("memberships", null)).isZero();
      assertThat(admin.rows("role_bindings", null)).isZero();
    }
    // The same storage, not reopened: the pool checks a connection idle for more than half a
    // second before lending it, and replaces the dead ones.
    Thread.sleep(600);
    assertThat(storage.tenancy().findUser(user.id())).isEmpty();
    joinAsMember(TckFixtures.user());
    assertThat(storage.tenancy().findTenant(tenant.id())).contains(tenant);
  }

  @Test
  void callsInFlightWhileEveryConnectionDiesFailOnlyWithUnavailable() throws Exception {
    int threads = 4;
    Map<User, Boolean> attempted = new ConcurrentHashMap<>();
    List<NeuraSeaException> failures = new ArrayList<>();
    List<Throwable> unexpected = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> workers = new ArrayList<>();
    try (PgAdmin admin = PgAdmin.of(fresh)) {
      for (int t = 0; t < threads; t++) {
        workers.add(pool.submit(() -> {
          for (int i = 0; i < 2_000 && !stop.get(); i++) {
            User user = TckFixtures.user();
            attempted.put(user, Boolean.FALSE);
            try {
              joinAsMember(user);
              attempted.put(user, Boolean.TRUE);
              storage.accessOf(tenant.id(), user.id());
            } catch (NeuraSeaException e) {
              synchronized (failures) {
                failures.add(e);
              }
            } catch (Throwable e) {
              synchronized (unexpected) {
                unexpected.add(e);
              }
            }
          }
        }));
      }
      for (int round = 0; round < 3; round++) {
        Thread.sleep(300);
        assertThat(terminateAll(admin)).isPositive();
      }
      Thread.sleep(300);
      stop.set(true);
      for (Future<?> worker : workers) {
        worker.get(60, TimeUnit.SECONDS);
      }

      assertThat(unexpected).isEmpty();
      assertThat(failures).as("calls that met a dropped connection").isNotEmpty()
          .allSatisfy(e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
      // Every multi-row change landed whole or not at all; every reported success landed.
      for (Map.Entry<User, Boolean> entry : attempted.entrySet()) {
        String id = entry.getKey().id().value();
        long users = admin.rows("users", "id = '" + id + "'");
        long members = admin.rows("memberships", "user_id = '" + id + "'");
        long bindings = admin.rows("role_bindings", "subject_id = '" + id + "'");
        assertThat(List.of(users, members, bindings)).as("user, membership and binding rows of " + id)
            .isIn(List.of(0L, 0L, 0L), List.of(1L, 1L, 1L));
        if (entry.getValue()) {
          assertThat(users).as("a reported success landed").isEqualTo(1);
        }
      }
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
    // Later calls succeed on the same storage once the pool has replaced the dead connections.
    Thread.sleep(600);
    for (int i = 0; i < 20; i++) {
      joinAsMember(TckFixtures.user());
    }
  }

  private void joinAsMember(User user) {
    storage.inTransaction(stores -> {
      stores.tenancy().insertUser(user);
      stores.tenancy().insertMembership(TckFixtures.membership(tenant, user));
      stores.permissions().insertBinding(TckFixtures.userBinding(tenant, user, BuiltInRole.MEMBER.id()));
      return null;
    });
  }

  private static int terminateAll(PgAdmin admin) {
    try {
      return admin.terminateAllOthers();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
