package com.neurasea.tck;

import static com.neurasea.tck.TckAssertions.assertConflict;
import static com.neurasea.tck.TckAssertions.assertInvalid;
import static com.neurasea.tck.TckFixtures.checkpoint;
import static com.neurasea.tck.TckFixtures.concurrently;
import static com.neurasea.tck.TckFixtures.ledgerEntry;
import static com.neurasea.tck.TckFixtures.subjectKey;
import static com.neurasea.tck.TckFixtures.tenant;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.neurasea.model.Tenant;
import com.neurasea.model.TenantId;
import com.neurasea.spi.LedgerEntry;
import com.neurasea.spi.LedgerStore;
import com.neurasea.spi.NewLedgerEntry;
import com.neurasea.spi.StagedLedgerRecord;
import com.neurasea.spi.StoredCheckpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link LedgerStore}: an append-only log with gapless indexes from 0, appended all
 * or none (also as part of a unit of work), serialized between concurrent appenders, read back
 * verbatim by range and by pseudonymous subject; and the signed checkpoints over its prefixes.
 *
 * <p>A storage adapter passes it by extending this class in its own tests and implementing
 * {@link #newStorage()}. Each test opens one storage before it runs and closes it afterwards.
 */
public abstract class LedgerStoreContract extends StorageUnderTest {
  private static final int THREADS = 8;
  private static final int APPENDS_PER_THREAD = 50;

  // ---- append

  @Test
  void anEmptyLedgerHasSizeZeroAndNoEntries() {
    assertThat(store().size()).isZero();
    assertThat(store().read(0, 10)).isEmpty();
    assertThat(store().leafHashes(0, 10)).isEmpty();
    assertThat(store().latestCheckpoint()).isEmpty();
    assertThat(store().checkpoints(0, 10)).isEmpty();
  }

  @Test
  void appendReturnsConsecutiveIndexesFromZero() {
    NewLedgerEntry first = ledgerEntry();
    List<NewLedgerEntry> batch = List.of(ledgerEntry(), ledgerEntry(), ledgerEntry());

    assertThat(store().append(List.of(first))).isZero();
    assertThat(store().append(batch)).isEqualTo(1);
    assertThat(store().append(List.of(ledgerEntry()))).isEqualTo(4);

    assertThat(store().size()).isEqualTo(5);
    assertThat(store().read(0, 4)).containsExactly(LedgerEntry.of(0, first), LedgerEntry.of(1, batch.get(0)),
        LedgerEntry.of(2, batch.get(1)), LedgerEntry.of(3, batch.get(2)));
  }

  @Test
  void appendingNothingWritesNothingAndReturnsTheSize() {
    assertThat(store().append(List.of())).isZero();
    store().append(List.of(ledgerEntry(), ledgerEntry()));

    assertThat(store().append(List.of())).isEqualTo(2);
    assertThat(store().size()).isEqualTo(2);
  }

  @Test
  void aBatchWithANullEntryIsRefusedWhole() {
    store().append(List.of(ledgerEntry()));
    List<NewLedgerEntry> batch = new ArrayList<>(List.of(ledgerEntry(), ledgerEntry()));
    batch.add(null);

    assertInvalid(() -> store().append(batch), "entries[2]");
    assertInvalid(() -> store().append((List<NewLedgerEntry>) null), "entries");
    assertInvalid(() -> store().append((com.neurasea.spi.LedgerAppender) null), "appender");

    assertThat(store().size()).isEqualTo(1);
  }

  @Test
  void aUnitOfWorkThatFailsAfterAppendingLeavesTheLedgerUnchanged() {
    store().append(List.of(ledgerEntry()));
    StoredCheckpoint stored = checkpoint(1);
    store().saveCheckpoint(stored);

    // The append succeeds, then a store-level failure (a CONFLICT) fails the unit of work.
    assertConflict(() -> storage().inTransaction(stores -> {
      stores.ledger().append(List.of(ledgerEntry(), ledgerEntry(), ledgerEntry()));
      stores.ledger().saveCheckpoint(checkpoint(1));
      return null;
    }), "size");

    assertThat(store().size()).isEqualTo(1);
    assertThat(store().read(0, 10)).hasSize(1);
    assertThat(store().latestCheckpoint()).contains(stored);
  }

  @Test
  void anAppendInAUnitOfWorkRolledBackByAnExceptionLeavesNothing() {
    assertThatThrownBy(() -> storage().inTransaction(stores -> {
      assertThat(stores.ledger().append(List.of(ledgerEntry(), ledgerEntry()))).isZero();
      assertThat(stores.ledger().size()).isEqualTo(2);
      throw new IllegalStateException("the change failed");
    })).isInstanceOf(IllegalStateException.class).hasMessage("the change failed");

    assertThat(store().size()).isZero();
    assertThat(store().read(0, 10)).isEmpty();
    assertThat(store().append(List.of(ledgerEntry()))).isZero();
  }

  @Test
  void anAppendLandsWithTheChangeItRecords() {
    Tenant tenant = tenant();
    NewLedgerEntry entry = ledgerEntry(tenant.id(), subjectKey(), 100);

    long index = storage().inTransaction(stores -> {
      stores.tenancy().insertTenant(tenant);
      return stores.ledger().append(List.of(entry));
    });

    assertThat(index).isZero();
    assertThat(storage().tenancy().findTenant(tenant.id())).contains(tenant);
    assertThat(store().read(0, 1)).containsExactly(LedgerEntry.of(0, entry));
  }

  @Test
  void theAppenderLearnsItsPositionAndThePreviousLeafHash() {
    List<Long> firstIndexes = new ArrayList<>();
    List<byte[]> previous = new ArrayList<>();
    NewLedgerEntry a = ledgerEntry();
    NewLedgerEntry b = ledgerEntry();
    NewLedgerEntry c = ledgerEntry();

    assertThat(store().append((first, prev) -> {
      firstIndexes.add(first);
      previous.add(prev);
      return List.of(a, b);
    })).isZero();
    assertThat(store().append((first, prev) -> {
      firstIndexes.add(first);
      previous.add(prev);
      return List.of(c);
    })).isEqualTo(2);
    assertThat(store().append((first, prev) -> List.of())).isEqualTo(3);

    assertThat(firstIndexes).containsExactly(0L, 2L);
    assertThat(previous.get(0)).isNull();
    assertThat(previous.get(1)).isEqualTo(b.leafHash());
    assertThat(store().size()).isEqualTo(3);
    assertInvalid(() -> store().append((first, prev) -> null), "entries");
    assertThat(store().size()).isEqualTo(3);
  }

  @Test
  void concurrentAppendersEachSeeTheEntryTheyFollow() throws Exception {
    // Every entry names its predecessor's leaf hash in its content; the chain must be unbroken.
    concurrently(THREADS, thread -> {
      for (int i = 0; i < APPENDS_PER_THREAD / 5; i++) {
        store().append((first, prev) -> List.of(ledgerEntry(null, null,
            (first + ":" + (prev == null ? "-" : java.util.HexFormat.of().formatHex(prev))).getBytes(
                java.nio.charset.StandardCharsets.UTF_8))));
      }
    });

    List<LedgerEntry> all = store().read(0, Integer.MAX_VALUE);
    assertThat(all).hasSize(THREADS * (APPENDS_PER_THREAD / 5));
    for (LedgerEntry entry : all) {
      String expected = entry.index() + ":" + (entry.index() == 0 ? "-"
          : java.util.HexFormat.of().formatHex(all.get((int) entry.index() - 1).leafHash()));
      assertThat(new String(entry.content(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(expected);
    }
  }

  // ---- reads

  @Test
  void readsAndLeafHashesCoverTheRangeAndStopAtTheEnd() {
    List<NewLedgerEntry> entries = List.of(ledgerEntry(), ledgerEntry(), ledgerEntry(), ledgerEntry(), ledgerEntry());
    store().append(entries);

    assertThat(store().read(0, 2)).containsExactly(LedgerEntry.of(0, entries.get(0)), LedgerEntry.of(1, entries.get(1)));
    assertThat(store().read(3, 10)).containsExactly(LedgerEntry.of(3, entries.get(3)), LedgerEntry.of(4, entries.get(4)));
    assertThat(store().read(2, 1)).containsExactly(LedgerEntry.of(2, entries.get(2)));
    assertThat(store().read(0, 0)).isEmpty();
    assertThat(store().read(5, 1)).isEmpty();
    assertThat(store().read(1000, 10)).isEmpty();
    assertThat(store().read(1, Integer.MAX_VALUE)).hasSize(4);
    assertThat(store().read(Long.MAX_VALUE, Integer.MAX_VALUE)).isEmpty();

    assertThat(store().leafHashes(1, 3)).containsExactly(entries.get(1).leafHash(), entries.get(2).leafHash(),
        entries.get(3).leafHash());
    assertThat(store().leafHashes(4, 10)).containsExactly(entries.get(4).leafHash());
    assertThat(store().leafHashes(0, 0)).isEmpty();
    assertThat(store().leafHashes(5, 10)).isEmpty();
  }

  @Test
  void negativePositionsAndLimitsAreInvalid() {
    assertInvalid(() -> store().read(-1, 10), "fromIndex");
    assertInvalid(() -> store().read(0, -1), "limit");
    assertInvalid(() -> store().leafHashes(-1, 10), "fromIndex");
    assertInvalid(() -> store().leafHashes(0, -1), "limit");
    assertInvalid(() -> store().entriesOfSubject("subj_x", -1, 10), "fromIndex");
    assertInvalid(() -> store().entriesOfSubject("subj_x", 0, -1), "limit");
    assertInvalid(() -> store().checkpoints(-1, 10), "fromSize");
    assertInvalid(() -> store().checkpoints(0, -1), "limit");
  }

  @Test
  void entriesOfASubjectAreFoundInIndexOrder() {
    String subject = subjectKey();
    String other = subjectKey();
    TenantId tenantId = new TenantId(TckFixtures.randomId(TenantId.PREFIX));
    List<NewLedgerEntry> entries = List.of(ledgerEntry(tenantId, subject, 10), ledgerEntry(tenantId, other, 10),
        ledgerEntry(null, null, 10), ledgerEntry(null, subject, 10), ledgerEntry(tenantId, subject, 10));
    store().append(entries);

    assertThat(store().entriesOfSubject(subject, 0, 10)).containsExactly(LedgerEntry.of(0, entries.get(0)),
        LedgerEntry.of(3, entries.get(3)), LedgerEntry.of(4, entries.get(4)));
    assertThat(store().entriesOfSubject(subject, 1, 10)).containsExactly(LedgerEntry.of(3, entries.get(3)),
        LedgerEntry.of(4, entries.get(4)));
    assertThat(store().entriesOfSubject(subject, 0, 2)).containsExactly(LedgerEntry.of(0, entries.get(0)),
        LedgerEntry.of(3, entries.get(3)));
    assertThat(store().entriesOfSubject(subject, 5, 10)).isEmpty();
    assertThat(store().entriesOfSubject(subject, 0, 0)).isEmpty();
    assertThat(store().entriesOfSubject(other, 0, 10)).containsExactly(LedgerEntry.of(1, entries.get(1)));
    assertThat(store().entriesOfSubject(subjectKey(), 0, 10)).isEmpty();
  }

  @Test
  void bytesRoundTripVerbatim() {
    byte[] everyByte = new byte[256];
    for (int i = 0; i < everyByte.length; i++) {
      everyByte[i] = (byte) i;
    }
    byte[] largest = new byte[NewLedgerEntry.MAX_CONTENT_BYTES];
    for (int i = 0; i < largest.length; i++) {
      largest[i] = (byte) (i * 31 + (i >>> 8));
    }
    TenantId tenantId = new TenantId(TckFixtures.randomId(TenantId.PREFIX));
    List<NewLedgerEntry> entries = List.of(ledgerEntry(tenantId, "subj_ünïcødé ✓", everyByte),
        ledgerEntry(null, null, largest), ledgerEntry(tenantId, null, new byte[] {0}),
        ledgerEntry(null, subjectKey(), new byte[] {(byte) 0xff}));

    store().append(entries);

    List<LedgerEntry> read = store().read(0, 10);
    assertThat(read).hasSize(4);
    for (int i = 0; i < entries.size(); i++) {
      NewLedgerEntry entry = entries.get(i);
      LedgerEntry stored = read.get(i);
      assertThat(stored.index()).isEqualTo(i);
      assertThat(stored.content()).isEqualTo(entry.content());
      assertThat(stored.leafHash()).isEqualTo(entry.leafHash());
      assertThat(stored.recordedAt()).isEqualTo(entry.recordedAt());
      assertThat(stored.tenantId()).isEqualTo(entry.tenantId());
      assertThat(stored.subjectKey()).isEqualTo(entry.subjectKey());
      assertThat(stored).isEqualTo(LedgerEntry.of(i, entry));
    }
    assertThat(store().leafHashes(0, 10)).containsExactly(entries.stream().map(NewLedgerEntry::leafHash)
        .toArray(byte[][]::new));
  }

  // ---- staging

  @Test
  void stagedRecordsAreSequencedInIdOrderAfterTheExistingEntries() {
    NewLedgerEntry existing = ledgerEntry();
    store().append(List.of(existing));
    String subject = subjectKey();
    StagedLedgerRecord b = staged("stg_0002", subject, "second", "ip=b");
    StagedLedgerRecord a = staged("stg_0001", subject, "first", null);
    StagedLedgerRecord c = staged("stg_0003", null, "third", null);
    store().stage(b);
    store().stage(c);
    store().stage(a);
    assertThat(store().hasStaged()).isTrue();
    List<Long> firstIndexes = new ArrayList<>();
    List<byte[]> previous = new ArrayList<>();
    List<List<StagedLedgerRecord>> seen = new ArrayList<>();

    int moved = store().sequenceStaged(2, (first, prev, records) -> {
      firstIndexes.add(first);
      previous.add(prev);
      seen.add(records);
      return records.stream().map(TckFixtures::entryOf).toList();
    });

    assertThat(moved).isEqualTo(2);
    assertThat(firstIndexes).containsExactly(1L);
    assertThat(previous.get(0)).isEqualTo(existing.leafHash());
    assertThat(seen.get(0)).containsExactly(a, b);
    assertThat(store().sequenceStaged(10, (first, prev, records) -> records.stream().map(TckFixtures::entryOf)
        .toList())).isEqualTo(1);
    assertThat(store().sequenceStaged(10, (first, prev, records) -> {
      throw new AssertionError("nothing is staged");
    })).isZero();
    assertThat(store().hasStaged()).isFalse();

    List<LedgerEntry> all = store().read(0, 10);
    assertThat(all).extracting(e -> new String(e.content(), java.nio.charset.StandardCharsets.UTF_8))
        .hasSize(4).endsWith("first", "second", "third");
    assertThat(all.get(2).details()).isEqualTo("ip=b");
    assertThat(all.get(2).subjectKey()).isEqualTo(subject);
  }

  @Test
  void aStagedRecordLandsWithItsUnitOfWorkOrNotAtAll() {
    Tenant tenant = tenant();
    assertThatThrownBy(() -> storage().inTransaction(stores -> {
      stores.ledger().stage(staged("stg_rolled_back", null, "rolled back", null));
      throw new IllegalStateException("the change failed");
    })).isInstanceOf(IllegalStateException.class);
    assertThat(store().hasStaged()).isFalse();

    storage().inTransaction(stores -> {
      stores.tenancy().insertTenant(tenant);
      stores.ledger().stage(staged("stg_kept", null, "kept", null));
      return null;
    });
    assertThat(store().hasStaged()).isTrue();
    assertThat(store().size()).isZero();
  }

  @Test
  void aSequencerThatReturnsTheWrongNumberOfEntriesMovesNothing() {
    store().stage(staged("stg_1", null, "one", null));
    store().stage(staged("stg_2", null, "two", null));

    assertInvalid(() -> store().sequenceStaged(10, (first, prev, records) -> List.of(ledgerEntry())), "entries");
    assertInvalid(() -> store().sequenceStaged(0, (first, prev, records) -> List.of()), "limit");
    assertInvalid(() -> store().sequenceStaged(1, null), "sequencer");
    assertInvalid(() -> store().stage(null), "record");

    assertThat(store().size()).isZero();
    assertThat(store().hasStaged()).isTrue();
  }

  @Test
  void stagingAnIdTwiceConflicts() {
    store().stage(staged("stg_same", null, "one", null));
    assertConflict(() -> store().stage(staged("stg_same", null, "two", null)), "id");
  }

  @Test
  void concurrentSequencersMoveEachStagedRecordExactlyOnce() throws Exception {
    int total = 200;
    concurrently(THREADS, thread -> {
      for (int i = 0; i < total / THREADS; i++) {
        store().stage(staged(String.format("stg_%02d_%04d", thread, i), null, thread + ":" + i, null));
        store().sequenceStaged(7, (first, prev, records) -> records.stream().map(TckFixtures::entryOf).toList());
      }
    });
    while (store().sequenceStaged(50, (first, prev, records) -> records.stream().map(TckFixtures::entryOf).toList())
        > 0) {
      // drain what the last rounds left
    }

    List<LedgerEntry> all = store().read(0, total + 1);
    assertThat(all).hasSize(total);
    assertThat(all).extracting(e -> new String(e.content(), java.nio.charset.StandardCharsets.UTF_8))
        .doesNotHaveDuplicates();
    assertThat(store().hasStaged()).isFalse();
  }

  private static StagedLedgerRecord staged(String id, String subjectKey, String body, String details) {
    return new StagedLedgerRecord(id, TckFixtures.nextInstant(), null, subjectKey, body, details);
  }

  // ---- details

  @Test
  void detailsAreReadBackWithTheirEntryAndOutsideItsHash() {
    String subject = subjectKey();
    NewLedgerEntry withDetails = ledgerEntry(null, subject, 32).withDetails("ip=192.0.2.7\nua=curl/8.5 ✓");
    NewLedgerEntry without = ledgerEntry(null, subject, 32);
    store().append(List.of(withDetails, without));

    assertThat(store().read(0, 10)).containsExactly(LedgerEntry.of(0, withDetails), LedgerEntry.of(1, without));
    assertThat(store().read(0, 1).get(0).details()).isEqualTo("ip=192.0.2.7\nua=curl/8.5 ✓");
    assertThat(store().entriesOfSubject(subject, 0, 10)).containsExactly(LedgerEntry.of(0, withDetails),
        LedgerEntry.of(1, without));
    assertThat(store().leafHashes(0, 1)).containsExactly(withDetails.leafHash());
  }

  @Test
  void erasingASubjectsDetailsKeepsEveryEntryAndOtherSubjectsDetails() {
    String subject = subjectKey();
    String other = subjectKey();
    List<NewLedgerEntry> entries = List.of(ledgerEntry(null, subject, 16).withDetails("a"),
        ledgerEntry(null, other, 16).withDetails("b"), ledgerEntry(null, subject, 16).withDetails("c"),
        ledgerEntry(null, subject, 16));
    store().append(entries);
    List<byte[]> hashesBefore = store().leafHashes(0, 10);

    assertThat(store().eraseDetails(subject)).isEqualTo(2);
    assertThat(store().eraseDetails(subject)).isZero();
    assertThat(store().eraseDetails(subjectKey())).isZero();

    assertThat(store().read(0, 10)).containsExactly(LedgerEntry.of(0, entries.get(0)).withoutDetails(),
        LedgerEntry.of(1, entries.get(1)), LedgerEntry.of(2, entries.get(2)).withoutDetails(),
        LedgerEntry.of(3, entries.get(3)));
    assertThat(store().leafHashes(0, 10)).containsExactlyElementsOf(hashesBefore);
    assertInvalid(() -> store().eraseDetails(null), "subjectKey");
  }

  @Test
  void aRetentionSweepErasesDetailsRecordedBeforeTheCutoff() {
    String subject = subjectKey();
    NewLedgerEntry old = ledgerEntry(null, subject, 16).withDetails("old");
    NewLedgerEntry boundary = ledgerEntry(null, subject, 16).withDetails("boundary");
    NewLedgerEntry young = ledgerEntry(null, subjectKey(), 16).withDetails("young");
    store().append(List.of(old, boundary, young));

    assertThat(store().eraseDetailsRecordedBefore(boundary.recordedAt())).isEqualTo(1);

    assertThat(store().read(0, 10)).containsExactly(LedgerEntry.of(0, old).withoutDetails(),
        LedgerEntry.of(1, boundary), LedgerEntry.of(2, young));
    assertInvalid(() -> store().eraseDetailsRecordedBefore(null), "cutoff");
  }

  @Test
  void detailsRollBackWithTheirUnitOfWork() {
    String subject = subjectKey();
    assertThatThrownBy(() -> storage().inTransaction(stores -> {
      stores.ledger().append(List.of(ledgerEntry(null, subject, 16).withDetails("rolled back")));
      throw new IllegalStateException("the change failed");
    })).isInstanceOf(IllegalStateException.class);

    NewLedgerEntry kept = ledgerEntry(null, subject, 16);
    store().append(List.of(kept));
    assertThat(store().read(0, 10)).containsExactly(LedgerEntry.of(0, kept));
  }

  // ---- checkpoints

  @Test
  void checkpointsAreStoredOnceAndListedBySize() {
    store().append(List.of(ledgerEntry(), ledgerEntry(), ledgerEntry()));
    StoredCheckpoint empty = checkpoint(0);
    StoredCheckpoint one = checkpoint(1);
    StoredCheckpoint three = checkpoint(3);

    store().saveCheckpoint(three);
    store().saveCheckpoint(empty);
    store().saveCheckpoint(one);
    store().saveCheckpoint(new StoredCheckpoint(one.size(), one.root(), one.timestamp(), one.keyId(),
        one.signedText()));

    assertThat(store().checkpoints(0, 10)).containsExactly(empty, one, three);
    assertThat(store().checkpoints(1, 10)).containsExactly(one, three);
    assertThat(store().checkpoints(2, 10)).containsExactly(three);
    assertThat(store().checkpoints(0, 2)).containsExactly(empty, one);
    assertThat(store().checkpoints(4, 10)).isEmpty();
    assertThat(store().checkpoints(0, 0)).isEmpty();
    assertThat(store().latestCheckpoint()).contains(three);
  }

  @Test
  void aDifferentCheckpointForAStoredSizeConflicts() {
    store().append(List.of(ledgerEntry(), ledgerEntry()));
    StoredCheckpoint stored = checkpoint(2);
    store().saveCheckpoint(stored);

    assertConflict(() -> store().saveCheckpoint(checkpoint(2)), "size");
    assertConflict(() -> store().saveCheckpoint(new StoredCheckpoint(2, stored.root(), stored.timestamp(),
        "key-2", stored.signedText())), "size");

    assertThat(store().checkpoints(0, 10)).containsExactly(stored);
  }

  @Test
  void aCheckpointLargerThanTheLedgerIsInvalid() {
    assertInvalid(() -> store().saveCheckpoint(checkpoint(1)), "size");
    store().append(List.of(ledgerEntry()));
    assertInvalid(() -> store().saveCheckpoint(checkpoint(2)), "size");

    assertThat(store().checkpoints(0, 10)).isEmpty();
    assertThat(store().latestCheckpoint()).isEmpty();
  }

  // ---- concurrency

  @Test
  void concurrentAppendsGetGaplessUniqueIndexes() throws Exception {
    ConcurrentLinkedQueue<Long> indexes = new ConcurrentLinkedQueue<>();
    concurrently(THREADS, thread -> {
      for (int i = 0; i < APPENDS_PER_THREAD; i++) {
        indexes.add(store().append(List.of(ledgerEntry())));
      }
    });

    long total = (long) THREADS * APPENDS_PER_THREAD;
    assertThat(store().size()).isEqualTo(total);
    assertThat(indexes).containsExactlyInAnyOrderElementsOf(LongStream.range(0, total).boxed().toList());
    List<LedgerEntry> all = store().read(0, (int) total + 1);
    assertThat(all).extracting(LedgerEntry::index).containsExactlyElementsOf(LongStream.range(0, total).boxed()
        .toList());
  }

  private LedgerStore store() {
    return storage().ledger();
  }
}
