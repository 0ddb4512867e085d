package com.neurasea.benchmarks;

import com.neurasea.model.ProcessingRecord;
import com.neurasea.model.UserId;
import com.neurasea.privacy.LedgerRecord;
import com.neurasea.spi.LedgerEntry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * Append throughput of the privacy ledger, against plain inserts of the same rows into a table of
 * the same shape as {@code ledger_entries} (same columns, primary key and subject index) in the same
 * database, over plain JDBC: no hashing, no append lock, no predecessor lookup.
 *
 * <ul>
 *   <li>{@code plainInsert}: one row per auto-commit transaction, one thread.
 *   <li>{@code plainInsertConcurrent}: the same from 4 threads, each on its own connection.
 *   <li>{@code plainInsertBatched}: {@code batchSize} rows in one JDBC batch and one transaction.
 *   <li>{@code ledgerRecordAll}: {@code PrivacyLedger.recordAll} of {@code batchSize} records.
 *   <li>{@code ledgerRecordGroupCommit}: {@code PrivacyLedger.record} from 4 threads, which the
 *       ledger coalesces into shared appends.
 * </ul>
 *
 * <p>The primary score counts calls; the secondary {@code rows} score (an {@link AuxCounters}
 * counter) counts rows per second and is the one to compare across methods. {@code batchSize} only
 * changes {@code plainInsertBatched} and {@code ledgerRecordAll}; run the others with
 * {@code -p batchSize=1} to skip repeats. Each trial starts from an empty database, which grows by
 * every row written (a ledger entry also writes its erasable details to {@code ledger_details}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(1)
@Threads(1)
public class LedgerAppendBenchmark {
  /** Distinct people the records are about; records and rows cycle through them. */
  static final int SUBJECTS = 1_024;
  static final String PLAIN_TABLE = "bench_plain_entries";
  private static final String PLAIN_INSERT = "INSERT INTO " + PLAIN_TABLE
      + " (idx, recorded_at, tenant_id, subject_key, content, leaf_hash) VALUES (?, ?, ?, ?, ?, ?)";

  /** One baseline row: the stored form of a ledger entry, minus its position. */
  record PlainRow(String tenantId, String subjectKey, String content, String leafHash) {}

  /** The ledger, the baseline table and the records and rows to write. */
  @State(Scope.Benchmark)
  public static class Ledger {
    @Param({"sqlite", "postgres"})
    public String backend;

    @Param({"1", "64", "512"})
    public int batchSize;

    LedgerPlatform platform;
    /** One record per subject. */
    List<ProcessingRecord> records;
    /** What the ledger stored for each record, as the baseline inserts it. */
    PlainRow[] rows;
    /** Batches of {@code batchSize} records, covering every subject. */
    List<List<ProcessingRecord>> batches;
    final AtomicLong nextPlainIndex = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
      platform = new LedgerPlatform(Backend.of(backend));
      try {
        prepare();
      } catch (SQLException | RuntimeException e) {
        platform.close();
        throw e;
      }
    }

    private void prepare() throws SQLException {
      List<UserId> subjects = LedgerPlatform.subjects(SUBJECTS);
      records = subjects.stream().map(LedgerPlatform::record).toList();
      // The rows the ledger stores for these records are the rows the baseline inserts.
      List<LedgerRecord> stored = platform.ledger.recordAll(records);
      List<LedgerEntry> entries = platform.storage.ledger().read(stored.get(0).index(), SUBJECTS);
      if (entries.size() != SUBJECTS) {
        throw new IllegalStateException("read back " + entries.size() + " of " + SUBJECTS + " entries");
      }
      rows = new PlainRow[SUBJECTS];
      for (int i = 0; i < SUBJECTS; i++) {
        LedgerEntry e = entries.get(i);
        rows[i] = new PlainRow(e.tenantId() == null ? null : e.tenantId().value(), e.subjectKey(),
            Base64.getEncoder().encodeToString(e.content()), HexFormat.of().formatHex(e.leafHash()));
      }
      batches = new ArrayList<>();
      int count = Math.max(1, SUBJECTS / batchSize);
      for (int b = 0; b < count; b++) {
        List<ProcessingRecord> batch = new ArrayList<>(batchSize);
        for (int j = 0; j < batchSize; j++) {
          batch.add(records.get((b * batchSize + j) % SUBJECTS));
        }
        batches.add(List.copyOf(batch));
      }
      try (Connection connection = platform.connect(); Statement statement = connection.createStatement()) {
        statement.execute("CREATE TABLE " + PLAIN_TABLE + " (idx BIGINT NOT NULL PRIMARY KEY, "
            + "recorded_at BIGINT NOT NULL, tenant_id TEXT, subject_key TEXT, content TEXT NOT NULL, "
            + "leaf_hash TEXT NOT NULL)");
        statement.execute("CREATE INDEX ix_" + PLAIN_TABLE + "_subject ON " + PLAIN_TABLE + " (subject_key, idx)");
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      platform.close();
    }
  }

  /** A thread's plain JDBC connection for the baseline. */
  @State(Scope.Thread)
  public static class Writer {
    Connection connection;
    PreparedStatement insert;

    @Setup(Level.Trial)
    public void open(Ledger ledger) throws SQLException {
      connection = ledger.platform.connect();
      insert = connection.prepareStatement(PLAIN_INSERT);
    }

    void bind(long index, PlainRow row) throws SQLException {
      insert.setLong(1, index);
      insert.setLong(2, System.currentTimeMillis());
      if (row.tenantId() == null) {
        insert.setNull(3, Types.VARCHAR);
      } else {
        insert.setString(3, row.tenantId());
      }
      insert.setString(4, row.subjectKey());
      insert.setString(5, row.content());
      insert.setString(6, row.leafHash());
    }

    @TearDown(Level.Trial)
    public void close() throws SQLException {
      try {
        insert.close();
      } finally {
        connection.close();
      }
    }
  }

  /** Where a thread is in the cycle of records. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;
  }

  /** Rows written by a thread; reported as the secondary score {@code rows} (rows/s). */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Rows {
    public long rows;

    @Setup(Level.Iteration)
    public void reset() {
      rows = 0;
    }
  }

  /** One row in its own auto-commit transaction. */
  @Benchmark
  public int plainInsert(Ledger l, Writer w, Cursor c, Rows r) throws SQLException {
    w.bind(l.nextPlainIndex.getAndIncrement(), l.rows[c.next++ % SUBJECTS]);
    int count = w.insert.executeUpdate();
    r.rows++;
    return count;
  }

  /** One row in its own auto-commit transaction, from 4 threads with a connection each. */
  @Benchmark
  @Threads(4)
  public int plainInsertConcurrent(Ledger l, Writer w, Cursor c, Rows r) throws SQLException {
    return plainInsert(l, w, c, r);
  }

  /** {@code batchSize} rows in one JDBC batch, in one transaction. */
  @Benchmark
  public int[] plainInsertBatched(Ledger l, Writer w, Cursor c, Rows r) throws SQLException {
    int batch = c.next++ % l.batches.size();
    long first = l.nextPlainIndex.getAndAdd(l.batchSize);
    w.connection.setAutoCommit(false);
    try {
      for (int j = 0; j < l.batchSize; j++) {
        w.bind(first + j, l.rows[(batch * l.batchSize + j) % SUBJECTS]);
        w.insert.addBatch();
      }
      int[] counts = w.insert.executeBatch();
      w.connection.commit();
      r.rows += l.batchSize;
      return counts;
    } catch (SQLException | RuntimeException e) {
      w.connection.rollback();
      throw e;
    } finally {
      w.connection.setAutoCommit(true);
    }
  }

  /** {@code PrivacyLedger.recordAll} of {@code batchSize} records: one append. */
  @Benchmark
  public List<LedgerRecord> ledgerRecordAll(Ledger l, Cursor c, Rows r) {
    List<LedgerRecord> stored = l.platform.ledger.recordAll(l.batches.get(c.next++ % l.batches.size()));
    r.rows += stored.size();
    return stored;
  }

  /** {@code PrivacyLedger.record} of one record from 4 threads: concurrent callers share an append. */
  @Benchmark
  @Threads(4)
  public LedgerRecord ledgerRecordGroupCommit(Ledger l, Cursor c, Rows r) {
    LedgerRecord stored = l.platform.ledger.record(l.records.get(c.next++ % SUBJECTS));
    r.rows++;
    return stored;
  }
}
