package com.neurasea.quota;

import com.neurasea.model.Meter;
import com.neurasea.model.QuotaLimits;
import java.time.Instant;
import java.time.ZoneId;

/**
 * The window of a meter's pool that contains an instant: the budget's period in the tenant's time
 * zone, the clock minute for per-minute meters, and one window that never ends for concurrency.
 *
 * @param start the start, epoch milliseconds
 * @param end the end (exclusive), or {@link Long#MAX_VALUE} when it never ends
 */
record PoolWindow(long start, long end) {
  private static final long MINUTE = 60_000L;

  static PoolWindow of(Meter meter, QuotaLimits limits, long epochMillis, ZoneId zone) {
    if (meter == Meter.CREDITS) {
      long start = limits.period().periodStart(Instant.ofEpochMilli(epochMillis), zone);
      return new PoolWindow(start, limits.period().periodEnd(start, zone));
    }
    if (meter.perMinute()) {
      long start = epochMillis - Math.floorMod(epochMillis, MINUTE);
      return new PoolWindow(start, start + MINUTE);
    }
    return new PoolWindow(0, Long.MAX_VALUE);
  }

  boolean contains(long epochMillis) {
    return epochMillis >= start && epochMillis < end;
  }
}
