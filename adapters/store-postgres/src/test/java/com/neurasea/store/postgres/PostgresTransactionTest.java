package com.neurasea.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.neurasea.model.BuiltInRole;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.FieldError;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Tenant;
import com.neurasea.model.User;
import com.neurasea.spi.Storage;
import com.neurasea.spi.Stores;
import com.neurasea.tck.FreshStorage;
import com.neurasea.tck.TckFixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresTransactionTest {
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

  /** PostgreSQL aborts a transaction on any failed statement; the savepoints keep it usable. */
  @Test
  void aConflictCaughtInsideATransactionLeavesItUsable() {
    User taken = TckFixtures.user();
    storage.tenancy().insertUser(taken);
    User before = TckFixtures.user();
    User after = TckFixtures.user();
    List<NeuraSeaException> caught = new ArrayList<>();
    storage.inTransaction(stores -> {
      stores.tenancy().insertUser(before);
      try {
        stores.tenancy().insertUser(TckFixtures.user(taken.username().toUpperCase()));
      } catch (NeuraSeaException e) {
        caught.add(e);
      }
      try {
        stores.tenancy().insertTenant(TckFixtures.tenant(tenant.slug()));
      } catch (NeuraSeaException e) {
        caught.add(e);
      }
      stores.tenancy().insertUser(after);
      stores.tenancy().insertMembership(TckFixtures.membership(tenant, after));
      return null;
    });
    assertThat(caught).extracting(NeuraSeaException::code).containsOnly(ErrorCode.CONFLICT);
    assertThat(caught).flatExtracting(NeuraSeaException::fieldErrors).extracting(FieldError::field)
        .containsExactly("username", "slug");
    assertThat(storage.tenancy().findUser(before.id())).contains(before);
    assertThat(storage.tenancy().findUser(after.id())).contains(after);
    assertThat(storage.tenancy().findMembership(tenant.id(), after.id())).isPresent();
  }

  @Test
  void aConflictThatEscapesRollsBackEverything() {
    User taken = TckFixtures.user();
    storage.tenancy().insertUser(taken);
    User first = TckFixtures.user();
    NeuraSeaException e = catchThrowableOfType(NeuraSeaException.class, () -> storage.inTransaction(stores -> {
      stores.tenancy().insertUser(first);
      stores.tenancy().insertUser(TckFixtures.user(taken.username()));
      return null;
    }));
    assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
    assertThat(e.getMessage()).doesNotContainIgnoringCase("insert").doesNotContain("uq_");
    assertThat(storage.tenancy().findUser(first.id())).isEmpty();
  }

  @Test
  void nestedAndPlainCallsJoinTheThreadsTransaction() {
    User outer = TckFixtures.user();
    User nested = TckFixtures.user();
    User plain = TckFixtures.user();
    Throwable thrown = catchThrowable(() -> storage.inTransaction(stores -> {
      stores.tenancy().insertUser(outer);
      storage.inTransaction(inner -> {
        inner.tenancy().insertUser(nested);
        return null;
      });
      storage.tenancy().insertUser(plain);
      assertThat(storage.tenancy().findUser(outer.id())).isPresent();
      throw new IllegalStateException("roll back all three");
    }));
    assertThat(thrown).hasMessage("roll back all three");
    assertThat(storage.tenancy().findUser(outer.id())).isEmpty();
    assertThat(storage.tenancy().findUser(nested.id())).isEmpty();
    assertThat(storage.tenancy().findUser(plain.id())).isEmpty();
  }

  @Test
  void storesThatOutliveTheirTransactionRefuseWork() {
    Stores leaked = storage.inTransaction(stores -> stores);
    NeuraSeaException e = catchThrowableOfType(NeuraSeaException.class,
        () -> leaked.tenancy().findTenant(tenant.id()));
    assertThat(e.code()).isEqualTo(ErrorCode.FAILED_PRECONDITION);
  }

  @Test
  void eightConcurrentWritersLoseNothing() throws Exception {
    int threads = 8;
    int perThread = 25;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            User user = TckFixtures.user();
            storage.inTransaction(stores -> {
              stores.tenancy().insertUser(user);
              stores.tenancy().insertMembership(TckFixtures.membership(tenant, user));
              stores.permissions().insertBinding(TckFixtures.userBinding(tenant, user, BuiltInRole.MEMBER.id()));
              return null;
            });
            assertThat(storage.tenancy().findUser(user.id())).isPresent();
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    int total = threads * perThread;
    assertThat(storage.tenancy().listMembers(tenant.id(), PageRequest.first(1000))).hasSize(total);
    assertThat(storage.permissions().listBindings(tenant.id(), null, PageRequest.first(1000))).hasSize(total);
    try (PgAdmin admin = PgAdmin.of(fresh)) {
      assertThat(admin.rows("users", null)).isEqualTo(total);
    }
  }

  /**
   * Read-modify-write of one row from several threads: serializable transactions fail on the
   * overlap and are retried, so no increment is lost; a transaction that ran out of retries reports
   * UNAVAILABLE and changed nothing.
   */
  @Test
  void serializationFailuresAreRetriedAndNoUpdateIsLost() throws Exception {
    int threads = 4;
    int perThread = 10;
    Tenant counter = TckFixtures.tenant();
    storage.tenancy().insertTenant(withName(counter, "0"));
    AtomicInteger landed = new AtomicInteger();
    AtomicInteger busy = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            try {
              storage.inTransaction(stores -> {
                Tenant current = stores.tenancy().findTenant(counter.id()).orElseThrow();
                int next = Integer.parseInt(current.name()) + 1;
                return stores.tenancy().updateTenant(withName(current, Integer.toString(next)));
              });
              landed.incrementAndGet();
            } catch (NeuraSeaException e) {
              assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
              busy.incrementAndGet();
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(landed.get() + busy.get()).isEqualTo(threads * perThread);
    assertThat(landed.get()).isPositive();
    assertThat(storage.tenancy().findTenant(counter.id()).orElseThrow().name())
        .isEqualTo(Integer.toString(landed.get()));
  }

  private static Tenant withName(Tenant tenant, String name) {
    return new Tenant(tenant.id(), tenant.slug(), name, tenant.status(), tenant.timeZone(), tenant.createdAt(),
        tenant.updatedAt());
  }
}
