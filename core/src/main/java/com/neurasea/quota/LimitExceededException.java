package com.neurasea.quota;

import com.neurasea.model.AccountRef;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.Meter;
import com.neurasea.model.NeuraSeaException;
import java.time.Duration;

/**
 * A reservation refused because one level of its chain would go over a limit: {@code QUOTA_EXCEEDED}
 * for a budget, {@code RATE_LIMITED} for a per-minute or concurrency limit. Nothing was held.
 */
public final class LimitExceededException extends NeuraSeaException {
  private static final long serialVersionUID = 1L;

  private final transient AccountRef account;
  private final Meter meter;
  private final long limit;
  private final Duration retryAfter;

  LimitExceededException(AccountRef account, Meter meter, long limit, String message, Duration retryAfter) {
    super(meter == Meter.CREDITS ? ErrorCode.QUOTA_EXCEEDED : ErrorCode.RATE_LIMITED, message);
    this.account = account;
    this.meter = meter;
    this.limit = limit;
    this.retryAfter = retryAfter;
  }

  /** The account whose limit it is. */
  public AccountRef account() {
    return account;
  }

  /** The meter over its limit. */
  public Meter meter() {
    return meter;
  }

  /** The limit. */
  public long limit() {
    return limit;
  }

  /** When the limit's window starts over, or null when it does not (budget without reset, concurrency). */
  public Duration retryAfter() {
    return retryAfter;
  }
}
