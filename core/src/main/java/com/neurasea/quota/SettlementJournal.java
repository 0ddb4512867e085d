package com.neurasea.quota;

import com.neurasea.model.UsageRecord;
import java.time.LocalDate;

/**
 * Where settlements are kept between the moment they are made and the moment the store has them, so
 * that a process that dies in between loses none.
 */
interface SettlementJournal extends AutoCloseable {
  /** Keeps nothing: settlements not yet written die with the process. */
  SettlementJournal NONE = new SettlementJournal() {
    @Override
    public long append(UsageRecord usage, LocalDate day, LocalPool[] pools, long[] amounts) {
      return 0;
    }

    @Override
    public void opened(Reservation reservation) {}

    @Override
    public void written(long sequence) {}

    @Override
    public void close() {}
  };

  /**
   * Keeps a settlement: a usage record, the day it counts for and what it charges to which pools.
   *
   * @return its sequence number, increasing
   */
  long append(UsageRecord usage, LocalDate day, LocalPool[] pools, long[] amounts);

  /** Notes that a reservation was opened, so one a crash leaves open can be recorded. */
  void opened(Reservation reservation);

  /** Everything up to and including {@code sequence} is in the store. */
  void written(long sequence);


  @Override
  void close();
}
