package com.neurasea.spi;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Persistence of the privacy ledger: an append-only log of processing records, each with its RFC
 * 6962 leaf hash, and the signed checkpoints over its prefixes. The store never interprets the
 * bytes it keeps; the core computes hashes and proofs and signs checkpoints.
 *
 * <p>Obtained from {@link Stores#ledger()}: from the storage for a single call, or from the stores
 * of {@link Storage#inTransaction} so that a change and the ledger entry recording it land in one
 * unit of work.
 *
 * <p>An entry may carry <em>details</em>: erasable personal data kept beside it and outside its
 * hash. {@link #read} and {@link #entriesOfSubject} return them until they are erased.
 *
 * <p>Every method fails with {@code INVALID_ARGUMENT} naming the field ({@code fromIndex},
 * {@code fromSize}, {@code limit}) when a position or limit is negative, and with
 * {@code INVALID_ARGUMENT} naming {@code entries}, {@code subjectKey} or {@code checkpoint} when a
 * required argument is null.
 */
public interface LedgerStore {
  /**
   * Appends entries at the end, in order, with consecutive indexes starting at the current size,
   * all or none. Appends from several threads or several hosts on one database are serialized, so
   * indexes are gapless and unique.
   *
   * <p>The appender is called once the append holds its place at the end of the log, with the index
   * the first entry gets and the leaf hash of the entry before it, so that entries can commit to
   * their own position and link to their predecessor. When an append inside a unit of work is
   * retried, the appender is called again; it must not have side effects.
   *
   * @param appender builds the entries from the first index and the previous leaf hash
   * @return the index of the first appended entry; when the appender returns no entries the
   *     current size, and nothing is written
   * @throws com.neurasea.model.NeuraSeaException {@code INVALID_ARGUMENT} naming {@code entries}
   *     when the appender returns null, or {@code entries[i]} when entry i is null
   */
  long append(LedgerAppender appender);

  /**
   * Appends entries that do not depend on their position; see {@link #append(LedgerAppender)}.
   *
   * @param entries the entries, in order; none may be null
   * @return the index of the first appended entry; for an empty list the current size, and nothing
   *     is written
   */
  default long append(List<NewLedgerEntry> entries) {
    if (entries == null) {
      throw com.neurasea.model.NeuraSeaException.invalid("entries", "is required");
    }
    if (entries.isEmpty()) {
      return size();
    }
    List<NewLedgerEntry> copy = new java.util.ArrayList<>(entries);
    return append((firstIndex, previousLeafHash) -> copy);
  }

  /**
   * Stages a processing record: a plain insert, meant for a unit of work, so that the record lands
   * with the change it records while concurrent units of work never contend for the end of the log.
   * Staged records join the log when a sequencer runs ({@link #sequenceStaged}).
   *
   * @param record the record
   * @throws com.neurasea.model.NeuraSeaException {@code INVALID_ARGUMENT} naming {@code record} when
   *     it is null; {@code CONFLICT} naming {@code id} when a record with its id is staged
   */
  void stage(StagedLedgerRecord record);

  /**
   * Moves up to {@code limit} staged records, oldest id first, into the log, in one atomic unit
   * serialized with every other append: the sequencer builds their entries from their position, the
   * entries are appended and the staged records deleted. Safe to run on several hosts at once; each
   * staged record is sequenced exactly once.
   *
   * @param limit the largest number of records to move, 1 or more
   * @param sequencer builds the entries; must not have side effects
   * @return the number of records moved, 0 when none were staged
   * @throws com.neurasea.model.NeuraSeaException {@code INVALID_ARGUMENT} naming {@code limit} when
   *     it is below 1, {@code sequencer} when it is null, or {@code entries} when the sequencer
   *     returns other than one entry per staged record (nothing is moved then)
   */
  int sequenceStaged(int limit, LedgerSequencer sequencer);

  /**
   * Whether any record is staged. Cheap: for deciding whether to run a sequencer.
   *
   * @return true when at least one record waits to be sequenced
   */
  boolean hasStaged();

  /**
   * The number of entries, which is also the index the next appended entry gets.
   *
   * @return the number of entries
   */
  long size();

  /**
   * Entries with an index in {@code [fromIndex, fromIndex + limit)}, in index order; fewer (or none)
   * when the range runs past the end of the log.
   *
   * @param fromIndex the first index, 0 or more
   * @param limit the largest number of entries, 0 or more
   * @return the entries
   */
  List<LedgerEntry> read(long fromIndex, int limit);

  /**
   * The leaf hashes of entries {@code [fromIndex, fromIndex + limit)}, in index order; fewer (or
   * none) when the range runs past the end of the log. Cheaper than {@link #read}: for proofs.
   *
   * @param fromIndex the first index, 0 or more
   * @param limit the largest number of hashes, 0 or more
   * @return the leaf hashes, 32 bytes each
   */
  List<byte[]> leafHashes(long fromIndex, int limit);

  /**
   * Entries of one pseudonymous subject with an index of at least {@code fromIndex}, in index
   * order, at most {@code limit}.
   *
   * @param subjectKey the subject's pseudonymous key
   * @param fromIndex the first index to consider, 0 or more
   * @param limit the largest number of entries, 0 or more
   * @return the entries
   */
  List<LedgerEntry> entriesOfSubject(String subjectKey, long fromIndex, int limit);

  /**
   * Erases the details of every entry of one subject; the entries themselves, and so every hash,
   * stay as they are.
   *
   * @param subjectKey the subject's pseudonymous key
   * @return the number of entries whose details were erased
   */
  long eraseDetails(String subjectKey);

  /**
   * Erases the details of every entry recorded before a time, whoever its subject: for retention
   * sweeps. The entries themselves stay as they are.
   *
   * @param cutoff entries recorded strictly before it lose their details
   * @return the number of entries whose details were erased
   * @throws com.neurasea.model.NeuraSeaException {@code INVALID_ARGUMENT} naming {@code cutoff}
   *     when it is null
   */
  long eraseDetailsRecordedBefore(Instant cutoff);

  /**
   * Stores a checkpoint. Storing the identical checkpoint again is a no-op.
   *
   * @param checkpoint the checkpoint
   * @throws com.neurasea.model.NeuraSeaException {@code CONFLICT} naming {@code size} when a
   *     different checkpoint for the same size is stored; {@code INVALID_ARGUMENT} naming {@code
   *     size} when the size is larger than the log
   */
  void saveCheckpoint(StoredCheckpoint checkpoint);

  /**
   * Checkpoints with a size of at least {@code fromSize}, in increasing size, at most {@code limit}.
   *
   * @param fromSize the smallest size, 0 or more
   * @param limit the largest number of checkpoints, 0 or more
   * @return the checkpoints
   */
  List<StoredCheckpoint> checkpoints(long fromSize, int limit);

  /**
   * The checkpoint with the largest size, if any.
   *
   * @return the latest checkpoint, or empty when none is stored
   */
  Optional<StoredCheckpoint> latestCheckpoint();
}
