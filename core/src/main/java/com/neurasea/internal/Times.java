package com.neurasea.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Time helpers: stores keep millisecond precision, so the core never hands them more. */
public final class Times {
  private Times() {}

  /** The clock's current instant truncated to milliseconds. */
  public static Instant now(Clock clock) {
    return Instant.ofEpochMilli(clock.millis());
  }

  /** An instant truncated to milliseconds, or null. */
  public static Instant millis(Instant instant) {
    return instant == null ? null : instant.truncatedTo(ChronoUnit.MILLIS);
  }
}
