package com.neurasea.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.Tenant;
import com.neurasea.spi.Storage;
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
