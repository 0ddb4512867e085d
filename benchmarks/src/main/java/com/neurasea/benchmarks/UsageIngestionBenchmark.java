package com.neurasea.benchmarks;

import com.neurasea.model.ProcessingKind;
import com.neurasea.model.ProcessingRecord;
import com.neurasea.model.UsageRecord;
import com.neurasea.privacy.PrivacyLedger;
import com.neurasea.spi.Settlement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How fast settlements reach the store: {@code QuotaStore.settle} of {@code batch} settlements of the
 * hot user (distinct request ids, {@value QuotaPlatform#COST} credits each, charged to a pool the
 * host holds a large lease on) in one locking transaction.
 *
 * <ul>
 *   <li>{@code settle}: the store call alone.
 *   <li>{@code settleAndRecord}: what the engine's background writer does per batch: the same call
 *       and, in the same transaction, one privacy ledger record for the batch's user.
 * </ul>
 *
 * <p>The primary score counts calls; the secondary {@code rows} score counts usage records per
 * second and is the one to compare. The second is the ceiling of the engine's sustained rate on one
 * host, since its writer is one thread.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@Threads(1)
public class UsageIngestionBenchmark {
  static final String HOST = "ingest-host";
  /** The lease the host writes against: more than any run consumes. */
  static final long LEASE = 100_000_000_000_000L;

  /** The platform, with the host's lease on the hot pool. */
  @State(Scope.Benchmark)
  public static class Store {
    @Param({"sqlite", "postgres"})
    public String backend;

    @Param({"1", "64", "512"})
    public int batch;

    QuotaPlatform platform;
    PrivacyLedger ledger;
    long next;

    @Setup(Level.Trial)
    public void setUp() {
      platform = new QuotaPlatform(Backend.of(backend), false);
      ledger = platform.platform.privacy();
      long granted = platform.storage.quota().lease(platform.credits, LEASE, LEASE, HOST,
          Instant.now().plusSeconds(86_400));
      if (granted != LEASE) {
        platform.close();
        throw new IllegalStateException("leased " + granted + " of " + LEASE);
      }
    }

    /** The next batch: {@link #batch} settlements under fresh request ids. */
    List<Settlement> nextBatch() {
      Instant finished = Instant.now();
      Instant started = finished.minusMillis(800);
      List<Settlement> settlements = new ArrayList<>(batch);
      for (int i = 0; i < batch; i++) {
        settlements.add(platform.settlement("ingest-" + next++, HOST, started, finished));
      }
      return settlements;
    }

    /** The ledger record the engine's writer stages for one user's records of a batch. */
    ProcessingRecord ledgerRecord(List<UsageRecord> records) {
      return ProcessingRecord.of(ProcessingKind.COLLECTION).module("quota").tenant(platform.tenant.id())
          .subject(platform.user.id()).categories("user.usage.request_time", "user.usage.model_and_node",
              "user.usage.task_status", "user.usage.consumed_quota")
          .purpose("service_delivery", ledger.jurisdiction().contract())
          .reference("usage:" + records.size() + ":" + records.get(0).requestId()).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      try {
        // The host's lease is what is left of LEASE after the charges; nothing else should hold any.
        long left = platform.leaseOf(HOST);
        System.out.printf("%n[ingest] %d rows; lease of %s left %d (charged %d, expected %d)%n", next, HOST, left,
            LEASE - left, next * QuotaPlatform.COST);
        System.out.printf("[ingest] %s%n", platform.shutDown(platform.engine.hostId()));
      } finally {
        platform.close();
      }
    }
  }

  /** Usage records written by the thread; reported as the secondary score {@code rows} (rows/s). */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Rows {
    public long rows;

    @Setup(Level.Iteration)
    public void reset() {
      rows = 0;
    }
  }

  /** {@code QuotaStore.settle} of one batch in one locking transaction. */
  @Benchmark
  public List<UsageRecord> settle(Store s, Rows r) {
    List<Settlement> batch = s.nextBatch();
    List<UsageRecord> written = s.platform.storage.inLockingTransaction(stores -> stores.quota().settle(HOST, batch));
    r.rows += written.size();
    return written;
  }

  /** The same and the batch's privacy ledger record, in one transaction, as the engine's writer does. */
  @Benchmark
  public List<UsageRecord> settleAndRecord(Store s, Rows r) {
    List<Settlement> batch = s.nextBatch();
    List<UsageRecord> written = s.platform.storage.inLockingTransaction(stores -> {
      List<UsageRecord> records = stores.quota().settle(HOST, batch);
      s.ledger.record(stores, s.ledgerRecord(records));
      return records;
    });
    r.rows += written.size();
    return written;
  }
}
