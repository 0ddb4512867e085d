package com.neurasea.quota;

import static com.neurasea.Errors.thrown;
import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.TestPlatform;
import com.neurasea.model.AccountRef;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.Meter;
import com.neurasea.model.PoolKey;
import com.neurasea.model.QuotaLimits;
import com.neurasea.model.ResetPeriod;
import com.neurasea.model.Tenant;
import com.neurasea.model.UsageRecord;
import com.neurasea.model.User;
import com.neurasea.permissions.AccessCacheSettings;
import com.neurasea.store.sqlite.SqliteStorage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store out of reach while requests go on (another process holds SQLite's write lock): holds are
 * still served from the host's lease, settlements wait in memory and a flush fails with
 * {@code UNAVAILABLE} without losing any; once the store is back everything is written exactly once.
 */
class QuotaStoreOutageTest {
  @TempDir Path dir;

  @Test
  void settlementsMadeWhileTheStoreIsUnreachableAreWrittenOnceItIsBack() throws Exception {
    Path file = dir.resolve("neurasea.db");
    try (TestPlatform t = new TestPlatform(SqliteStorage.builder().path(file).busyTimeout(Duration.ofMillis(50))
        .build(), dir, AccessCacheSettings.DEFAULT)) {
      Tenant acme = t.tenant("acme");
      User alice = t.user(acme, "alice", BuiltInRole.MEMBER);
      AccountRef ref = AccountRef.user(acme.id(), alice.id());
      t.platform.quotas().setLimits(t.admin.inTenant(acme.id()), ref, QuotaLimits.budget(1_600, ResetPeriod.NONE));
      QuotaEngine engine = t.platform.quotaEngine();
      Chain chain = engine.chainOf(TestPlatform.as(alice, acme));
      engine.release(engine.reserve(chain, 100, "warm-up"), null); // leases a block: 1/16 of the budget
      engine.flush();

      try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
          Statement lock = other.createStatement()) {
        lock.execute("BEGIN EXCLUSIVE");
        for (int i = 0; i < 5; i++) {
          engine.settle(engine.reserve(chain, 20, "during-" + i), 10); // served from the lease
        }
        assertThat(thrown(engine::flush).code()).isEqualTo(ErrorCode.UNAVAILABLE);
        lock.execute("ROLLBACK");
      }

      engine.flush(); // (the background may have been first)
      var records = QuotaInvariantTest.allUsage(t.storage, acme.id());
      assertThat(records).hasSize(6); // the warm-up and the five, once each
      assertThat(records.stream().mapToLong(UsageRecord::cost).sum()).isEqualTo(50);
      assertThat(t.storage.quota().findPool(new PoolKey(ref, Meter.CREDITS, 0)).orElseThrow().used()).isEqualTo(50);
    }
  }
}
