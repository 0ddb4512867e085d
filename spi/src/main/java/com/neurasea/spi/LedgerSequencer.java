package com.neurasea.spi;

import java.util.List;

/**
 * Turns staged records into ledger entries once their position is known; see {@link
 * LedgerStore#sequenceStaged}.
 */
@FunctionalInterface
public interface LedgerSequencer {
  /**
   * Returns one entry per staged record, in the same order.
   *
   * @param firstIndex the index the first entry gets
   * @param previousLeafHash the leaf hash of the entry before it, null when the log is empty
   * @param staged the staged records, in id order, at least one
   * @return the entries, exactly one per staged record
   */
  List<NewLedgerEntry> entries(long firstIndex, byte[] previousLeafHash, List<StagedLedgerRecord> staged);
}
