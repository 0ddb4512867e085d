package com.neurasea.quota;

import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.Backends;
import com.neurasea.TestPlatform;
import com.neurasea.model.AccountRef;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.Caller;
import com.neurasea.model.CreateGroup;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.Meter;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PageRequest;
import com.neurasea.model.PoolKey;
import com.neurasea.model.PoolState;
import com.neurasea.model.QuotaLimits;
import com.neurasea.model.ResetPeriod;
import com.neurasea.model.Tenant;
import com.neurasea.model.UsageQuery;
import com.neurasea.model.UsageRecord;
import com.neurasea.model.UsageStatus;
import com.neurasea.model.User;
import com.neurasea.permissions.AccessCacheSettings;
import com.neurasea.spi.Storage;
import com.neurasea.tck.FreshStorage;
import com.neurasea.tck.TckFixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many threads run randomized reserve / settle / release / retry sequences against small limits, in
 * several configurations of chains and limits (one test body, many configurations, invariants checked
 * after each, in the manner of Caffeine's cache specs). After the instance closes:
 * <ul>
 *   <li>every account's spent credits equal the sum of its usage records' costs and never exceed its
 *       budget;</li>
 *   <li>every reservation ended in exactly one usage record, whose status matches how it ended;</li>
 *   <li>a requests-per-minute limit admitted at most its number in the (frozen) minute;</li>
 *   <li>nothing is left leased.</li>
 * </ul>
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"sqlite", "postgres"})
class QuotaInvariantTest {
  /** Chains and limits the same randomized run is checked under. */
  enum Config {
    /** One user with a small budget. */
    USER_BUDGET(1, false, 400L, null, null, null, null),
    /** Two users whose small tenant budget is the binding one. */
    TENANT_BUDGET_TWO_USERS(2, false, 5_000L, 300L, null, null, null),
    /** Users in a group whose budget binds, with a requests-per-minute limit on the tenant. */
    GROUP_BUDGET_AND_RPM(2, true, 5_000L, null, 250L, 120L, null),
    /** A budget with a concurrency limit. */
    BUDGET_AND_CONCURRENCY(1, false, 600L, null, null, null, 3L),
    /** Tokens per minute and a budget. */
    TOKENS_PER_MINUTE(2, false, 800L, 2_000L, null, null, null);

    final int users;
    final boolean group;
    final Long userBudget;
    final Long tenantBudget;
    final Long groupBudget;
    final Long tenantRpm;
    final Long userConcurrency;

    Config(int users, boolean group, Long userBudget, Long tenantBudget, Long groupBudget, Long tenantRpm,
        Long userConcurrency) {
      this.users = users;
      this.group = group;
      this.userBudget = userBudget;
      this.tenantBudget = tenantBudget;
      this.groupBudget = groupBudget;
      this.tenantRpm = tenantRpm;
      this.userConcurrency = userConcurrency;
    }
  }

  private static final int THREADS = 8;
  private static final int OPERATIONS = 150;

  @RegisterExtension final FreshStorage fresh;
  @TempDir Path dir;
  TestPlatform t;

  QuotaInvariantTest(String backend) {
    this.fresh = Backends.fresh(backend);
  }

  @BeforeEach
  void setUp() {
    t = new TestPlatform(fresh.storage(), dir, AccessCacheSettings.DEFAULT);
  }

  @AfterEach
  void tearDown() {
    t.platform.close();
  }

