package com.neurasea.benchmarks;

import com.neurasea.model.UsageRecord;
import com.neurasea.spi.QuotaStore;
import com.neurasea.spi.Settlement;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * The baseline {@link QuotaReserveSettleBenchmark} is compared with: the naive quota that goes to the
 * database on every request, on the same account, amounts and store. One operation is one request:
 *
 * <ol>
 *   <li>reserve: {@code QuotaStore.lease} of {@value QuotaPlatform#MAX_COST} credits (one transaction);
 *   <li>settle: {@code QuotaStore.settle} of the request's usage record, consuming
 *       {@value QuotaPlatform#COST} of the lease, in one locking transaction;
 *   <li>{@code QuotaStore.returnLease} of the unused 400 (one transaction).
 * </ol>
 *
 * <p>Three transactions per request, none of them the privacy ledger record the engine's writer adds
 * per batch, so the baseline is if anything flattered.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@Threads(1)
public class NaiveQuotaBaselineBenchmark {
  static final String HOST = "naive-host";

  /** The platform; its own engine stays idle. */
  @State(Scope.Benchmark)
  public static class Store {
    @Param({"sqlite", "postgres"})
    public String backend;

    QuotaPlatform platform;
    final AtomicInteger threads = new AtomicInteger();

    @Setup(Level.Trial)
    public void setUp() {
      platform = new QuotaPlatform(Backend.of(backend), false);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      try {
        System.out.printf("%n[naive] %s%n", platform.shutDown(HOST, platform.engine.hostId()));
      } finally {
        platform.close();
      }
    }
  }

  /** A thread's request ids: its own prefix and a counter. */
  @State(Scope.Thread)
  public static class Requests {
    String prefix;
    long next;

    @Setup(Level.Trial)
    public void setUp(Store store) {
      prefix = "naive-" + store.threads.incrementAndGet() + "-";
    }
  }

  /** One request, one thread. */
  @Benchmark
  public List<UsageRecord> leaseSettleReturn(Store s, Requests r) {
    QuotaPlatform p = s.platform;
    QuotaStore quota = p.storage.quota();
    Instant started = Instant.now();
    // The lease outlives the measurement, so the engine's sweep never returns it while a thread holds it.
    long granted = quota.lease(p.credits, QuotaPlatform.MAX_COST, QuotaPlatform.MAX_COST, HOST,
        started.plusSeconds(3_600));
    if (granted != QuotaPlatform.MAX_COST) {
      throw new IllegalStateException("leased " + granted + " of " + QuotaPlatform.MAX_COST);
    }
    Settlement settlement = p.settlement(r.prefix + r.next++, HOST, started, Instant.now());
    List<UsageRecord> written = p.storage.inLockingTransaction(stores -> stores.quota().settle(HOST,
        List.of(settlement)));
    if (written.size() != 1 || written.get(0).cost() != QuotaPlatform.COST) {
      throw new IllegalStateException("settled " + written);
    }
    quota.returnLease(p.credits, HOST, QuotaPlatform.MAX_COST - QuotaPlatform.COST);
    return written;
  }

  /** One request, from 4 threads on the same account. */
  @Benchmark
  @Threads(4)
  public List<UsageRecord> leaseSettleReturnConcurrent(Store s, Requests r) {
    return leaseSettleReturn(s, r);
  }
}
