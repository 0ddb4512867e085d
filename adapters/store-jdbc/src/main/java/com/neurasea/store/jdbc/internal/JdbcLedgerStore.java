package com.neurasea.store.jdbc.internal;

import static com.neurasea.store.jdbc.internal.Rows.millis;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.TenantId;
import com.neurasea.spi.LedgerAppender;
import com.neurasea.spi.LedgerEntry;
import com.neurasea.spi.LedgerStore;
import com.neurasea.spi.LedgerSequencer;
import com.neurasea.spi.NewLedgerEntry;
import com.neurasea.spi.StagedLedgerRecord;
import com.neurasea.spi.StoredCheckpoint;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The privacy ledger over a {@link Session}. Hashes are stored as lower-case hex, content as
 * base64 (see the V2 migration).
 *
 * <p>{@link #append} runs as one atomic unit: it first takes the dialect's ledger lock, if any (on
 * PostgreSQL a table lock that serializes appenders on every host; SQLite's {@code BEGIN IMMEDIATE}
 * already serializes writers), then reads the next index and inserts the batch. When an append
 * inside an enclosing transaction still collides with an index another appender committed after
 * the transaction's snapshot, the collision surfaces as a transient failure, so the enclosing
 * transaction is retried as a whole.
 */
public final class JdbcLedgerStore implements LedgerStore {
  private static final Conflicts ENTRY = Conflicts.fallback("index", "another append took this ledger index");
  private static final Conflicts CHECKPOINT =
      Conflicts.fallback("size", "a different checkpoint for this size is already stored");
  private static final Conflicts STAGED = Conflicts.fallback("id", "a record with this id is already staged");
  private static final HexFormat HEX = HexFormat.of();
  private static final Base64.Encoder BASE64_OUT = Base64.getEncoder();
  private static final Base64.Decoder BASE64_IN = Base64.getDecoder();
  private static final String ENTRY_COLUMNS = "idx, recorded_at, tenant_id, subject_key, content, leaf_hash";
  private static final String ENTRY_SELECT = "SELECT " + ENTRY_COLUMNS + " FROM ledger_entries ";
  private static final String CHECKPOINT_COLUMNS = "size, root, checkpoint_at, key_id, signed_text";
  private static final String NEXT_INDEX = "SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_entries";
  private static final String LAST_ENTRY = "SELECT idx, leaf_hash FROM ledger_entries ORDER BY idx DESC LIMIT 1";

  private final Session session;
  private final String appendLock;

  /**
   * Creates the store.
   *
   * @param session where its statements run
   * @param appendLock the statement that serializes appenders, run first in an append's
   *     transaction; null when the database's write transactions already do
   */
  public JdbcLedgerStore(Session session, String appendLock) {
    this.session = Objects.requireNonNull(session, "session");
    this.appendLock = appendLock;
  }

  @Override
  public long append(LedgerAppender appender) {
    if (appender == null) {
      throw NeuraSeaException.invalid("appender", "is required");
    }
    try {
      return session.atomic(h -> {
        if (appendLock != null) {
          h.execute(appendLock);
        }
        Optional<Map.Entry<Long, byte[]>> last = lastEntry(h);
        long first = last.map(e -> e.getKey() + 1).orElse(0L);
        List<NewLedgerEntry> batch = checked(appender.entries(first, last.map(Map.Entry::getValue).orElse(null)));
        if (batch.isEmpty()) {
          return first;
        }
        insertEntries(h, first, batch);
        return first;
      }, ENTRY);
    } catch (NeuraSeaException e) {
      if (e.code() == ErrorCode.CONFLICT) {
        // Only an enclosing transaction's stale snapshot lets an index collide: retry it as a whole.
        throw new TransientFailure(e);
      }
      throw e;
    }
  }

