package com.neurasea.spi;

import java.util.List;

/**
 * Builds the entries of one ledger append once their position is known; see {@link
 * LedgerStore#append(LedgerAppender)}.
 */
@FunctionalInterface
public interface LedgerAppender {
  /**
   * Returns the entries to append.
   *
   * @param firstIndex the index the first entry gets
   * @param previousLeafHash the leaf hash of the entry at {@code firstIndex - 1}, a copy; null when
   *     the log is empty
   * @return the entries, in order; may be empty
   */
  List<NewLedgerEntry> entries(long firstIndex, byte[] previousLeafHash);
}
