package com.neurasea.benchmarks;

import com.neurasea.model.UsageRecord;
import com.neurasea.quota.Reservation;
import java.time.Duration;
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
 * The quota request path alone: {@code reserve} + {@code settle} against one hot account, with the
 * engine's timed flush pushed out (an interval of an hour) and the iteration's settlements written
 * between iterations (not measured). The engine still writes a batch on its own whenever 512
 * settlements wait, so some writing runs beside a measured batch on the same cores. Each
 * iteration is a fixed batch of {@value #BATCH} pairs per thread, below the engine's backlog bound,
 * so no settle ever waits for the writer; the score is microseconds per batch, so pairs per second
 * per thread is {@code BATCH / score * 10^6}. What the request path costs beyond this is the
 * writer's, measured by {@link UsageIngestionBenchmark} and, end to end, by
 * {@link QuotaReserveSettleBenchmark}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 10, batchSize = QuotaLocalPathBenchmark.BATCH)
@Measurement(iterations = 20, batchSize = QuotaLocalPathBenchmark.BATCH)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class QuotaLocalPathBenchmark {
  /** Pairs per thread per iteration. */
  static final int BATCH = 20_000;

  /** The platform, its writer held back. */
  @State(Scope.Benchmark)
  public static class Engine {
    @Param({"sqlite"})
    public String backend;

    @Param({"off", "on"})
    public String journal;

    QuotaPlatform platform;
    final AtomicInteger threads = new AtomicInteger();

    @Setup(Level.Trial)
    public void setUp() {
      platform = new QuotaPlatform(Backend.of(backend), "on".equals(journal), Duration.ofHours(1));
    }

    /** Writes the iteration's settlements, outside the measurement. */
    @TearDown(Level.Iteration)
    public void drain() {
      platform.engine.flush();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      try {
        System.out.printf("%n[quota] %s%n", platform.shutDown(platform.engine.hostId()));
      } finally {
        platform.close();
      }
    }
  }

  /** A thread's request ids. */
  @State(Scope.Thread)
  public static class Requests {
    String prefix;
    long next;

    @Setup(Level.Trial)
    public void setUp(Engine engine) {
      prefix = "local-" + engine.threads.incrementAndGet() + "-";
    }

    String next() {
      return prefix + next++;
    }
  }

  /** One reserve+settle pair on one thread. */
  @Benchmark
  public UsageRecord reserveSettle(Engine e, Requests r) {
    Reservation reservation = e.platform.engine.reserve(e.platform.chain, QuotaPlatform.MAX_COST, r.next());
    return e.platform.engine.settle(reservation, QuotaPlatform.COST);
  }

  /** One reserve+settle pair, 4 threads on the same account. */
  @Benchmark
  @Threads(4)
  public UsageRecord reserveSettleConcurrent(Engine e, Requests r) {
    return reserveSettle(e, r);
  }
}