  @ParameterizedTest
  @EnumSource(Config.class)
  void invariantsHoldUnderRandomizedConcurrentUse(Config config) throws Exception {
    Tenant acme = t.tenant("acme");
    User tadmin = t.user(acme, "tadmin", BuiltInRole.TENANT_ADMIN);
    Caller admin = TestPlatform.as(tadmin, acme);
    QuotaService quotas = t.platform.quotas();
    QuotaEngine engine = t.platform.quotaEngine();
    var group = config.group ? t.platform.groups().createGroup(admin, new CreateGroup("team", null)) : null;
    List<Chain> chains = new ArrayList<>();
    Map<AccountRef, Long> budgets = new HashMap<>();
    for (int i = 0; i < config.users; i++) {
      User user = t.user(acme, "user" + i, BuiltInRole.MEMBER);
      if (group != null) {
        t.platform.groups().addGroupMember(admin, group.id(), user.id());
      }
      AccountRef ref = AccountRef.user(acme.id(), user.id());
      quotas.setLimits(admin, ref, new QuotaLimits(config.userBudget, ResetPeriod.DAILY, null,
          config == Config.TOKENS_PER_MINUTE ? 1_500L : null, config.userConcurrency));
      budgets.put(ref, config.userBudget);
      chains.add(engine.chainOf(TestPlatform.as(user, acme)));
    }
    AccountRef tenantRef = AccountRef.tenant(acme.id());
    if (config.tenantBudget != null || config.tenantRpm != null) {
      quotas.setLimits(admin, tenantRef, new QuotaLimits(config.tenantBudget, ResetPeriod.MONTHLY, config.tenantRpm,
          null, null));
      if (config.tenantBudget != null) {
        budgets.put(tenantRef, config.tenantBudget);
      }
    }
    if (group != null) {
      AccountRef groupRef = AccountRef.group(acme.id(), group.id());
      quotas.setLimits(admin, groupRef, QuotaLimits.budget(config.groupBudget, ResetPeriod.NONE));
      budgets.put(groupRef, config.groupBudget);
    }

    Map<String, UsageStatus> expected = new ConcurrentHashMap<>();
    Set<String> leftOpen = ConcurrentHashMap.newKeySet();
    AtomicInteger admitted = new AtomicInteger();
    AtomicInteger ids = new AtomicInteger();
    TckFixtures.concurrently(THREADS, thread -> {
      SplittableRandom random = new SplittableRandom(config.ordinal() * 1000L + thread);
      for (int op = 0; op < OPERATIONS; op++) {
        Chain chain = chains.get(random.nextInt(chains.size()));
        String id = "req-" + ids.incrementAndGet();
        long maxCost = random.nextInt(40);
        long maxTokens = random.nextInt(300);
        Reservation r;
        try {
          r = engine.reserve(chain, maxCost, maxTokens, id);
        } catch (NeuraSeaException e) {
          assertThat(e.code()).isIn(ErrorCode.QUOTA_EXCEEDED, ErrorCode.RATE_LIMITED);
          continue;
        }
        admitted.incrementAndGet();
        int choice = random.nextInt(10);
        if (choice < 6) {
          long cost = random.nextInt(60); // sometimes above what was reserved
          long tokens = random.nextInt(400);
          UsageRecord record = engine.settle(r, new Usage(null, null, tokens, 0, 0, cost, null, null, null, null));
          assertThat(record.cost() + record.uncharged()).isEqualTo(cost);
          expected.put(id, UsageStatus.SUCCEEDED);
          if (random.nextBoolean()) {
            assertThat(engine.settle(r, cost + 1)).isEqualTo(record); // a retried settle never charges twice
          }
        } else if (choice < 9) {
          engine.release(r, "test");
          expected.put(id, UsageStatus.RELEASED);
          if (random.nextBoolean()) {
            engine.release(r, "again");
          }
        } else {
          leftOpen.add(id);
          expected.put(id, UsageStatus.EXPIRED);
        }
      }
    });
    t.platform.close();

    Storage storage = t.storage;
    List<UsageRecord> records = allUsage(storage, acme.id());
    assertThat(records).hasSize(expected.size());
    for (UsageRecord record : records) {
      assertThat(record.status()).as(record.requestId()).isEqualTo(expected.get(record.requestId()));
    }
    assertThat(records.stream().filter(r -> r.status() == UsageStatus.EXPIRED).count()).isEqualTo(leftOpen.size());
    long now = t.clock.millis();
    budgets.forEach((ref, budget) -> {
      ResetPeriod period = storage.quota().findAccount(ref).orElseThrow().limits().period();
      long start = period.periodStart(t.clock.instant(), java.time.ZoneOffset.UTC);
      PoolState pool = storage.quota().findPool(new PoolKey(ref, Meter.CREDITS, start))
          .orElse(new PoolState(new PoolKey(ref, Meter.CREDITS, start), 0, 0));
      long spentByRecords = records.stream().filter(r -> charges(ref, r)).mapToLong(UsageRecord::cost).sum();
      assertThat(pool.used()).as("spent on " + ref).isEqualTo(spentByRecords).isLessThanOrEqualTo(budget);
      assertThat(pool.leased()).as("left leased on " + ref).isZero();
    });
    assertThat(storage.quota().leasesOf(t.platform.quotaEngine().hostId())).isEmpty();
    if (config.tenantRpm != null) {
      long minute = now - Math.floorMod(now, 60_000L);
      PoolState rpm = storage.quota().findPool(new PoolKey(tenantRef, Meter.REQUESTS, minute)).orElseThrow();
      assertThat(rpm.used()).isEqualTo(admitted.get()).isLessThanOrEqualTo(config.tenantRpm);
    }
  }

  /** Every usage record of a tenant, read page by page. */
  static List<UsageRecord> allUsage(Storage storage, com.neurasea.model.TenantId tenantId) {
    List<UsageRecord> records = new ArrayList<>();
    for (int offset = 0; ; offset += 1000) {
      List<UsageRecord> page = storage.quota().listUsage(UsageQuery.of(tenantId), new PageRequest(offset, 1000));
      records.addAll(page);
      if (page.size() < 1000) {
        return records;
      }
    }
  }

  private static boolean charges(AccountRef ref, UsageRecord record) {
    return switch (ref.level()) {
      case TENANT, GROUP -> true;
      case USER -> ref.subjectId().equals(record.userId().value());
      case TOKEN -> record.tokenId() != null && ref.subjectId().equals(record.tokenId().value());
    };
  }
}
