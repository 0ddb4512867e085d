package com.neurasea.benchmarks;

import com.neurasea.model.UsageRecord;
import com.neurasea.quota.Reservation;
import java.lang.management.ManagementFactory;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 * The quota hot path: {@code QuotaEngine.reserve} of {@value QuotaPlatform#MAX_COST} credits then
 * {@code settle} at {@value QuotaPlatform#COST}, against one hot account whose budget never runs
 * out. One operation is one reserve+settle pair, each under a request id of its own.
 *
 * <p>Holds are served from the host's lease, so the request path should barely touch the database;
 * settlements are written by the engine's background writer (every 100 ms, 512 a transaction). If
 * the writer cannot keep up, its queue grows, so each iteration ends by printing the backlog (pairs
 * settled minus usage records in the store), then draining it with {@code flush()} and printing how
 * long that took, and the sustained rate: pairs / (iteration + drain), the rate at which pairs
 * reached the store. Each iteration thus starts with an empty queue. The JMH score is the request
 * path's rate with the writer running alongside on the same cores; the printed sustained rate is the
 * one a host can keep up. The heap is fixed at 4 GB because an iteration's backlog can reach several
 * hundred thousand settlements. {@code journal=on} adds the memory-mapped settlement journal, which
 * every reserve and settle appends to.
 *
 * <ul>
 *   <li>{@code reserveSettle}: one thread.
 *   <li>{@code reserveSettleConcurrent}: 4 threads on the same account.
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Threads(1)
public class QuotaReserveSettleBenchmark {

  /** The platform and its engine; counts the pairs of every thread. */
  @State(Scope.Benchmark)
  public static class Engine {
    @Param({"sqlite", "postgres"})
    public String backend;

    @Param({"off", "on"})
    public String journal;

    QuotaPlatform platform;
    final AtomicInteger threads = new AtomicInteger();
    final Queue<Requests> requesters = new ConcurrentLinkedQueue<>();
    long iterationStarted;
    long pairsBefore;
    int iteration;

    @Setup(Level.Trial)
    public void setUp() {
      platform = new QuotaPlatform(Backend.of(backend), "on".equals(journal));
    }

    @Setup(Level.Iteration)
    public void startIteration() {
      pairsBefore = pairs();
      iterationStarted = System.nanoTime();
    }

    /** Prints the writer's backlog, drains it and prints how long that took. */
    @TearDown(Level.Iteration)
    public void drain() {
      long ended = System.nanoTime();
      long pairs = pairs();
      long done = pairs - pairsBefore;
      long backlog = pairs - platform.usageRows();
      long drainStarted = System.nanoTime();
      platform.engine.flush();
      long drained = System.nanoTime();
      long left = pairs - platform.usageRows();
      double seconds = (ended - iterationStarted) / 1e9;
      double drainSeconds = (drained - drainStarted) / 1e9;
      System.out.printf("%n[quota] iteration %d: %d pairs in %.2f s (%.0f/s); backlog at end %d (%.0f%% of the"
              + " iteration's pairs); flush() drained it in %.0f ms; sustained %.0f pairs/s; left after flush %d%s%n",
          ++iteration, done, seconds, done / seconds, backlog, 100.0 * backlog / Math.max(1, done),
          drainSeconds * 1e3, done / (seconds + drainSeconds), left, left == 0 ? "" : " NOT ALL WRITTEN");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      String host = platform.engine.hostId();
      try {
        System.out.printf("%n[quota] %d pairs in the trial; open reservations %d; %s%n", pairs(),
            platform.engine.openReservations(), platform.shutDown(host));
      } finally {
        platform.close();
      }
    }

    private long pairs() {
      long sum = 0;
      for (Requests requests : requesters) {
        sum += requests.next;
      }
      return sum;
    }
  }

  /**
   * A thread's request ids: its own prefix and a counter. Also prints what the thread itself
   * allocated per pair in each iteration: the request path alone, without the background writer
   * and the drain that {@code -prof gc} counts as well.
   */
  @State(Scope.Thread)
  public static class Requests {
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    String prefix;
    /** Pairs this thread has made (read by the iteration teardown, when the threads are idle). */
    long next;
    private long allocatedBefore;
    private long pairsBefore;

    @Setup(Level.Trial)
    public void setUp(Engine engine) {
      prefix = "req-" + engine.threads.incrementAndGet() + "-";
      engine.requesters.add(this);
    }

    @Setup(Level.Iteration)
    public void startIteration() {
      pairsBefore = next;
      allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
    }

    @TearDown(Level.Iteration)
    public void endIteration() {
      long allocated = THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore;
      System.out.printf("%n[quota] %s allocated %.0f B per pair on the request thread%n", prefix,
          (double) allocated / Math.max(1, next - pairsBefore));
    }

    String next() {
      return prefix + next++;
    }
  }

  /** One reserve+settle pair, one thread. */
  @Benchmark
  public UsageRecord reserveSettle(Engine e, Requests r) {
    Reservation reservation = e.platform.engine.reserve(e.platform.chain, QuotaPlatform.MAX_COST, r.next());
    return e.platform.engine.settle(reservation, QuotaPlatform.COST);
  }

  /** One reserve+settle pair, from 4 threads on the same account. */
  @Benchmark
  @Threads(4)
  public UsageRecord reserveSettleConcurrent(Engine e, Requests r) {
    return reserveSettle(e, r);
  }
}
