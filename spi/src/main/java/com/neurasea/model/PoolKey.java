package com.neurasea.model;

import java.util.Objects;

/**
 * One meter of one account in one window: what leases and charges are counted against.
 *
 * @param account the account
 * @param meter the meter
 * @param windowStart the window's start in epoch milliseconds: the budget period's start (0 for a
 *     budget that never resets), the clock minute's start, or 0 for concurrency
 */
public record PoolKey(AccountRef account, Meter meter, long windowStart) {
  /** Validates the components. */
  public PoolKey {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(meter, "meter");
    if (windowStart < 0) {
      throw NeuraSeaException.invalid("windowStart", "must be 0 or more");
    }
  }
}