  private static void insertEntries(Handle h, long first, List<NewLedgerEntry> batch) {
    PreparedBatch insert = h.prepareBatch("INSERT INTO ledger_entries (" + ENTRY_COLUMNS + ") VALUES (:idx, "
        + ":recordedAt, :tenantId, :subjectKey, :content, :leafHash)");
    long index = first;
    for (NewLedgerEntry entry : batch) {
      insert.bind("idx", index++)
          .bind("recordedAt", millis(entry.recordedAt()))
          .bind("tenantId", entry.tenantId() == null ? null : entry.tenantId().value())
          .bind("subjectKey", entry.subjectKey())
          .bind("content", BASE64_OUT.encodeToString(entry.content()))
          .bind("leafHash", HEX.formatHex(entry.leafHash()))
          .add();
    }
    insert.execute();
    PreparedBatch details = null;
    index = first;
    for (NewLedgerEntry entry : batch) {
      if (entry.details() != null) {
        if (details == null) {
          details = h.prepareBatch("INSERT INTO ledger_details (idx, subject_key, recorded_at, details) "
              + "VALUES (:idx, :subjectKey, :recordedAt, :details)");
        }
        details.bind("idx", index)
            .bind("subjectKey", entry.subjectKey())
            .bind("recordedAt", millis(entry.recordedAt()))
            .bind("details", entry.details())
            .add();
      }
      index++;
    }
    if (details != null) {
      details.execute();
    }
  }

