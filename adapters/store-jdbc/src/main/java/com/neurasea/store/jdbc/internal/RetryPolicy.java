package com.neurasea.store.jdbc.internal;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How often work that met a busy database is tried again: a bounded number of attempts with a
 * short, jittered exponential backoff between them.
 *
 * @param maxAttempts attempts in all, at least 1
 * @param baseDelayMillis the delay before the second attempt; it doubles up to {@code maxDelayMillis}
 * @param maxDelayMillis the longest delay
 */
public record RetryPolicy(int maxAttempts, long baseDelayMillis, long maxDelayMillis) {
  /** Validates the components. */
  public RetryPolicy {
    if (maxAttempts < 1 || baseDelayMillis < 0 || maxDelayMillis < baseDelayMillis) {
      throw new IllegalArgumentException("invalid retry policy");
    }
  }

  /**
   * Waits before another attempt, if one is allowed.
   *
   * @param failedAttempts how many attempts have failed so far
   * @return true to try again, false when attempts are exhausted or the thread was interrupted
   */
  public boolean awaitRetry(int failedAttempts) {
    if (failedAttempts >= maxAttempts) {
      return false;
    }
    long delay = Math.min(maxDelayMillis, baseDelayMillis << Math.min(failedAttempts - 1, 16));
    long jittered = delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
    try {
      Thread.sleep(jittered);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
