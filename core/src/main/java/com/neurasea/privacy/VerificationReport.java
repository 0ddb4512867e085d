package com.neurasea.privacy;

import java.util.Optional;

/**
 * The result of {@link PrivacyLedger#verify()}.
 *
 * @param entriesChecked how many stored entries were read
 * @param checkpointsChecked how many stored checkpoints were checked
 * @param firstBadIndex the index of the first entry found bad, or -1 when every check passed; for
 *     a rewrite that only a checkpoint exposes, the first index the failing checkpoint covers beyond
 *     the last good one (the bad entry is at or after it)
 * @param problem what is wrong there, or null
 * @param message a human-readable account of the problem, or null
 */
public record VerificationReport(long entriesChecked, long checkpointsChecked, long firstBadIndex, Problem problem,
    String message) {
  /** What {@code verify()} found wrong. */
  public enum Problem {
    /** An index is missing: an entry was deleted (or the log was truncated below a checkpoint). */
    MISSING_ENTRY,
    /** The stored leaf hash is not the hash of the stored content: the content was modified. */
    HASH_MISMATCH,
    /** The content is not a canonical processing record. */
    MALFORMED_ENTRY,
    /** The entry's content names another index: entries were reordered, renumbered or inserted. */
    WRONG_POSITION,
    /** The entry after this one links to another leaf hash: this entry was replaced or inserted. */
    BROKEN_LINK,
    /** The row's tenant, subject or time disagree with its hashed content. */
    COLUMN_MISMATCH,
    /** A checkpoint's root differs from the root of the stored entries it covers. */
    ROOT_MISMATCH,
    /** A checkpoint's signature does not verify with the ledger's key. */
    BAD_SIGNATURE
  }

  /** Whether every check passed. */
  public boolean ok() {
    return problem == null;
  }

  /** The index of the first bad entry, when one was found. */
  public Optional<Long> firstBad() {
    return ok() ? Optional.empty() : Optional.of(firstBadIndex);
  }
}