  private static List<NewLedgerEntry> checked(List<NewLedgerEntry> entries) {
    if (entries == null) {
      throw NeuraSeaException.invalid("entries", "is required");
    }
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i) == null) {
        throw NeuraSeaException.invalid("entries[" + i + "]", "is required");
      }
    }
    return List.copyOf(entries);
  }

  @Override
  public void stage(StagedLedgerRecord record) {
    if (record == null) {
      throw NeuraSeaException.invalid("record", "is required");
    }
    session.call(h -> h.createUpdate("INSERT INTO ledger_staged (id, recorded_at, tenant_id, subject_key, body, "
            + "details) VALUES (:id, :recordedAt, :tenantId, :subjectKey, :body, :details)")
        .bind("id", record.id())
        .bind("recordedAt", millis(record.recordedAt()))
        .bind("tenantId", record.tenantId() == null ? null : record.tenantId().value())
        .bind("subjectKey", record.subjectKey())
        .bind("body", record.body())
        .bind("details", record.details())
        .execute(), STAGED);
  }

  @Override
  public int sequenceStaged(int limit, LedgerSequencer sequencer) {
    if (limit < 1) {
      throw NeuraSeaException.invalid("limit", "must be 1 or more");
    }
    if (sequencer == null) {
      throw NeuraSeaException.invalid("sequencer", "is required");
    }
    try {
      return session.atomic(h -> {
        if (appendLock != null) {
          h.execute(appendLock);
        }
        List<StagedLedgerRecord> staged = h.createQuery("SELECT id, recorded_at, tenant_id, subject_key, body, details "
                + "FROM ledger_staged ORDER BY id LIMIT :limit")
            .bind("limit", limit)
            .map((rs, ctx) -> staged(rs))
            .list();
        if (staged.isEmpty()) {
          return 0;
        }
        Optional<Map.Entry<Long, byte[]>> last = lastEntry(h);
        long first = last.map(e -> e.getKey() + 1).orElse(0L);
        List<NewLedgerEntry> entries = checked(sequencer.entries(first, last.map(Map.Entry::getValue).orElse(null),
            staged));
        if (entries.size() != staged.size()) {
          throw NeuraSeaException.invalid("entries", "the sequencer must return one entry per staged record");
        }
        insertEntries(h, first, entries);
        PreparedBatch delete = h.prepareBatch("DELETE FROM ledger_staged WHERE id = :id");
        staged.forEach(r -> delete.bind("id", r.id()).add());
        delete.execute();
        return staged.size();
      }, ENTRY);
    } catch (NeuraSeaException e) {
      if (e.code() == ErrorCode.CONFLICT) {
        throw new TransientFailure(e);
      }
      throw e;
    }
  }

  @Override
  public boolean hasStaged() {
    return session.read(h -> h.createQuery("SELECT id FROM ledger_staged LIMIT 1").mapTo(String.class).findOne()
        .isPresent());
  }

  @Override
  public long size() {
    return session.read(JdbcLedgerStore::nextIndex);
  }

  @Override
  public List<LedgerEntry> read(long fromIndex, int limit) {
    checkRange("fromIndex", fromIndex, limit);
    if (limit == 0) {
      return List.of();
    }
    return session.read(h -> withDetails(h, null, h.createQuery(ENTRY_SELECT
            + "WHERE idx >= :from AND idx < :to ORDER BY idx")
        .bind("from", fromIndex)
        .bind("to", end(fromIndex, limit))
        .map((rs, ctx) -> entry(rs))
        .list()));
  }

  @Override
  public List<byte[]> leafHashes(long fromIndex, int limit) {
    checkRange("fromIndex", fromIndex, limit);
    if (limit == 0) {
      return List.of();
    }
    return session.read(h -> h.createQuery("SELECT leaf_hash FROM ledger_entries "
            + "WHERE idx >= :from AND idx < :to ORDER BY idx")
        .bind("from", fromIndex)
        .bind("to", end(fromIndex, limit))
        .map((rs, ctx) -> HEX.parseHex(rs.getString("leaf_hash")))
        .list());
  }

  @Override
  public List<LedgerEntry> entriesOfSubject(String subjectKey, long fromIndex, int limit) {
    if (subjectKey == null) {
      throw NeuraSeaException.invalid("subjectKey", "is required");
    }
    checkRange("fromIndex", fromIndex, limit);
    if (limit == 0) {
      return List.of();
    }
    return session.read(h -> withDetails(h, subjectKey, h.createQuery(ENTRY_SELECT
            + "WHERE subject_key = :subjectKey AND idx >= :from ORDER BY idx LIMIT :limit")
        .bind("subjectKey", subjectKey)
        .bind("from", fromIndex)
        .bind("limit", limit)
        .map((rs, ctx) -> entry(rs))
        .list()));
  }

  @Override
  public long eraseDetails(String subjectKey) {
    if (subjectKey == null) {
      throw NeuraSeaException.invalid("subjectKey", "is required");
    }
    return (long) session.call(h -> h.createUpdate("DELETE FROM ledger_details WHERE subject_key = :subjectKey")
        .bind("subjectKey", subjectKey)
        .execute(), Conflicts.NONE);
  }

  @Override
  public long eraseDetailsRecordedBefore(Instant cutoff) {
    if (cutoff == null) {
      throw NeuraSeaException.invalid("cutoff", "is required");
    }
    return (long) session.call(h -> h.createUpdate("DELETE FROM ledger_details WHERE recorded_at < :cutoff")
        .bind("cutoff", millis(cutoff))
        .execute(), Conflicts.NONE);
  }

  @Override
  public void saveCheckpoint(StoredCheckpoint checkpoint) {
    if (checkpoint == null) {
      throw NeuraSeaException.invalid("checkpoint", "is required");
    }
    session.atomic(h -> {
      Optional<StoredCheckpoint> stored = checkpointOfSize(h, checkpoint.size());
      if (stored.isPresent()) {
        if (!stored.get().equals(checkpoint)) {
          throw NeuraSeaException.conflict("size", "a different checkpoint for this size is already stored");
        }
        return null;
      }
      if (checkpoint.size() > nextIndex(h)) {
        throw NeuraSeaException.invalid("size", "is larger than the ledger");
      }
      h.createUpdate("INSERT INTO ledger_checkpoints (" + CHECKPOINT_COLUMNS + ") VALUES (:size, :root, "
              + ":at, :keyId, :signedText)")
          .bind("size", checkpoint.size())
          .bind("root", HEX.formatHex(checkpoint.root()))
          .bind("at", millis(checkpoint.timestamp()))
          .bind("keyId", checkpoint.keyId())
          .bind("signedText", checkpoint.signedText())
          .execute();
      return null;
    }, CHECKPOINT);
  }

  @Override
  public List<StoredCheckpoint> checkpoints(long fromSize, int limit) {
    checkRange("fromSize", fromSize, limit);
    if (limit == 0) {
      return List.of();
    }
    return session.read(h -> h.createQuery("SELECT " + CHECKPOINT_COLUMNS + " FROM ledger_checkpoints "
            + "WHERE size >= :from ORDER BY size LIMIT :limit")
        .bind("from", fromSize)
        .bind("limit", limit)
        .map((rs, ctx) -> checkpoint(rs))
        .list());
  }

  @Override
  public Optional<StoredCheckpoint> latestCheckpoint() {
    return session.read(h -> h.createQuery("SELECT " + CHECKPOINT_COLUMNS + " FROM ledger_checkpoints "
            + "ORDER BY size DESC LIMIT 1")
        .map((rs, ctx) -> checkpoint(rs))
        .findOne());
  }

  private static Optional<Map.Entry<Long, byte[]>> lastEntry(Handle h) {
    return h.createQuery(LAST_ENTRY)
        .map((rs, ctx) -> Map.entry(rs.getLong("idx"), HEX.parseHex(rs.getString("leaf_hash"))))
        .findOne();
  }

  private static StagedLedgerRecord staged(ResultSet rs) throws SQLException {
    String tenant = rs.getString("tenant_id");
    return new StagedLedgerRecord(rs.getString("id"), Rows.instant(rs, "recorded_at"),
        tenant == null ? null : new TenantId(tenant), rs.getString("subject_key"), rs.getString("body"),
        rs.getString("details"));
  }

  private static long nextIndex(Handle h) {
    return h.createQuery(NEXT_INDEX).mapTo(Long.class).one();
  }

  private static Optional<StoredCheckpoint> checkpointOfSize(Handle h, long size) {
    return h.createQuery("SELECT " + CHECKPOINT_COLUMNS + " FROM ledger_checkpoints WHERE size = :size")
        .bind("size", size)
        .map((rs, ctx) -> checkpoint(rs))
        .findOne();
  }

  private static void checkRange(String fromField, long from, int limit) {
    if (from < 0) {
      throw NeuraSeaException.invalid(fromField, "must be 0 or more");
    }
    if (limit < 0) {
      throw NeuraSeaException.invalid("limit", "must be 0 or more");
    }
  }

  /** The exclusive end of a range, saturating instead of overflowing. */
  private static long end(long from, int limit) {
    long end = from + limit;
    return end < from ? Long.MAX_VALUE : end;
  }

  /**
   * Adds the details of entries read in index order with a second range query on the details'
   * primary key: a join lets PostgreSQL hash the whole details table for every page.
   */
  private static List<LedgerEntry> withDetails(Handle h, String subjectKey, List<LedgerEntry> entries) {
    if (entries.isEmpty()) {
      return entries;
    }
    Map<Long, String> details = new java.util.HashMap<>();
    h.createQuery("SELECT idx, details FROM ledger_details WHERE idx >= :from AND idx <= :to"
            + (subjectKey == null ? "" : " AND subject_key = :subjectKey"))
        .bindMap(subjectKey == null ? Map.of() : Map.of("subjectKey", subjectKey))
        .bind("from", entries.get(0).index())
        .bind("to", entries.get(entries.size() - 1).index())
        .map((rs, ctx) -> Map.entry(rs.getLong("idx"), rs.getString("details")))
        .forEach(e -> details.put(e.getKey(), e.getValue()));
    if (details.isEmpty()) {
      return entries;
    }
    List<LedgerEntry> merged = new java.util.ArrayList<>(entries.size());
    for (LedgerEntry entry : entries) {
      String d = details.get(entry.index());
      merged.add(d == null ? entry : new LedgerEntry(entry.index(), entry.recordedAt(), entry.tenantId(),
          entry.subjectKey(), entry.content(), entry.leafHash(), d));
    }
    return merged;
  }

  private static LedgerEntry entry(ResultSet rs) throws SQLException {
    String tenant = rs.getString("tenant_id");
    return new LedgerEntry(
        rs.getLong("idx"),
        Rows.instant(rs, "recorded_at"),
        tenant == null ? null : new TenantId(tenant),
        rs.getString("subject_key"),
        BASE64_IN.decode(rs.getString("content")),
        HEX.parseHex(rs.getString("leaf_hash")));
  }

  private static StoredCheckpoint checkpoint(ResultSet rs) throws SQLException {
    return new StoredCheckpoint(
        rs.getLong("size"),
        HEX.parseHex(rs.getString("root")),
        Rows.instant(rs, "checkpoint_at"),
        rs.getString("key_id"),
        rs.getString("signed_text"));
  }
}
