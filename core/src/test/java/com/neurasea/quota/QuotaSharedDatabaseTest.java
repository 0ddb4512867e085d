package com.neurasea.quota;

import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.MutableClock;
import com.neurasea.NeuraSea;
import com.neurasea.TestPlatform;
import com.neurasea.identity.PasswordPolicy;
import com.neurasea.model.AccountRef;
import com.neurasea.model.Caller;
import com.neurasea.model.CreateTenant;
import com.neurasea.model.CreateUser;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.LoginMethod;
import com.neurasea.model.Meter;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PoolKey;
import com.neurasea.model.PoolState;
import com.neurasea.model.Principal;
import com.neurasea.model.QuotaLimits;
import com.neurasea.model.ResetPeriod;
import com.neurasea.model.Tenant;
import com.neurasea.model.UsageRecord;
import com.neurasea.model.User;
import com.neurasea.spi.Storage;
import com.neurasea.tck.FreshStorage;
import com.neurasea.tck.TckFixtures;
import java.nio.file.Path;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances on one PostgreSQL database, as two gateway replicas, with 64 concurrent callers
 * spending one small budget and one requests-per-minute limit: no overspend, no limit multiplied by
 * the replica count, and balances that equal the usage records.
 */
class QuotaSharedDatabaseTest {
  private static final int CALLERS = 64;

  @RegisterExtension final FreshStorage fresh = FreshStorage.postgres();
  @TempDir Path dir;
  final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
  Storage storageA;
  Storage storageB;
  NeuraSea a;
  NeuraSea b;
  Tenant acme;
  User alice;
  Caller adminA;

  @BeforeEach
  void twoInstances() {
    storageA = fresh.open();
    storageB = fresh.open();
    a = instance(storageA, "host-a");
    b = instance(storageB, "host-b");
    var boot = a.bootstrap("admin", "platform").orElseThrow();
    adminA = Caller.platform(Principal.user(boot.admin().id()));
    acme = a.tenancy().createTenant(adminA, new CreateTenant("acme", "Acme", null));
    alice = a.tenancy().createUser(adminA.inTenant(acme.id()),
        new CreateUser("alice", null, null, null, LoginMethod.PASSWORD, TestPlatform.PASSWORD));
  }

  @AfterEach
  void close() {
    b.close();
    a.close();
    storageB.close();
    storageA.close();
  }

  private NeuraSea instance(Storage storage, String hostId) {
    return NeuraSea.builder().storage(storage).keyFile(dir.resolve("shared.key")).clock(clock)
        .passwordPolicy(PasswordPolicy.forTests()).quotaSettings(QuotaSettings.DEFAULT.withHostId(hostId)).build();
  }

  @Test
  void sixtyFourCallersOnTwoHostsNeverOverspendOneSmallBudget() throws Exception {
    long budget = 3_000;
    AccountRef ref = AccountRef.user(acme.id(), alice.id());
    a.quotas().setLimits(adminA.inTenant(acme.id()), ref, QuotaLimits.budget(budget, ResetPeriod.DAILY));
    Caller asAlice = TestPlatform.as(alice, acme);
    AtomicInteger ids = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    TckFixtures.concurrently(CALLERS, caller -> {
      QuotaEngine engine = (caller % 2 == 0 ? a : b).quotaEngine();
      Chain chain = engine.chainOf(asAlice);
      SplittableRandom random = new SplittableRandom(caller);
      int refusals = 0;
      for (int i = 0; i < 60 && refusals < 5; i++) {
        long max = 1 + random.nextInt(30);
        try {
          Reservation r = engine.reserve(chain, max, "c" + caller + "-" + ids.incrementAndGet());
          if (random.nextInt(10) == 0) {
            engine.release(r, null);
          } else {
            engine.settle(r, random.nextInt((int) max + 1));
          }
        } catch (NeuraSeaException e) {
          assertThat(e.code()).isEqualTo(ErrorCode.QUOTA_EXCEEDED);
          refusals++;
          refused.incrementAndGet();
        }
      }
    });
    a.close();
    b.close();
    long start = ResetPeriod.DAILY.periodStart(clock.instant(), java.time.ZoneOffset.UTC);
    PoolState pool = storageA.quota().findPool(new PoolKey(ref, Meter.CREDITS, start)).orElseThrow();
    long recorded = sum(storageA);
    assertThat(pool.used()).as("zero overspend").isLessThanOrEqualTo(budget);
    assertThat(pool.used()).as("the balance equals the usage records").isEqualTo(recorded);
    assertThat(pool.leased()).isZero();
    assertThat(refused).as("the budget ran out").hasPositiveValue();
    assertThat(pool.used()).as("most of it was spent").isGreaterThan(budget / 2);
  }

  @Test
  void aRequestsPerMinuteLimitAdmitsAtMostItsNumberAcrossBothHosts() throws Exception {
    long rpm = 100;
    AccountRef ref = AccountRef.tenant(acme.id());
    a.quotas().setLimits(adminA.inTenant(acme.id()), ref, new QuotaLimits(null, null, rpm, null, null));
    Caller asAlice = TestPlatform.as(alice, acme);
    AtomicInteger ids = new AtomicInteger();
    AtomicInteger admitted = new AtomicInteger();
    TckFixtures.concurrently(CALLERS, caller -> {
      QuotaEngine engine = (caller % 2 == 0 ? a : b).quotaEngine();
      Chain chain = engine.chainOf(asAlice);
      for (int i = 0; i < 4; i++) {
        try {
          engine.settle(engine.reserve(chain, 0, "r" + ids.incrementAndGet()), 0);
          admitted.incrementAndGet();
        } catch (NeuraSeaException e) {
          assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
        }
      }
    });
    a.close();
    b.close();
    long minute = clock.millis() - Math.floorMod(clock.millis(), 60_000L);
    PoolState pool = storageA.quota().findPool(new PoolKey(ref, Meter.REQUESTS, minute)).orElseThrow();
    assertThat(admitted.get()).as("admitted in total across both hosts").isLessThanOrEqualTo((int) rpm).isPositive();
    assertThat(pool.used()).isEqualTo(admitted.get());
    assertThat(pool.leased()).isZero();
  }

  private long sum(Storage storage) {
    return QuotaInvariantTest.allUsage(storage, acme.id()).stream().mapToLong(UsageRecord::cost).sum();
  }
}
