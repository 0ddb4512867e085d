package com.neurasea.tck;

import static com.neurasea.tck.TckAssertions.assertConflict;
import static com.neurasea.tck.TckAssertions.assertInvalid;
import static com.neurasea.tck.TckFixtures.concurrently;
import static com.neurasea.tck.TckFixtures.modelPrice;
import static com.neurasea.tck.TckFixtures.nextInstant;
import static com.neurasea.tck.TckFixtures.quotaAccount;
import static com.neurasea.tck.TckFixtures.randomId;
import static com.neurasea.tck.TckFixtures.requestId;
import static com.neurasea.tck.TckFixtures.usageRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.neurasea.model.AccountRef;
import com.neurasea.model.DailyUsage;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.GroupId;
import com.neurasea.model.Meter;
import com.neurasea.model.ModelPrice;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PageRequest;
import com.neurasea.model.PoolKey;
import com.neurasea.model.PoolState;
import com.neurasea.model.PriceId;
import com.neurasea.model.QuotaAccount;
import com.neurasea.model.QuotaLease;
import com.neurasea.model.QuotaLevel;
import com.neurasea.model.QuotaLimits;
import com.neurasea.model.ResetPeriod;
import com.neurasea.model.TenantId;
import com.neurasea.model.TokenId;
import com.neurasea.model.UsageQuery;
import com.neurasea.model.UsageRecord;
import com.neurasea.model.UsageStatus;
import com.neurasea.model.UserId;
import com.neurasea.spi.PoolCharge;
import com.neurasea.spi.QuotaStore;
import com.neurasea.spi.Settlement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link QuotaStore}: accounts replaced under an optimistic version check; pools
 * whose {@code used + leased} never goes over the account's limit, however many hosts lease and
 * settle at once; leases granted, returned, renewed and expired; settlements that take from the
 * host's lease first, skip replays, charge every pool of a meter alike and lower the cost by what
 * could not be charged; usage records listed, erased of personal details and summed per day; and
 * price versions. Everything lands with its unit of work or not at all.
 *
 * <p>A storage adapter passes it by extending this class in its own tests and implementing
 * {@link #newStorage()}. Each test opens one storage before it runs and closes it afterwards.
 */
public abstract class QuotaStoreContract extends StorageUnderTest {
  private static final int THREADS = 8;
  private static final String HOST = "host-a";
  private static final String OTHER_HOST = "host-b";
  private static final PageRequest ALL = PageRequest.firstPage();
  private static final LocalDate DAY = LocalDate.of(2025, 3, 14);
  private static final QuotaLimits EVERY_LIMIT = new QuotaLimits(5_000L, ResetPeriod.MONTHLY, 60L, 100_000L, 4L);

  // ---- accounts

  @Test
  void accountsRoundTripWithEveryLimitAndWithNone() {
    TenantId tenant = tenantId();
    QuotaAccount limited = quotaAccount(AccountRef.user(tenant, userId()), EVERY_LIMIT);
    QuotaAccount unlimited = quotaAccount(AccountRef.tenant(tenant), QuotaLimits.UNLIMITED);
    QuotaAccount budgetOnly = quotaAccount(AccountRef.token(tenant, tokenId()), QuotaLimits.budget(0,
        ResetPeriod.NONE));

    List.of(limited, unlimited, budgetOnly).forEach(store()::insertAccount);

    assertThat(store().findAccount(limited.ref())).contains(limited);
    assertThat(store().findAccount(unlimited.ref())).contains(unlimited);
    assertThat(store().findAccount(unlimited.ref()).orElseThrow().limits().unlimited()).isTrue();
    assertThat(store().findAccount(budgetOnly.ref())).contains(budgetOnly);
    assertThat(store().findAccount(AccountRef.user(tenant, userId()))).isEmpty();
    assertThat(store().findAccount(new AccountRef(tenantId(), QuotaLevel.USER, limited.ref().subjectId()))).isEmpty();
    assertThat(store().findAccount(new AccountRef(tenant, QuotaLevel.TOKEN, limited.ref().subjectId()))).isEmpty();
  }

  @Test
  void aTakenAccountConflictsOnAccount() {
    QuotaAccount first = stored(AccountRef.tenant(tenantId()), EVERY_LIMIT);

    assertConflict(() -> store().insertAccount(quotaAccount(first.ref(), QuotaLimits.UNLIMITED)), "account");

    assertThat(store().findAccount(first.ref())).contains(first);
  }

  @Test
  void accountsAreListedByLevelThenSubjectAndPaged() {
    TenantId tenant = tenantId();
    List<AccountRef> refs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      refs.add(AccountRef.token(tenant, tokenId()));
      refs.add(AccountRef.user(tenant, userId()));
      refs.add(AccountRef.group(tenant, new GroupId(randomId(GroupId.PREFIX))));
    }
    refs.add(AccountRef.tenant(tenant));
    List<QuotaAccount> accounts = new ArrayList<>();
    for (int i = refs.size() - 1; i >= 0; i--) {
      accounts.add(stored(refs.get(i), EVERY_LIMIT));
    }
    stored(AccountRef.tenant(tenantId()), EVERY_LIMIT);
    stored(AccountRef.user(tenantId(), userId()), EVERY_LIMIT);
    List<QuotaAccount> expected = accounts.stream()
        .sorted(Comparator.comparing((QuotaAccount a) -> a.ref().level()).thenComparing(a -> a.ref().subjectId()))
        .toList();

    assertThat(store().listAccounts(tenant, ALL)).containsExactlyElementsOf(expected);
    assertThat(store().listAccounts(tenant, new PageRequest(0, 3))).containsExactlyElementsOf(expected.subList(0, 3));
    assertThat(store().listAccounts(tenant, new PageRequest(3, 3))).containsExactlyElementsOf(expected.subList(3, 6));
    assertThat(store().listAccounts(tenant, new PageRequest(6, 3))).containsExactly(expected.get(6));
    assertThat(store().listAccounts(tenantId(), ALL)).isEmpty();
  }

  @Test
  void anUpdateNeedsTheVersionBeforeIt() {
    QuotaAccount stored = stored(AccountRef.user(tenantId(), userId()), EVERY_LIMIT);
    QuotaAccount raised = stored.withLimits(new QuotaLimits(9_000L, ResetPeriod.DAILY, null, 5L, null),
        nextInstant());

    assertThat(store().updateAccount(raised)).isTrue();
    assertThat(store().findAccount(stored.ref())).contains(raised);

    // Another writer's change from version 0, one that skips a version, and the stored one again.
    assertThat(store().updateAccount(stored.withLimits(QuotaLimits.UNLIMITED, nextInstant()))).isFalse();
    assertThat(store().updateAccount(raised.withLimits(EVERY_LIMIT, nextInstant())
        .withLimits(QuotaLimits.UNLIMITED, nextInstant()))).isFalse();
    assertThat(store().updateAccount(raised)).isFalse();
    assertThat(store().findAccount(stored.ref())).contains(raised);

    QuotaAccount cleared = raised.withLimits(QuotaLimits.UNLIMITED, nextInstant());
    assertThat(store().updateAccount(cleared)).isTrue();
    assertThat(store().findAccount(stored.ref())).contains(cleared);
  }

  @Test
  void updatingAnUnknownAccountReturnsFalseAndWritesNothing() {
    QuotaAccount never = quotaAccount(AccountRef.tenant(tenantId()), EVERY_LIMIT);

    assertThat(store().updateAccount(never.withLimits(QuotaLimits.UNLIMITED, nextInstant()))).isFalse();

    assertThat(store().findAccount(never.ref())).isEmpty();
  }

  @Test
  void deletingAnAccountDeletesItsPoolsAndLeasesAndLaterChargesAreNotCounted() {
    TenantId tenant = tenantId();
    AccountRef user = AccountRef.user(tenant, userId());
    AccountRef kept = AccountRef.tenant(tenant);
    stored(user, EVERY_LIMIT);
    stored(kept, EVERY_LIMIT);
    PoolKey userCredits = credits(user);
    PoolKey keptCredits = credits(kept);
    assertThat(store().lease(userCredits, 1, 100, HOST, expiry())).isEqualTo(100);
    assertThat(store().lease(keptCredits, 1, 100, HOST, expiry())).isEqualTo(100);

    assertThat(store().deleteAccount(user)).isTrue();

    assertThat(store().findAccount(user)).isEmpty();
    assertThat(store().findPool(userCredits)).isEmpty();
    assertThat(store().leasesOf(HOST)).extracting(QuotaLease::key).containsExactly(keptCredits);
    assertThat(store().deleteAccount(user)).isFalse();

    UsageRecord usage = usageRecord(tenant, new UserId(user.subjectId()), "model-a", 40);
    assertThat(store().settle(HOST, List.of(settlement(usage, charge(userCredits, 40), charge(keptCredits, 40)))))
        .containsExactly(usage);
    assertThat(store().findPool(userCredits)).isEmpty();
    assertThat(store().findPool(keptCredits)).contains(new PoolState(keptCredits, 40, 60));
  }

  // ---- leases

  @Test
  void aLeaseGrantsWhatIsFreeUpToWhatIsWanted() {
    PoolKey key = credits(stored(AccountRef.tenant(tenantId()), QuotaLimits.budget(100, ResetPeriod.NONE)).ref());
    Instant expiresAt = expiry();

    assertThat(store().lease(key, 1, 30, HOST, expiresAt)).isEqualTo(30);
    assertThat(store().findPool(key)).contains(new PoolState(key, 0, 30));
    assertThat(store().lease(key, 10, 80, OTHER_HOST, expiresAt)).isEqualTo(70);
    assertThat(store().lease(key, 1, 10, HOST, expiresAt)).isZero();

    assertThat(store().findPool(key)).contains(new PoolState(key, 0, 100));
    assertThat(store().leasesOf(HOST)).containsExactly(new QuotaLease(key, HOST, 30, expiresAt));
    assertThat(store().leasesOf(OTHER_HOST)).containsExactly(new QuotaLease(key, OTHER_HOST, 70, expiresAt));
  }

  @Test
  void aLeaseOfLessThanTheLeastUsefulGrantsNothingAndWritesNothing() {
    PoolKey fresh = credits(stored(AccountRef.tenant(tenantId()), QuotaLimits.budget(10, ResetPeriod.NONE)).ref());
    assertThat(store().lease(fresh, 11, 20, HOST, expiry())).isZero();
    assertThat(store().findPool(fresh)).isEmpty();
    assertThat(store().leasesOf(HOST)).isEmpty();

    Instant expiresAt = expiry();
    assertThat(store().lease(fresh, 1, 8, HOST, expiresAt)).isEqualTo(8);
    assertThat(store().lease(fresh, 3, 5, HOST, expiresAt.plusSeconds(60))).isZero();
    assertThat(store().findPool(fresh)).contains(new PoolState(fresh, 0, 8));
    assertThat(store().leasesOf(HOST)).containsExactly(new QuotaLease(fresh, HOST, 8, expiresAt));
    assertThat(store().lease(fresh, 2, 5, HOST, expiresAt)).isEqualTo(2);
  }

  @Test
  void aLeaseAddsToTheHostsLeaseAndKeepsTheLaterExpiry() {
    PoolKey key = new PoolKey(stored(AccountRef.user(tenantId(), userId()), EVERY_LIMIT).ref(), Meter.TOKENS,
        minute(3));
    Instant later = expiry().plusSeconds(60);
    Instant sooner = later.minusSeconds(30);

    assertThat(store().lease(key, 1, 1_000, HOST, later)).isEqualTo(1_000);
    assertThat(store().lease(key, 1, 500, HOST, sooner)).isEqualTo(500);
    assertThat(store().leasesOf(HOST)).containsExactly(new QuotaLease(key, HOST, 1_500, later));

    Instant latest = later.plusSeconds(30);
    assertThat(store().lease(key, 1, 500, HOST, latest)).isEqualTo(500);
    assertThat(store().leasesOf(HOST)).containsExactly(new QuotaLease(key, HOST, 2_000, latest));
    assertThat(store().findPool(key)).contains(new PoolState(key, 0, 2_000));
  }

  @Test
  void eachMeterAndWindowIsAPoolOfItsOwnAgainstItsOwnLimit() {
    AccountRef ref = stored(AccountRef.user(tenantId(), userId()), EVERY_LIMIT).ref();
    Instant expiresAt = expiry();

    assertThat(store().lease(credits(ref), 1, 10_000, HOST, expiresAt)).isEqualTo(5_000);
    assertThat(store().lease(new PoolKey(ref, Meter.REQUESTS, minute(1)), 1, 100, HOST, expiresAt)).isEqualTo(60);
    assertThat(store().lease(new PoolKey(ref, Meter.REQUESTS, minute(2)), 1, 100, HOST, expiresAt)).isEqualTo(60);
    assertThat(store().lease(new PoolKey(ref, Meter.TOKENS, minute(1)), 1, 200_000, HOST, expiresAt))
        .isEqualTo(100_000);
    assertThat(store().lease(new PoolKey(ref, Meter.CONCURRENCY, 0), 1, 10, HOST, expiresAt)).isEqualTo(4);
    assertThat(store().lease(new PoolKey(ref, Meter.CREDITS, minute(1)), 1, 10_000, HOST, expiresAt))
        .isEqualTo(5_000);

    assertThat(store().leasesOf(HOST)).hasSize(6);
  }

  @Test
  void aLimitLoweredBelowWhatIsHeldGrantsNothingMore() {
    QuotaAccount account = stored(AccountRef.tenant(tenantId()), QuotaLimits.budget(100, ResetPeriod.NONE));
    PoolKey key = credits(account.ref());
    assertThat(store().lease(key, 1, 80, HOST, expiry())).isEqualTo(80);

    assertThat(store().updateAccount(account.withLimits(QuotaLimits.budget(50, ResetPeriod.NONE), nextInstant())))
        .isTrue();

    assertThat(store().lease(key, 1, 10, OTHER_HOST, expiry())).isZero();
    assertThat(store().findPool(key)).contains(new PoolState(key, 0, 80));
  }

  @Test
  void leasingOfAnUnknownAccountIsNotFoundAndOfAnUnlimitedMeterAFailedPrecondition() {
    AccountRef ref = stored(AccountRef.user(tenantId(), userId()), QuotaLimits.budget(10, ResetPeriod.NONE)).ref();
    PoolKey unknown = credits(AccountRef.user(tenantId(), userId()));
    PoolKey unlimited = new PoolKey(ref, Meter.TOKENS, minute(1));

    assertCode(() -> store().lease(unknown, 1, 5, HOST, expiry()), ErrorCode.NOT_FOUND);
    assertCode(() -> store().lease(unlimited, 1, 5, HOST, expiry()), ErrorCode.FAILED_PRECONDITION);

    assertThat(store().findPool(unknown)).isEmpty();
    assertThat(store().findPool(unlimited)).isEmpty();
    assertThat(store().leasesOf(HOST)).isEmpty();
  }

  @Test
  void concurrentLeasersNeverGetMoreThanTheLimit() throws Exception {
    long limit = 500;
    PoolKey key = credits(stored(AccountRef.tenant(tenantId()), QuotaLimits.budget(limit, ResetPeriod.NONE)).ref());
    AtomicLong granted = new AtomicLong();
    Instant expiresAt = expiry();

    concurrently(THREADS, thread -> {
      long grant;
      do {
        grant = store().lease(key, 1, 7 + thread, "host-" + thread, expiresAt);
        assertThat(grant).isBetween(0L, 7L + thread);
        granted.addAndGet(grant);
      } while (grant > 0);
    });

    assertThat(granted.get()).isEqualTo(limit);
    assertThat(store().findPool(key)).contains(new PoolState(key, 0, limit));
    long held = 0;
    for (int thread = 0; thread < THREADS; thread++) {
      held += store().leasesOf("host-" + thread).stream().mapToLong(QuotaLease::amount).sum();
    }
    assertThat(held).isEqualTo(limit);
  }

  @Test
  void concurrentSettlersAndLeasersNeverChargeMoreThanTheLimit() throws Exception {
    TenantId tenant = tenantId();
    long limit = 300;
    PoolKey key = credits(stored(AccountRef.tenant(tenant), QuotaLimits.budget(limit, ResetPeriod.NONE)).ref());
    ConcurrentLinkedQueue<UsageRecord> written = new ConcurrentLinkedQueue<>();
    AtomicLong held = new AtomicLong();

    concurrently(THREADS, thread -> {
      String host = "host-" + thread;
      for (int i = 0; i < 6; i++) {
        if (thread % 2 == 0) {
          held.addAndGet(store().lease(key, 1, 5, host, expiry()));
        }
        UsageRecord usage = usageRecord(tenant, null, "model-a", 9);
        written.addAll(store().settle(host, List.of(settlement(usage, charge(key, 9)))));
      }
    });

    PoolState pool = store().findPool(key).orElseThrow();
    long charged = written.stream().mapToLong(UsageRecord::cost).sum();
    assertThat(written).hasSize(THREADS * 6).allSatisfy(r -> assertThat(r.cost() + r.uncharged()).isEqualTo(9));
    assertThat(pool.used()).isEqualTo(charged);
    assertThat(pool.used() + pool.leased()).isLessThanOrEqualTo(limit);
    long leased = 0;
    for (int thread = 0; thread < THREADS; thread++) {
      leased += store().leasesOf("host-" + thread).stream().mapToLong(QuotaLease::amount).sum();
    }
    assertThat(pool.leased()).isEqualTo(leased);
    assertThat(store().dailyUsage(tenant, DAY, DAY, null, null)).singleElement()
        .satisfies(d -> assertThat(d.cost()).isEqualTo(charged))
        .satisfies(d -> assertThat(d.requests()).isEqualTo(THREADS * 6));
  }

  @Test
  void concurrentUnitsOfWorkNeverLeaseMoreThanTheLimit() throws Exception {
    long limit = 60;
    PoolKey key = credits(stored(AccountRef.tenant(tenantId()), QuotaLimits.budget(limit, ResetPeriod.NONE)).ref());
    AtomicLong granted = new AtomicLong();
    Instant expiresAt = expiry();

    concurrently(2, thread -> {
      for (int i = 0; i < 10; i++) {
        granted.addAndGet(storage().inTransaction(stores -> stores.quota().lease(key, 1, 4, "host-" + thread,
            expiresAt)));
      }
    });

    assertThat(granted.get()).isEqualTo(limit);
    assertThat(store().findPool(key)).contains(new PoolState(key, 0, limit));
  }

  @Test
  void lockingAPoolCreatesItEmptyOrReturnsItAsItIs() {
    PoolKey key = credits(stored(AccountRef.tenant(tenantId()), QuotaLimits.budget(100, ResetPeriod.NONE)).ref());

    PoolState created = storage().inLockingTransaction(stores -> stores.quota().lockPool(key));
    assertThat(created).isEqualTo(new PoolState(key, 0, 0));
    assertThat(store().lease(key, 1, 30, HOST, expiry())).isEqualTo(30);
    PoolState leased = storage().inLockingTransaction(stores -> stores.quota().lockPool(key));
    assertThat(leased).isEqualTo(new PoolState(key, 0, 30));
  }

  @Test
  void aLeaseRacingALimitChangeThatLockedThePoolSeesTheNewLimit() throws Exception {
    QuotaAccount account = stored(AccountRef.tenant(tenantId()), QuotaLimits.budget(1_000, ResetPeriod.NONE));
    PoolKey key = credits(account.ref());
    java.util.concurrent.CountDownLatch locked = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      java.util.concurrent.Future<Long> lease = other.submit(() -> {
        locked.await();
        return store().lease(key, 1, 1_000, HOST, expiry());
      });
      storage().inLockingTransaction(stores -> {
        stores.quota().lockPool(key);
        locked.countDown();
        try {
          Thread.sleep(300); // gives the lease every chance to run before the change commits
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return stores.quota().updateAccount(account.withLimits(QuotaLimits.budget(100, ResetPeriod.NONE),
            nextInstant()));
      });
      assertThat(lease.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(100);
    } finally {
      other.shutdownNow();
    }
    assertThat(store().findPool(key)).contains(new PoolState(key, 0, 100));
  }

  @Test
  void leaseArgumentsAreChecked() {
    PoolKey key = credits(stored(AccountRef.tenant(tenantId()), EVERY_LIMIT).ref());
    assertInvalid(() -> store().lease(null, 1, 1, HOST, expiry()), "key");
    assertInvalid(() -> store().lease(key, 0, 1, HOST, expiry()), "min");
    assertInvalid(() -> store().lease(key, 5, 4, HOST, expiry()), "want");
    assertInvalid(() -> store().lease(key, 1, 1, null, expiry()), "hostId");
    assertInvalid(() -> store().lease(key, 1, 1, HOST, null), "expiresAt");
    assertThat(store().findPool(key)).isEmpty();
  }

  // ---- returning leases

  @Test
  void aReturnedLeaseGoesBackToItsPool() {
    PoolKey key = credits(stored(AccountRef.tenant(tenantId()), QuotaLimits.budget(100, ResetPeriod.NONE)).ref());
    Instant expiresAt = expiry();
    store().lease(key, 1, 50, HOST, expiresAt);

    store().returnLease(key, HOST, 20);
    assertThat(store().findPool(key)).contains(new PoolState(key, 0, 30));
    assertThat(store().leasesOf(HOST)).containsExactly(new QuotaLease(key, HOST, 30, expiresAt));

    store().returnLease(key, HOST, 30);
    assertThat(store().findPool(key)).contains(new PoolState(key, 0, 0));
    assertThat(store().leasesOf(HOST)).isEmpty();
    assertThat(store().lease(key, 100, 100, OTHER_HOST, expiresAt)).isEqualTo(100);
  }

  @Test
  void returningMoreThanIsHeldFailsAndWritesNothing() {
    PoolKey key = credits(stored(AccountRef.tenant(tenantId()), QuotaLimits.budget(100, ResetPeriod.NONE)).ref());
    PoolKey untouched = new PoolKey(key.account(), Meter.CREDITS, minute(9));
    Instant expiresAt = expiry();
    store().lease(key, 1, 40, HOST, expiresAt);

    assertCode(() -> store().returnLease(key, HOST, 41), ErrorCode.FAILED_PRECONDITION);
    assertCode(() -> store().returnLease(key, OTHER_HOST, 1), ErrorCode.FAILED_PRECONDITION);
    assertCode(() -> store().returnLease(untouched, HOST, 1), ErrorCode.FAILED_PRECONDITION);
    assertInvalid(() -> store().returnLease(key, HOST, -1), "amount");

    assertThat(store().findPool(key)).contains(new PoolState(key, 0, 40));
    assertThat(store().findPool(untouched)).isEmpty();
    assertThat(store().leasesOf(HOST)).containsExactly(new QuotaLease(key, HOST, 40, expiresAt));
    assertThat(store().leasesOf(OTHER_HOST)).isEmpty();
  }

  // ---- settlements

  @Test
  void aSettlementTakesFromTheHostsLeaseFirstThenFromTheFreeAllowance() {
    TenantId tenant = tenantId();
    PoolKey key = credits(stored(AccountRef.tenant(tenant), QuotaLimits.budget(100, ResetPeriod.NONE)).ref());
    Instant expiresAt = expiry();
    store().lease(key, 1, 50, HOST, expiresAt);
    store().lease(key, 1, 10, OTHER_HOST, expiresAt);
    UsageRecord first = usageRecord(tenant, userId(), "model-a", 30);

    assertThat(store().settle(HOST, List.of(settlement(first, charge(key, 30))))).containsExactly(first);
    assertThat(store().findPool(key)).contains(new PoolState(key, 30, 30));
    assertThat(store().leasesOf(HOST)).containsExactly(new QuotaLease(key, HOST, 20, expiresAt));

    UsageRecord second = usageRecord(tenant, userId(), "model-a", 40);
    assertThat(store().settle(HOST, List.of(settlement(second, charge(key, 40))))).containsExactly(second);
    assertThat(store().findPool(key)).contains(new PoolState(key, 70, 10));
    assertThat(store().leasesOf(HOST)).isEmpty();
    assertThat(store().leasesOf(OTHER_HOST)).containsExactly(new QuotaLease(key, OTHER_HOST, 10, expiresAt));
    assertThat(store().findUsage(first.tenantId(), first.requestId())).contains(first);
    assertThat(store().findUsage(second.tenantId(), second.requestId())).contains(second);
  }

  @Test
  void aSettlementWithoutALeaseCreatesThePoolFromItsFreeAllowance() {
    TenantId tenant = tenantId();
    AccountRef ref = stored(AccountRef.tenant(tenant), EVERY_LIMIT).ref();
    PoolKey credits = credits(ref);
    PoolKey tokens = new PoolKey(ref, Meter.TOKENS, minute(4));
    PoolKey requests = new PoolKey(ref, Meter.REQUESTS, minute(4));
    UsageRecord usage = usageRecord(tenant, null, "model-a", 25);

    assertThat(store().settle(HOST, List.of(settlement(usage, charge(credits, 25), charge(tokens, 200),
        charge(requests, 0))))).containsExactly(usage);

    assertThat(store().findPool(credits)).contains(new PoolState(credits, 25, 0));
    assertThat(store().findPool(tokens)).contains(new PoolState(tokens, 200, 0));
    assertThat(store().findPool(requests)).isEmpty();
  }

  @Test
  void aReplayedSettlementIsSkippedWithItsCharges() {
    TenantId tenant = tenantId();
    PoolKey key = credits(stored(AccountRef.tenant(tenant), QuotaLimits.budget(1_000, ResetPeriod.NONE)).ref());
    UsageRecord usage = usageRecord(tenant, userId(), "model-a", 30);
    store().lease(key, 1, 100, HOST, expiry());
    assertThat(store().settle(HOST, List.of(settlement(usage, charge(key, 30))))).containsExactly(usage);

    UsageRecord replay = new UsageRecord(usage.requestId(), tenant, null, null, "model-b", null, 1, 1, 1, 500, 0,
        null, ModelPrice.ONE, UsageStatus.FAILED, "UPSTREAM_UNAVAILABLE", 1, nextInstant(), nextInstant(), null, null,
        OTHER_HOST);
    UsageRecord fresh = usageRecord(tenant, userId(), "model-a", 5);
    assertThat(store().settle(HOST, List.of(settlement(usage, charge(key, 30))))).isEmpty();
    assertThat(store().settle(OTHER_HOST, List.of(settlement(replay, charge(key, 500)), settlement(fresh,
        charge(key, 5))))).containsExactly(fresh);

    assertThat(store().findUsage(usage.tenantId(), usage.requestId())).contains(usage);
    assertThat(store().findPool(key)).contains(new PoolState(key, 35, 70));
    assertThat(store().dailyUsage(tenant, DAY, DAY, null, null)).extracting(DailyUsage::requests, DailyUsage::cost)
        .containsExactlyInAnyOrder(tuple(1L, 30L),
            tuple(1L, 5L));
  }

  @Test
  void aShortfallChargesEveryPoolOfTheMeterAlikeAndLowersTheCost() {
    TenantId tenant = tenantId();
    UserId user = userId();
    PoolKey tenantCredits = credits(stored(AccountRef.tenant(tenant), QuotaLimits.budget(100, ResetPeriod.NONE))
        .ref());
    AccountRef userRef = stored(AccountRef.user(tenant, user), new QuotaLimits(1_000L, ResetPeriod.NONE, null,
        1_000L, null)).ref();
    PoolKey userCredits = credits(userRef);
    PoolKey userTokens = new PoolKey(userRef, Meter.TOKENS, minute(5));
    Instant expiresAt = expiry();
    // This host holds 10 of the tenant's budget, another 85: 5 are free.
    store().lease(tenantCredits, 1, 10, HOST, expiresAt);
    store().lease(tenantCredits, 1, 85, OTHER_HOST, expiresAt);
    store().lease(userCredits, 1, 100, HOST, expiresAt);
    UsageRecord usage = usageRecord(tenant, user, "model-a", 40);

    List<UsageRecord> written = store().settle(HOST, List.of(settlement(usage, charge(userCredits, 40),
        charge(tenantCredits, 40), charge(userTokens, 220))));

    UsageRecord capped = usage.withCharged(15);
    assertThat(capped.cost()).isEqualTo(15);
    assertThat(capped.uncharged()).isEqualTo(25);
    assertThat(written).containsExactly(capped);
    assertThat(store().findUsage(usage.tenantId(), usage.requestId())).contains(capped);
    assertThat(store().findPool(tenantCredits)).contains(new PoolState(tenantCredits, 15, 85));
    assertThat(store().findPool(userCredits)).contains(new PoolState(userCredits, 15, 85));
    assertThat(store().findPool(userTokens)).contains(new PoolState(userTokens, 220, 0));
    assertThat(store().leasesOf(HOST)).extracting(QuotaLease::key, QuotaLease::amount)
        .containsExactly(tuple(userCredits, 85L));

    // Nothing is free any more: the next request is charged nothing, and the pool stays within its limit.
    UsageRecord next = usageRecord(tenant, user, "model-a", 10);
    assertThat(store().settle(HOST, List.of(settlement(next, charge(userCredits, 10), charge(tenantCredits, 10)))))
        .containsExactly(next.withCharged(0));
    assertThat(store().findPool(tenantCredits)).contains(new PoolState(tenantCredits, 15, 85));
    assertThat(store().findPool(userCredits)).contains(new PoolState(userCredits, 15, 85));
    assertThat(store().dailyUsage(tenant, DAY, DAY, user, "model-a")).singleElement()
        .satisfies(d -> assertThat(d.cost()).isEqualTo(15))
        .satisfies(d -> assertThat(d.requests()).isEqualTo(2));
  }

  @Test
  void settlementsOfABatchAreChargedInTheirOrder() {
    TenantId tenant = tenantId();
    PoolKey key = credits(stored(AccountRef.tenant(tenant), QuotaLimits.budget(100, ResetPeriod.NONE)).ref());
    store().lease(key, 1, 60, HOST, expiry());
    List<Settlement> batch = new ArrayList<>();
    for (long cost : new long[] {30, 50, 40, 0, 10}) {
      batch.add(settlement(usageRecord(tenant, userId(), "model-a", cost), charge(key, cost)));
    }

    List<UsageRecord> written = store().settle(HOST, batch);

    assertThat(written).extracting(UsageRecord::cost).containsExactly(30L, 50L, 20L, 0L, 0L);
    assertThat(written).extracting(UsageRecord::uncharged).containsExactly(0L, 0L, 20L, 0L, 10L);
    assertThat(written).extracting(UsageRecord::requestId)
        .containsExactlyElementsOf(batch.stream().map(s -> s.usage().requestId()).toList());
    assertThat(store().findPool(key)).contains(new PoolState(key, 100, 0));
    assertThat(store().leasesOf(HOST)).isEmpty();
  }

  @Test
  void aLargeBatchIsChargedAsOneSettlementAfterAnother() {
    TenantId tenant = tenantId();
    List<PoolKey> keys = new ArrayList<>();
    storage().inTransaction(stores -> {
      for (int i = 0; i < 150; i++) {
        QuotaAccount account = quotaAccount(AccountRef.user(tenant, userId()),
            QuotaLimits.budget(25, ResetPeriod.NONE));
        stores.quota().insertAccount(account);
        keys.add(credits(account.ref()));
      }
      return null;
    });
    PoolKey shared = credits(stored(AccountRef.tenant(tenant), QuotaLimits.budget(10_000, ResetPeriod.NONE)).ref());
    store().lease(shared, 1, 1_000, HOST, expiry());
    List<Settlement> batch = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      batch.add(settlement(usageRecord(tenant, null, "model-a", 20), charge(keys.get(i % keys.size()), 20),
          charge(shared, 20)));
    }

    List<UsageRecord> written = store().settle(HOST, batch);

    // Every user's 25 covers the first 20 and 5 of the second.
    assertThat(written.subList(0, 150)).allSatisfy(r -> assertThat(r.cost()).isEqualTo(20));
    assertThat(written.subList(150, 300)).allSatisfy(r -> assertThat(r.cost()).isEqualTo(5));
    for (PoolKey key : keys) {
      assertThat(store().findPool(key)).contains(new PoolState(key, 25, 0));
    }
    assertThat(store().findPool(shared)).contains(new PoolState(shared, 3_750, 0));
    assertThat(store().settle(HOST, batch)).isEmpty();
    assertThat(store().findPool(shared)).contains(new PoolState(shared, 3_750, 0));
  }

  @Test
  void chargesToAMissingAccountAreSkipped() {
    TenantId tenant = tenantId();
    PoolKey missing = credits(AccountRef.user(tenant, userId()));
    PoolKey present = credits(stored(AccountRef.tenant(tenant), QuotaLimits.budget(100, ResetPeriod.NONE)).ref());
    UsageRecord usage = usageRecord(tenant, null, "model-a", 500);
    UsageRecord uncounted = usageRecord(tenant, null, null, 7);

    assertThat(store().settle(HOST, List.of(settlement(usage, charge(missing, 500), charge(present, 500)),
        settlement(uncounted, charge(missing, 7))))).containsExactly(usage.withCharged(100), uncounted);

    assertThat(store().findPool(missing)).isEmpty();
    assertThat(store().findPool(present)).contains(new PoolState(present, 100, 0));
  }

  @Test
  void aUsageRecordWithEveryComponentRoundTripsAndOneWithNone() {
    TenantId tenant = tenantId();
    UsageRecord full = new UsageRecord(requestId() + "!#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", tenant,
        userId(), tokenId(), "vendor/model-a:latest", "channel-7", 1_234_567, 89_012, 3_456, 987_654_321, 12_345,
        new PriceId(randomId(PriceId.PREFIX)), 12_500, UsageStatus.FAILED, "UPSTREAM_UNAVAILABLE", 98_765,
        nextInstant(), nextInstant(), "2001:db8::1", "Mozilla/5.0 (X11; Linux) — 中文 ✓ \"quoted\"",
        "host-a.example");
    UsageRecord bare = new UsageRecord(requestId(), tenant, null, null, null, null, 0, 0, 0, 0, 0, null, 0,
        UsageStatus.RELEASED, null, 0, nextInstant(), nextInstant(), null, null, HOST);

    assertThat(store().settle(HOST, List.of(new Settlement(full, DAY, List.of()), new Settlement(bare, DAY,
        List.of())))).containsExactly(full, bare);

    assertThat(store().findUsage(full.tenantId(), full.requestId())).contains(full);
    assertThat(store().findUsage(bare.tenantId(), bare.requestId())).contains(bare);
    assertThat(store().findUsage(tenant, requestId())).isEmpty();
    assertThat(store().findUsage(tenantId(), full.requestId())).isEmpty();
  }

  @Test
  void requestIdsAreUniqueWithinATenantOnly() {
    UsageRecord ours = usageRecord(tenantId(), userId(), null, 40);
    UsageRecord theirs = new UsageRecord(ours.requestId(), tenantId(), null, null, null, null, 0, 0, 0, 7, 0, null,
        0, UsageStatus.SUCCEEDED, null, 0, nextInstant(), nextInstant(), null, null, HOST);

    assertThat(store().settle(HOST, List.of(new Settlement(ours, DAY, List.of()),
        new Settlement(theirs, DAY, List.of())))).containsExactly(ours, theirs);
    // a replay of either is skipped; the other tenant's record stays its own
    assertThat(store().settle(HOST, List.of(new Settlement(theirs, DAY, List.of())))).isEmpty();
    assertThat(store().findUsage(ours.tenantId(), ours.requestId())).contains(ours);
    assertThat(store().findUsage(theirs.tenantId(), theirs.requestId())).contains(theirs);
  }

  @Test
  void dailyStatisticsAddUpPerDayUserAndModel() {
    TenantId tenant = tenantId();
    UserId alice = userId();
    UserId bob = userId();
    LocalDate next = DAY.plusDays(1);
    List<Settlement> batch = List.of(
        new Settlement(usageRecord(tenant, alice, "model-a", 10), DAY, List.of()),
        new Settlement(usageRecord(tenant, alice, "model-a", 20), DAY, List.of()),
        new Settlement(withStatus(usageRecord(tenant, alice, "model-a", 3), UsageStatus.FAILED), DAY, List.of()),
        new Settlement(usageRecord(tenant, alice, "model-b", 5), DAY, List.of()),
        new Settlement(usageRecord(tenant, bob, "model-a", 7), DAY, List.of()),
        new Settlement(usageRecord(tenant, null, null, 11), DAY, List.of()),
        new Settlement(withStatus(usageRecord(tenant, null, "model-a", 0), UsageStatus.EXPIRED), DAY, List.of()),
        new Settlement(usageRecord(tenant, alice, "model-a", 13), next, List.of()),
        new Settlement(usageRecord(tenantId(), alice, "model-a", 17), DAY, List.of()));
    store().settle(HOST, batch.subList(0, 4));
    store().settle(HOST, batch.subList(4, batch.size()));
    store().settle(HOST, List.of(new Settlement(withStatus(usageRecord(tenant, bob, "model-a", 0),
        UsageStatus.RELEASED), DAY, List.of())));

    List<UserId> users = new ArrayList<>(List.of(alice, bob));
    users.sort(Comparator.comparing(UserId::value));
    List<DailyUsage> day = new ArrayList<>();
    day.add(new DailyUsage(tenant, DAY, null, null, 1, 0, 120, 80, 20, 11));
    day.add(new DailyUsage(tenant, DAY, null, "model-a", 1, 1, 120, 80, 20, 0));
    for (UserId user : users) {
      if (user.equals(alice)) {
        day.add(new DailyUsage(tenant, DAY, alice, "model-a", 3, 1, 360, 240, 60, 33));
        day.add(new DailyUsage(tenant, DAY, alice, "model-b", 1, 0, 120, 80, 20, 5));
      } else {
        day.add(new DailyUsage(tenant, DAY, bob, "model-a", 2, 1, 240, 160, 40, 7));
      }
    }
    DailyUsage nextDay = new DailyUsage(tenant, next, alice, "model-a", 1, 0, 120, 80, 20, 13);

    assertThat(store().dailyUsage(tenant, DAY, DAY, null, null)).containsExactlyElementsOf(day);
    List<DailyUsage> both = new ArrayList<>(day);
    both.add(nextDay);
    assertThat(store().dailyUsage(tenant, DAY.minusDays(30), next, null, null)).containsExactlyElementsOf(both);
    assertThat(store().dailyUsage(tenant, next, next.plusDays(30), null, null)).containsExactly(nextDay);
    assertThat(store().dailyUsage(tenant, DAY, next, alice, null)).containsExactly(
        new DailyUsage(tenant, DAY, alice, "model-a", 3, 1, 360, 240, 60, 33),
        new DailyUsage(tenant, DAY, alice, "model-b", 1, 0, 120, 80, 20, 5), nextDay);
    assertThat(store().dailyUsage(tenant, DAY, next, null, "model-b"))
        .containsExactly(new DailyUsage(tenant, DAY, alice, "model-b", 1, 0, 120, 80, 20, 5));
    assertThat(store().dailyUsage(tenant, DAY, DAY, bob, "model-a")).containsExactly(
        new DailyUsage(tenant, DAY, bob, "model-a", 2, 1, 240, 160, 40, 7));
    assertThat(store().dailyUsage(tenant, DAY.plusDays(2), DAY.plusDays(9), null, null)).isEmpty();
    assertThat(store().dailyUsage(tenantId(), DAY, next, null, null)).isEmpty();
  }

  @Test
  void settleArgumentsAreChecked() {
    TenantId tenant = tenantId();
    UsageRecord usage = usageRecord(tenant, null, null, 1);
    Settlement settlement = new Settlement(usage, DAY, List.of());

    assertThat(store().settle(HOST, List.of())).isEmpty();
    assertInvalid(() -> store().settle(null, List.of(settlement)), "hostId");
    assertInvalid(() -> store().settle(HOST, null), "settlements");
    assertThatThrownBy(() -> store().settle(HOST, List.of(settlement, settlement)))
        .isInstanceOfSatisfying(NeuraSeaException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    assertThat(store().findUsage(usage.tenantId(), usage.requestId())).isEmpty();
  }

  // ---- renewing and expiring leases

  @Test
  void renewingMovesTheExpiryOfEveryLeaseOfTheHost() {
    AccountRef ref = stored(AccountRef.tenant(tenantId()), EVERY_LIMIT).ref();
    PoolKey credits = credits(ref);
    PoolKey tokens = new PoolKey(ref, Meter.TOKENS, minute(2));
    Instant expiresAt = expiry();
    store().lease(credits, 1, 10, HOST, expiresAt);
    store().lease(tokens, 1, 10, HOST, expiresAt.plusSeconds(5));
    store().lease(credits, 1, 10, OTHER_HOST, expiresAt);
    Instant renewed = expiresAt.plusSeconds(60);

    assertThat(store().renewLeases(HOST, renewed)).isEqualTo(2);
    assertThat(store().renewLeases("host-without-leases", renewed)).isZero();

    assertThat(store().leasesOf(HOST)).extracting(QuotaLease::expiresAt).containsOnly(renewed).hasSize(2);
    assertThat(store().leasesOf(OTHER_HOST)).containsExactly(new QuotaLease(credits, OTHER_HOST, 10, expiresAt));
  }

  @Test
  void leasesOfAHostAreItsOwn() {
    TenantId tenant = tenantId();
    AccountRef user = stored(AccountRef.user(tenant, userId()), EVERY_LIMIT).ref();
    AccountRef whole = stored(AccountRef.tenant(tenant), EVERY_LIMIT).ref();
    Instant expiresAt = expiry();
    List<PoolKey> keys = List.of(credits(user), new PoolKey(user, Meter.TOKENS, minute(2)),
        new PoolKey(user, Meter.TOKENS, minute(1)), credits(whole));
    keys.forEach(key -> store().lease(key, 1, 3, HOST, expiresAt));
    store().lease(credits(user), 1, 3, OTHER_HOST, expiresAt);

    List<QuotaLease> leases = store().leasesOf(HOST);

    assertThat(leases).extracting(QuotaLease::key).containsExactlyInAnyOrderElementsOf(keys);
    assertThat(leases).allSatisfy(l -> assertThat(l.amount()).isEqualTo(3))
        .allSatisfy(l -> assertThat(l.hostId()).isEqualTo(HOST));
    assertThat(store().leasesOf("host-without-leases")).isEmpty();
  }

  @Test
  void expiredLeasesReturnToTheirPools() {
    AccountRef ref = stored(AccountRef.tenant(tenantId()), EVERY_LIMIT).ref();
    PoolKey credits = credits(ref);
    PoolKey tokens = new PoolKey(ref, Meter.TOKENS, minute(2));
    Instant now = nextInstant();
    QuotaLease first = new QuotaLease(credits, HOST, 10, now.minusSeconds(30));
    QuotaLease second = new QuotaLease(tokens, HOST, 20, now.minusSeconds(20));
    QuotaLease third = new QuotaLease(credits, OTHER_HOST, 30, now.minusMillis(1));
    QuotaLease current = new QuotaLease(tokens, OTHER_HOST, 40, now);
    for (QuotaLease lease : List.of(third, current, first, second)) {
      store().lease(lease.key(), 1, lease.amount(), lease.hostId(), lease.expiresAt());
    }

    assertThat(store().expireLeases(now, 0)).isEmpty();
    assertThat(store().expireLeases(now, 2)).containsExactly(first, second);
    assertThat(store().findPool(credits)).contains(new PoolState(credits, 0, 30));
    assertThat(store().findPool(tokens)).contains(new PoolState(tokens, 0, 40));
    assertThat(store().leasesOf(HOST)).isEmpty();

    assertThat(store().expireLeases(now, 10)).containsExactly(third);
    assertThat(store().expireLeases(now, 10)).isEmpty();
    assertThat(store().findPool(credits)).contains(new PoolState(credits, 0, 0));
    assertThat(store().leasesOf(OTHER_HOST)).containsExactly(current);
    assertInvalid(() -> store().expireLeases(now, -1), "limit");
  }

  @Test
  void aRenewedLeaseDoesNotExpire() {
    PoolKey key = credits(stored(AccountRef.tenant(tenantId()), EVERY_LIMIT).ref());
    Instant now = nextInstant();
    store().lease(key, 1, 10, HOST, now.minusSeconds(1));

    store().renewLeases(HOST, now.plusSeconds(60));

    assertThat(store().expireLeases(now, 10)).isEmpty();
    assertThat(store().findPool(key)).contains(new PoolState(key, 0, 10));
  }

  // ---- stale pools

  @Test
  void stalePerMinutePoolsWithNothingLeasedAreDeleted() {
    TenantId tenant = tenantId();
    AccountRef ref = stored(AccountRef.tenant(tenant), EVERY_LIMIT).ref();
    PoolKey oldTokens = new PoolKey(ref, Meter.TOKENS, minute(1));
    PoolKey oldRequests = new PoolKey(ref, Meter.REQUESTS, minute(1));
    PoolKey heldRequests = new PoolKey(ref, Meter.REQUESTS, minute(2));
    PoolKey newTokens = new PoolKey(ref, Meter.TOKENS, minute(5));
    PoolKey oldCredits = new PoolKey(ref, Meter.CREDITS, minute(1));
    PoolKey concurrency = new PoolKey(ref, Meter.CONCURRENCY, 0);
    for (PoolKey key : List.of(oldTokens, oldRequests, newTokens, oldCredits)) {
      store().settle(HOST, List.of(settlement(usageRecord(tenant, null, null, 1), charge(key, 1))));
    }
    store().lease(heldRequests, 1, 1, HOST, expiry());
    store().lease(concurrency, 1, 1, HOST, expiry());
    store().returnLease(concurrency, HOST, 1);

    assertThat(store().deleteStalePools(minute(5))).isEqualTo(2);

    assertThat(store().findPool(oldTokens)).isEmpty();
    assertThat(store().findPool(oldRequests)).isEmpty();
    assertThat(store().findPool(heldRequests)).isPresent();
    assertThat(store().findPool(newTokens)).isPresent();
    assertThat(store().findPool(oldCredits)).isPresent();
    assertThat(store().findPool(concurrency)).isPresent();
    assertThat(store().deleteStalePools(minute(5))).isZero();
  }

  // ---- usage listings

  @Test
  void usageIsListedNewestFirstByFilter() {
    TenantId tenant = tenantId();
    UserId alice = userId();
    UserId bob = userId();
    TokenId token = tokenId();
    UsageRecord a1 = usageRecord(tenant, alice, "model-a", 1);
    UsageRecord b1 = withToken(usageRecord(tenant, bob, "model-b", 2), token);
    UsageRecord a2 = withStatus(usageRecord(tenant, alice, "model-b", 3), UsageStatus.FAILED);
    UsageRecord plain = usageRecord(tenant, null, null, 4);
    UsageRecord a3 = withToken(usageRecord(tenant, alice, "model-a", 5), token);
    UsageRecord elsewhere = usageRecord(tenantId(), alice, "model-a", 6);
    settleEach(List.of(a3, plain, elsewhere, a1, b1, a2));

    assertThat(store().listUsage(UsageQuery.of(tenant), ALL)).containsExactly(a3, plain, a2, b1, a1);
    assertThat(store().listUsage(query(tenant, alice, null, null, null, null, null), ALL))
        .containsExactly(a3, a2, a1);
    assertThat(store().listUsage(query(tenant, null, token, null, null, null, null), ALL)).containsExactly(a3, b1);
    assertThat(store().listUsage(query(tenant, null, null, "model-b", null, null, null), ALL))
        .containsExactly(a2, b1);
    assertThat(store().listUsage(query(tenant, null, null, null, UsageStatus.FAILED, null, null), ALL))
        .containsExactly(a2);
    assertThat(store().listUsage(query(tenant, alice, token, "model-a", UsageStatus.SUCCEEDED, null, null), ALL))
        .containsExactly(a3);
    assertThat(store().listUsage(query(tenant, null, null, null, null, b1.finishedAt(), plain.finishedAt()), ALL))
        .containsExactly(a2, b1);
    assertThat(store().listUsage(query(tenant, null, null, null, null, a2.finishedAt(), null), ALL))
        .containsExactly(a3, plain, a2);
    assertThat(store().listUsage(query(tenant, null, null, null, null, null, b1.finishedAt()), ALL))
        .containsExactly(a1);
    assertThat(store().listUsage(UsageQuery.of(tenant), new PageRequest(1, 2))).containsExactly(plain, a2);
    assertThat(store().listUsage(UsageQuery.of(tenant), new PageRequest(4, 2))).containsExactly(a1);
    assertThat(store().listUsage(UsageQuery.of(tenant), new PageRequest(5, 2))).isEmpty();
    assertThat(store().listUsage(UsageQuery.of(tenantId()), ALL)).isEmpty();
  }

  @Test
  void aUsersUsageIsListedAcrossTenantsNewestFirst() {
    UserId alice = userId();
    UsageRecord first = usageRecord(tenantId(), alice, "model-a", 1);
    UsageRecord other = usageRecord(tenantId(), userId(), "model-a", 2);
    UsageRecord second = usageRecord(tenantId(), alice, null, 3);
    UsageRecord third = usageRecord(first.tenantId(), alice, "model-b", 4);
    settleEach(List.of(third, other, first, second));

    assertThat(store().usageOfUser(alice, ALL)).containsExactly(third, second, first);
    assertThat(store().usageOfUser(alice, new PageRequest(1, 1))).containsExactly(second);
    assertThat(store().usageOfUser(userId(), ALL)).isEmpty();
  }

  @Test
  void aUsersUsageDetailsAreErased() {
    TenantId tenant = tenantId();
    UserId alice = userId();
    UsageRecord withDetails = usageRecord(tenant, alice, "model-a", 1);
    UsageRecord otherTenant = usageRecord(tenantId(), alice, "model-a", 2);
    UsageRecord without = withDetails(usageRecord(tenant, alice, "model-a", 3), null, null);
    UsageRecord agentOnly = withDetails(usageRecord(tenant, alice, "model-a", 4), null, "agent/1");
    UsageRecord bobs = usageRecord(tenant, userId(), "model-a", 5);
    settleEach(List.of(withDetails, otherTenant, without, agentOnly, bobs));

    assertThat(store().eraseUsageDetails(alice)).isEqualTo(3);

    for (UsageRecord record : List.of(withDetails, otherTenant, without, agentOnly)) {
      assertThat(store().findUsage(record.tenantId(), record.requestId())).contains(withDetails(record, null, null));
    }
    assertThat(store().findUsage(bobs.tenantId(), bobs.requestId())).contains(bobs);
    assertThat(store().eraseUsageDetails(alice)).isZero();
  }

  @Test
  void usageDetailsOfOldRecordsAreErased() {
    TenantId tenant = tenantId();
    UsageRecord old = usageRecord(tenant, userId(), "model-a", 1);
    UsageRecord ipOnly = withDetails(usageRecord(tenant, null, null, 2), "198.51.100.7", null);
    UsageRecord recent = usageRecord(tenant, userId(), "model-a", 3);
    settleEach(List.of(ipOnly, old, recent));

    assertThat(store().eraseUsageDetailsBefore(recent.finishedAt())).isEqualTo(2);

    assertThat(store().findUsage(old.tenantId(), old.requestId())).contains(withDetails(old, null, null));
    assertThat(store().findUsage(ipOnly.tenantId(), ipOnly.requestId())).contains(withDetails(ipOnly, null, null));
    assertThat(store().findUsage(recent.tenantId(), recent.requestId())).contains(recent);
    assertThat(store().eraseUsageDetailsBefore(recent.finishedAt())).isZero();
  }

  // ---- prices

  @Test
  void pricesAreListedByModelThenTimePlatformFirst() {
    TenantId tenant = tenantId();
    Instant t0 = nextInstant();
    Instant t1 = t0.plus(Duration.ofDays(30));
    ModelPrice platformB = modelPrice(null, "model-b", t0);
    ModelPrice platformA1 = modelPrice(null, "model-a", t1);
    ModelPrice tenantsA1 = new ModelPrice(new PriceId(randomId(PriceId.PREFIX)), tenant, "model-a", t1, 1, 2, 3, 4,
        Map.of("grp_research", 5_000L, "grp_ops:eu-1", 0L, "grp_vip", ModelPrice.MAX_MULTIPLIER), nextInstant());
    ModelPrice platformA0 = modelPrice(null, "model-a", t0);
    ModelPrice othersA0 = modelPrice(tenantId(), "model-a", t0);
    List.of(platformB, platformA1, tenantsA1, platformA0, othersA0).forEach(store()::insertPrice);

    assertThat(store().listPrices(tenant, null)).containsExactly(platformA0, platformA1, tenantsA1, platformB);
    assertThat(store().listPrices(tenant, "model-a")).containsExactly(platformA0, platformA1, tenantsA1);
    assertThat(store().listPrices(null, null)).containsExactly(platformA0, platformA1, platformB);
    assertThat(store().listPrices(null, "model-b")).containsExactly(platformB);
    assertThat(store().listPrices(tenant, "model-c")).isEmpty();
    assertThat(store().listPrices(tenant, "model-a").get(2).groupMultipliers())
        .isEqualTo(tenantsA1.groupMultipliers());
  }

  @Test
  void aPriceVersionIsOnePerTenantModelAndInstant() {
    TenantId tenant = tenantId();
    Instant at = nextInstant();
    ModelPrice platform = modelPrice(null, "model-a", at);
    ModelPrice tenants = modelPrice(tenant, "model-a", at);
    store().insertPrice(platform);
    store().insertPrice(tenants);
    store().insertPrice(modelPrice(tenantId(), "model-a", at));
    store().insertPrice(modelPrice(tenant, "model-b", at));
    ModelPrice later = modelPrice(tenant, "model-a", at.plusMillis(1));
    store().insertPrice(later);

    assertConflict(() -> store().insertPrice(modelPrice(null, "model-a", at)), "effectiveFrom");
    assertConflict(() -> store().insertPrice(modelPrice(tenant, "model-a", at)), "effectiveFrom");
    assertConflict(() -> store().insertPrice(new ModelPrice(platform.id(), tenantId(), "model-z", nextInstant(), 1, 1,
        1, 1, Map.of(), nextInstant())), "id");

    assertThat(store().listPrices(tenant, "model-a")).containsExactly(platform, tenants, later);
  }

  // ---- units of work

  @Test
  void aUnitOfWorkRolledBackByAnExceptionLeavesNothing() {
    TenantId tenant = tenantId();
    QuotaAccount account = quotaAccount(AccountRef.tenant(tenant), EVERY_LIMIT);
    PoolKey key = credits(account.ref());
    UsageRecord usage = usageRecord(tenant, userId(), "model-a", 10);
    ModelPrice price = modelPrice(tenant, "model-a", nextInstant());

    assertThatThrownBy(() -> storage().inTransaction(stores -> {
      QuotaStore quota = stores.quota();
      quota.insertAccount(account);
      assertThat(quota.lease(key, 1, 100, HOST, expiry())).isEqualTo(100);
      assertThat(quota.settle(HOST, List.of(settlement(usage, charge(key, 10))))).containsExactly(usage);
      quota.insertPrice(price);
      assertThat(quota.findPool(key)).contains(new PoolState(key, 10, 90));
      throw new IllegalStateException("the change failed");
    })).isInstanceOf(IllegalStateException.class).hasMessage("the change failed");

    assertThat(store().findAccount(account.ref())).isEmpty();
    assertThat(store().findPool(key)).isEmpty();
    assertThat(store().leasesOf(HOST)).isEmpty();
    assertThat(store().findUsage(usage.tenantId(), usage.requestId())).isEmpty();
    assertThat(store().dailyUsage(tenant, DAY, DAY, null, null)).isEmpty();
    assertThat(store().listPrices(tenant, null)).isEmpty();
  }

  @Test
  void leasesAndSettlementsOfACommittedUnitOfWorkLandTogether() {
    TenantId tenant = tenantId();
    PoolKey key = credits(stored(AccountRef.tenant(tenant), QuotaLimits.budget(100, ResetPeriod.NONE)).ref());
    UsageRecord usage = usageRecord(tenant, null, "model-a", 30);

    storage().inTransaction(stores -> {
      stores.quota().lease(key, 1, 50, HOST, expiry());
      assertThatThrownBy(() -> stores.quota().returnLease(key, HOST, 60))
          .isInstanceOfSatisfying(NeuraSeaException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.FAILED_PRECONDITION));
      stores.quota().settle(HOST, List.of(settlement(usage, charge(key, 30))));
      stores.quota().returnLease(key, HOST, 20);
      return null;
    });

    assertThat(store().findPool(key)).contains(new PoolState(key, 30, 0));
    assertThat(store().leasesOf(HOST)).isEmpty();
    assertThat(store().findUsage(usage.tenantId(), usage.requestId())).contains(usage);
  }

  @Test
  void missingArgumentsAreInvalid() {
    assertInvalid(() -> store().insertAccount(null), "account");
    assertInvalid(() -> store().findAccount(null), "ref");
    assertInvalid(() -> store().listAccounts(null, ALL), "tenantId");
    assertInvalid(() -> store().listAccounts(tenantId(), null), "page");
    assertInvalid(() -> store().updateAccount(null), "next");
    assertInvalid(() -> store().deleteAccount(null), "ref");
    assertInvalid(() -> store().findPool(null), "key");
    assertInvalid(() -> store().renewLeases(null, nextInstant()), "hostId");
    assertInvalid(() -> store().renewLeases(HOST, null), "expiresAt");
    assertInvalid(() -> store().expireLeases(null, 1), "now");
    assertInvalid(() -> store().leasesOf(null), "hostId");
    assertInvalid(() -> store().findUsage(null, "req-1"), "tenantId");
    assertInvalid(() -> store().findUsage(tenantId(), null), "requestId");
    assertInvalid(() -> store().listUsage(null, ALL), "query");
    assertInvalid(() -> store().usageOfUser(null, ALL), "userId");
    assertInvalid(() -> store().dailyUsage(null, DAY, DAY, null, null), "tenantId");
    assertInvalid(() -> store().dailyUsage(tenantId(), DAY, DAY.minusDays(1), null, null), "to");
    assertInvalid(() -> store().eraseUsageDetails(null), "userId");
    assertInvalid(() -> store().eraseUsageDetailsBefore(null), "finishedBefore");
    assertInvalid(() -> store().insertPrice(null), "price");
  }

  // ---- helpers

  private QuotaStore store() {
    return storage().quota();
  }

  private QuotaAccount stored(AccountRef ref, QuotaLimits limits) {
    QuotaAccount account = quotaAccount(ref, limits);
    store().insertAccount(account);
    return account;
  }

  private void settleEach(List<UsageRecord> records) {
    for (UsageRecord record : records) {
      store().settle(record.hostId(), List.of(new Settlement(record, DAY, List.of())));
    }
  }

  private static TenantId tenantId() {
    return new TenantId(randomId(TenantId.PREFIX));
  }

  private static UserId userId() {
    return new UserId(randomId(UserId.PREFIX));
  }

  private static TokenId tokenId() {
    return new TokenId(randomId(TokenId.PREFIX));
  }

  /** The budget pool of an account whose budget never resets. */
  private static PoolKey credits(AccountRef ref) {
    return new PoolKey(ref, Meter.CREDITS, 0);
  }

  /** The start of the n-th minute of 2025, in epoch milliseconds. */
  private static long minute(int n) {
    return Instant.parse("2025-01-01T00:00:00Z").plus(Duration.ofMinutes(n)).toEpochMilli();
  }

  private static Instant expiry() {
    return nextInstant().plus(Duration.ofMinutes(5));
  }

  private static PoolCharge charge(PoolKey key, long amount) {
    return new PoolCharge(key, amount);
  }

  private static Settlement settlement(UsageRecord usage, PoolCharge... charges) {
    return new Settlement(usage, DAY, List.of(charges));
  }

  private static UsageQuery query(TenantId tenant, UserId user, TokenId token, String model, UsageStatus status,
      Instant from, Instant to) {
    return new UsageQuery(tenant, user, token, model, status, from, to);
  }

  private static UsageRecord withStatus(UsageRecord r, UsageStatus status) {
    return new UsageRecord(r.requestId(), r.tenantId(), r.userId(), r.tokenId(), r.model(), r.channel(),
        r.promptTokens(), r.completionTokens(), r.cachedTokens(), r.cost(), r.uncharged(), r.priceId(),
        r.multiplier(), status, status == UsageStatus.SUCCEEDED ? null : "UPSTREAM_UNAVAILABLE", r.latencyMillis(),
        r.startedAt(), r.finishedAt(), r.clientIp(), r.userAgent(), r.hostId());
  }

  private static UsageRecord withToken(UsageRecord r, TokenId token) {
    return new UsageRecord(r.requestId(), r.tenantId(), r.userId(), token, r.model(), r.channel(), r.promptTokens(),
        r.completionTokens(), r.cachedTokens(), r.cost(), r.uncharged(), r.priceId(), r.multiplier(), r.status(),
        r.errorCode(), r.latencyMillis(), r.startedAt(), r.finishedAt(), r.clientIp(), r.userAgent(), r.hostId());
  }

  private static UsageRecord withDetails(UsageRecord r, String clientIp, String userAgent) {
    return new UsageRecord(r.requestId(), r.tenantId(), r.userId(), r.tokenId(), r.model(), r.channel(),
        r.promptTokens(), r.completionTokens(), r.cachedTokens(), r.cost(), r.uncharged(), r.priceId(),
        r.multiplier(), r.status(), r.errorCode(), r.latencyMillis(), r.startedAt(), r.finishedAt(), clientIp,
        userAgent, r.hostId());
  }

  private static void assertCode(ThrowingCallable call, ErrorCode code) {
    assertThatThrownBy(call).isInstanceOfSatisfying(NeuraSeaException.class,
        e -> assertThat(e.code()).as("error code").isEqualTo(code));
  }
}
