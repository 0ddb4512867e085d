package com.neurasea.quota;

import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.Backends;
import com.neurasea.NeuraSea;
import com.neurasea.TestPlatform;
import com.neurasea.model.AccountRef;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.Meter;
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
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A host killed with SIGKILL while it holds leases, open reservations and settlements not yet in the
 * store: when it restarts with its journal, every settlement is written once, each open reservation
 * is recorded as expired, its leases go back, and the books balance; a host that never comes back
 * has its holds returned by the other hosts once its leases expire.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"sqlite", "postgres"})
class QuotaCrashTest {
  private static final long BUDGET = 100_000;

  @RegisterExtension final FreshStorage fresh;
  final String backend;
  @TempDir Path dir;
  Tenant acme;
  User alice;
  AccountRef account;

  QuotaCrashTest(String backend) {
    this.backend = backend;
    this.fresh = Backends.fresh(backend);
  }

  private void setUpTenant() {
    try (TestPlatform t = new TestPlatform(fresh.open(), dir, AccessCacheSettings.DEFAULT)) {
      acme = t.tenant("acme");
      alice = t.user(acme, "alice", BuiltInRole.MEMBER);
      account = AccountRef.user(acme.id(), alice.id());
      t.platform.quotas().setLimits(t.admin.inTenant(acme.id()), account, QuotaLimits.budget(BUDGET, ResetPeriod.NONE));
    }
  }

  @Test
  void aKilledHostRestartedWithItsJournalLosesNothingAndReturnsItsHolds() throws Exception {
    setUpTenant();
    Path journal = dir.resolve("journal");
    runChildUntilKilled(journal.toString(), 300, 120);
    try (Storage storage = fresh.open()) {
      PoolState before = pool(storage);
      assertThat(before.used()).as("only the first 120 settlements reached the store").isEqualTo(120 * QuotaCrashChild.COST);
      assertThat(before.leased()).as("the dead host still holds its leases").isPositive();
    }
    try (Storage storage = fresh.open();
        NeuraSea restarted = NeuraSea.builder().storage(storage).keyFile(dir.resolve("neurasea.key"))
            .quotaSettings(QuotaSettings.DEFAULT.withJournal(journal)).build()) {
      assertThat(restarted.quotaEngine().hostId()).isEqualTo("crashy");
      List<UsageRecord> records = usage(storage);
      assertThat(records).hasSize(QuotaCrashChild.SETTLED + QuotaCrashChild.OPEN);
      assertThat(records.stream().filter(r -> r.status() == UsageStatus.EXPIRED))
          .hasSize(QuotaCrashChild.OPEN).allSatisfy(r -> assertThat(r.errorCode()).isEqualTo("host_crashed"));
      PoolState after = pool(storage);
      long recorded = records.stream().mapToLong(UsageRecord::cost).sum();
      assertThat(recorded).isEqualTo(QuotaCrashChild.SETTLED * QuotaCrashChild.COST);
      assertThat(after.used()).as("the books balance").isEqualTo(recorded);
      assertThat(after.leased()).as("the lost holds are back").isZero();
    }
  }

  @Test
  void theHoldsOfAHostThatNeverComesBackReturnWhenItsLeasesExpire() throws Exception {
    setUpTenant();
    runChildUntilKilled("-", 2, QuotaCrashChild.SETTLED);
    try (Storage storage = fresh.open();
        NeuraSea other = NeuraSea.builder().storage(storage).keyFile(dir.resolve("neurasea.key"))
            .quotaSettings(QuotaSettings.DEFAULT.withTimings(Duration.ofSeconds(3), Duration.ofMinutes(10),
                Duration.ofMillis(50))).build()) {
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (pool(storage).leased() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      PoolState after = pool(storage);
      assertThat(after.leased()).as("expired leases returned").isZero();
      assertThat(after.used()).isEqualTo(QuotaCrashChild.SETTLED * QuotaCrashChild.COST);
      assertThat(usage(storage).stream().mapToLong(UsageRecord::cost).sum()).isEqualTo(after.used());
      // the whole rest of the budget can be reserved again
      Chain chain = other.quotaEngine().chainOf(TestPlatform.as(alice, acme));
      long rest = BUDGET - after.used();
      other.quotaEngine().release(other.quotaEngine().reserve(chain, rest, "all-the-rest"), null);
    }
  }

  private void runChildUntilKilled(String journal, long leaseTtlSeconds, int writtenFirst) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), QuotaCrashChild.class.getName(), backend,
        dir.resolve("neurasea.key").toString(), acme.id().value(), alice.id().value(), journal,
        Long.toString(leaseTtlSeconds), Integer.toString(writtenFirst)));
    fresh.settings().forEach((k, v) -> command.add(k + "=" + v));
    Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null && !line.equals("READY")) {
        // wait
      }
      assertThat(line).as("the child got ready").isEqualTo("READY");
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
  }

  private PoolState pool(Storage storage) {
    PoolKey key = new PoolKey(account, Meter.CREDITS, 0);
    return storage.quota().findPool(key).orElse(new PoolState(key, 0, 0));
  }

  private List<UsageRecord> usage(Storage storage) {
    return storage.quota().listUsage(UsageQuery.of(acme.id()), PageRequest.first(1000));
  }
}
