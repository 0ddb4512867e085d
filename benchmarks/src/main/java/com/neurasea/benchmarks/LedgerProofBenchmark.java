package com.neurasea.benchmarks;

import com.neurasea.ledger.verify.SignedCheckpoint;
import com.neurasea.model.ProcessingRecord;
import com.neurasea.model.UserId;
import com.neurasea.privacy.InclusionProof;
import com.neurasea.privacy.VerificationReport;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * Proofs and verification in a privacy ledger of {@code logSize} entries (a million by default),
 * on one thread:
 *
 * <ul>
 *   <li>{@code inclusionProof}: {@code PrivacyLedger.proveInclusion} of a random entry against the
 *       checkpoint that covers the whole log (the checkpoint is signed by the platform, and the
 *       in-memory tree synced, during setup).
 *   <li>{@code verifyWholeLog}: {@code PrivacyLedger.verify} of the whole log, a few single shots.
 * </ul>
 *
 * <p>Every trial seeds a fresh database (a SQLite file under the trial's temporary directory, or a
 * fresh PostgreSQL schema) through {@code PrivacyLedger.recordAll} in batches of {@value #SEED_BATCH},
 * since {@code verify} checks that every entry is a canonical record; the seed time is printed. A
 * million entries take a while to seed, longer on PostgreSQL than on SQLite: use {@code -p
 * logSize=10000} for a smoke run.
 */
@Fork(1)
@Threads(1)
public class LedgerProofBenchmark {
  static final int SEED_BATCH = 5_000;
  static final int SUBJECTS = 10_000;

  /** A seeded ledger, checkpointed at its full size. */
  @State(Scope.Benchmark)
  public static class Log {
    @Param({"sqlite", "postgres"})
    public String backend;

    @Param({"1000000"})
    public int logSize;

    LedgerPlatform platform;
    long size;

    @Setup(Level.Trial)
    public void seed() {
      platform = new LedgerPlatform(Backend.of(backend));
      try {
        fill();
      } catch (RuntimeException e) {
        platform.close();
        throw e;
      }
    }

    private void fill() {
      long before = platform.ledger.size();
      List<UserId> subjects = LedgerPlatform.subjects(SUBJECTS);
      long start = System.nanoTime();
      for (int seeded = 0; seeded < logSize; ) {
        int count = Math.min(SEED_BATCH, logSize - seeded);
        List<ProcessingRecord> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          batch.add(LedgerPlatform.record(subjects.get((seeded + i) % SUBJECTS)));
        }
        platform.ledger.recordAll(batch);
        seeded += count;
      }
      long seededAt = System.nanoTime();
      SignedCheckpoint checkpoint = platform.ledger.checkpoint(LedgerPlatform.SYSTEM);
      long checkpointedAt = System.nanoTime();
      size = checkpoint.checkpoint().size();
      if (size != before + logSize) {
        throw new IllegalStateException("the checkpoint covers " + size + " entries, not " + (before + logSize));
      }
      double seedSeconds = (seededAt - start) / 1e9;
      System.out.printf("%nseeded %,d ledger entries on %s in %.1f s (%,.0f rows/s); first checkpoint in %.1f s%n",
          logSize, backend, seedSeconds, logSize / seedSeconds, (checkpointedAt - seededAt) / 1e9);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      platform.close();
    }
  }

  /** The entries a thread proves. */
  @State(Scope.Thread)
  public static class Pick {
    final SplittableRandom random = new SplittableRandom(20_240_601L);
  }

  /** An inclusion proof of a random entry. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 3, time = 2)
  @Measurement(iterations = 5, time = 3)
  public InclusionProof inclusionProof(Log log, Pick pick) {
    return log.platform.ledger.proveInclusion(pick.random.nextLong(log.size));
  }

  /** A verification of the whole log: every entry read, decoded and re-hashed, the checkpoint checked. */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 1)
  @Measurement(iterations = 3)
  public VerificationReport verifyWholeLog(Log log) {
    VerificationReport report = log.platform.ledger.verify(LedgerPlatform.SYSTEM);
    if (!report.ok() || report.entriesChecked() != log.size || report.checkpointsChecked() != 1) {
      throw new IllegalStateException("verify() failed: " + report);
    }
    return report;
  }
}
