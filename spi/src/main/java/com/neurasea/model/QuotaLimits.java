package com.neurasea.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The limits of one quota account. A null limit means unlimited on that meter.
 *
 * @param budget credits per reset period, 0 to {@value #MAX_CREDITS}
 * @param period when the budget starts over; {@link ResetPeriod#NONE} for a running total
 * @param requestsPerMinute requests admitted per clock minute, 1 to {@value #MAX_PER_MINUTE}
 * @param tokensPerMinute tokens consumed per clock minute, 1 to {@value #MAX_PER_MINUTE}
 * @param concurrency requests in flight at once, 1 to {@value #MAX_CONCURRENCY}
 */
public record QuotaLimits(Long budget, ResetPeriod period, Long requestsPerMinute, Long tokensPerMinute,
    Long concurrency) {
  /** The largest budget and the largest single amount: 10^15 credits. */
  public static final long MAX_CREDITS = 1_000_000_000_000_000L;
  /** The largest per-minute limit. */
  public static final long MAX_PER_MINUTE = 1_000_000_000L;
  /** The largest concurrency limit. */
  public static final long MAX_CONCURRENCY = 1_000_000L;

  /** No limit on any meter. */
  public static final QuotaLimits UNLIMITED = new QuotaLimits(null, ResetPeriod.NONE, null, null, null);

  /** Validates every limit, listing every bad one. */
  public QuotaLimits {
    if (period == null) {
      period = ResetPeriod.NONE;
    }
    List<FieldError> errors = new ArrayList<>();
    check(errors, "budget", budget, 0, MAX_CREDITS);
    check(errors, "requestsPerMinute", requestsPerMinute, 1, MAX_PER_MINUTE);
    check(errors, "tokensPerMinute", tokensPerMinute, 1, MAX_PER_MINUTE);
    check(errors, "concurrency", concurrency, 1, MAX_CONCURRENCY);
    if (!errors.isEmpty()) {
      throw new NeuraSeaException(ErrorCode.INVALID_ARGUMENT, "invalid quota limits", errors, null);
    }
  }

  private static void check(List<FieldError> errors, String field, Long value, long min, long max) {
    if (value != null && (value < min || value > max)) {
      errors.add(new FieldError(field, "must be between " + min + " and " + max));
    }
  }

  /** A budget alone. */
  public static QuotaLimits budget(long credits, ResetPeriod period) {
    return new QuotaLimits(credits, period, null, null, null);
  }

  /**
   * The limit of one meter.
   *
   * @param meter the meter
   * @return the limit, or null when unlimited
   */
  public Long limitOf(Meter meter) {
    return switch (meter) {
      case CREDITS -> budget;
      case REQUESTS -> requestsPerMinute;
      case TOKENS -> tokensPerMinute;
      case CONCURRENCY -> concurrency;
    };
  }

  /** Whether no meter is limited. */
  public boolean unlimited() {
    return budget == null && requestsPerMinute == null && tokensPerMinute == null && concurrency == null;
  }
}
