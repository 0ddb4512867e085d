package com.neurasea.model;

/**
 * What a quota account limits. Each meter of each account is a pool per window: a budget period,
 * a clock minute, or (for concurrency) one pool that never resets.
 */
public enum Meter {
  /** Credits spent, against the budget, per reset period. */
  CREDITS,
  /** Requests admitted per clock minute (UTC minute boundaries). */
  REQUESTS,
  /** Tokens consumed per clock minute. */
  TOKENS,
  /** Requests in flight at once; returned when a request ends. */
  CONCURRENCY;

  /** The lower-case name used in errors and the HTTP API. */
  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Whether a pool of this meter is per clock minute. */
  public boolean perMinute() {
    return this == REQUESTS || this == TOKENS;
  }
}
