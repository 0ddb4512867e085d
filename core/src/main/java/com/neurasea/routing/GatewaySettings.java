package com.neurasea.routing;

import com.neurasea.model.NeuraSeaException;

/**
 * How the gateway behaves. Every figure is per host.
 *
 * @param maxRequestBytes the largest request body accepted (larger ones get 413 before anything else)
 * @param maxResponseBytes the largest non-streamed upstream reply read (larger ones fail as a bad upstream reply)
 * @param maxAttempts upstream attempts per request, the first included (the retry budget)
 * @param maxRetryWaitMillis the longest the gateway waits for a {@code Retry-After} before retrying a
 *     channel; a longer one moves on to other channels or ends the request with 429
 * @param defaultMaxOutputTokens the completion length reserved when a request names no {@code max_tokens}
 *     (and sent to providers that require one)
 * @param breakerWindowMillis the window over which a channel's error rate is measured
 * @param breakerMinRequests the fewest requests in the window before the error rate can open the breaker
 * @param breakerErrorPercent the error rate, in percent, that opens the breaker
 * @param breakerConsecutiveFailures this many failures in a row open the breaker whatever the window says
 * @param breakerOpenMillis how long an open breaker stays open before a half-open trial
 * @param probeIntervalMillis how often channels that were automatically disabled, or whose breaker is
 *     open, are probed
 * @param refreshMillis how often channels and aliases are re-read from the store (changes on other hosts)
 * @param requirePrice refuse models without a price (true), or serve them at no charge (false)
 * @param demoChannel serve the in-process echo model {@value DemoChannel#MODEL} (for a first try, no provider)
 */
public record GatewaySettings(int maxRequestBytes, int maxResponseBytes, int maxAttempts, long maxRetryWaitMillis,
    int defaultMaxOutputTokens, long breakerWindowMillis, int breakerMinRequests, int breakerErrorPercent,
    int breakerConsecutiveFailures, long breakerOpenMillis, long probeIntervalMillis, long refreshMillis,
    boolean requirePrice, boolean demoChannel) {
  /** The defaults. */
  public static final GatewaySettings DEFAULT = new GatewaySettings(8 << 20, 64 << 20, 3, 2_000, 4_096, 30_000, 10,
      50, 5, 30_000, 60_000, 5_000, true, false);

  /** Checks the figures. */
  public GatewaySettings {
    check(maxRequestBytes >= 1024, "maxRequestBytes", "must be at least 1024");
    check(maxResponseBytes >= 1024, "maxResponseBytes", "must be at least 1024");
    check(maxAttempts >= 1 && maxAttempts <= 10, "maxAttempts", "must be between 1 and 10");
    check(maxRetryWaitMillis >= 0 && maxRetryWaitMillis <= 60_000, "maxRetryWaitMillis", "must be 0 to 60000");
    check(defaultMaxOutputTokens >= 1 && defaultMaxOutputTokens <= 1_000_000, "defaultMaxOutputTokens",
        "must be 1 to 1000000");
    check(breakerWindowMillis >= 1_000, "breakerWindowMillis", "must be at least 1000");
    check(breakerMinRequests >= 1, "breakerMinRequests", "must be at least 1");
    check(breakerErrorPercent >= 1 && breakerErrorPercent <= 100, "breakerErrorPercent", "must be 1 to 100");
    check(breakerConsecutiveFailures >= 1, "breakerConsecutiveFailures", "must be at least 1");
    check(breakerOpenMillis >= 10, "breakerOpenMillis", "must be at least 10");
    check(probeIntervalMillis >= 10, "probeIntervalMillis", "must be at least 10");
    check(refreshMillis >= 10, "refreshMillis", "must be at least 10");
  }

  private static void check(boolean ok, String field, String message) {
    if (!ok) {
      throw NeuraSeaException.invalid(field, message);
    }
  }

  /** A copy with the demo channel on or off. */
  public GatewaySettings withDemoChannel(boolean on) {
    return new GatewaySettings(maxRequestBytes, maxResponseBytes, maxAttempts, maxRetryWaitMillis,
        defaultMaxOutputTokens, breakerWindowMillis, breakerMinRequests, breakerErrorPercent,
        breakerConsecutiveFailures, breakerOpenMillis, probeIntervalMillis, refreshMillis, requirePrice, on);
  }

  /** A copy with another request size limit. */
  public GatewaySettings withMaxRequestBytes(int bytes) {
    return new GatewaySettings(bytes, maxResponseBytes, maxAttempts, maxRetryWaitMillis, defaultMaxOutputTokens,
        breakerWindowMillis, breakerMinRequests, breakerErrorPercent, breakerConsecutiveFailures, breakerOpenMillis,
        probeIntervalMillis, refreshMillis, requirePrice, demoChannel);
  }

  /** A copy with other retry rules. */
  public GatewaySettings withRetries(int attempts, long retryWaitMillis) {
    return new GatewaySettings(maxRequestBytes, maxResponseBytes, attempts, retryWaitMillis, defaultMaxOutputTokens,
        breakerWindowMillis, breakerMinRequests, breakerErrorPercent, breakerConsecutiveFailures, breakerOpenMillis,
        probeIntervalMillis, refreshMillis, requirePrice, demoChannel);
  }

  /** A copy with other circuit-breaker and probe timing. */
  public GatewaySettings withBreaker(long windowMillis, int minRequests, int errorPercent, int consecutiveFailures,
      long openMillis, long probeMillis) {
    return new GatewaySettings(maxRequestBytes, maxResponseBytes, maxAttempts, maxRetryWaitMillis,
        defaultMaxOutputTokens, windowMillis, minRequests, errorPercent, consecutiveFailures, openMillis, probeMillis,
        refreshMillis, requirePrice, demoChannel);
  }

  /** A copy that serves unpriced models at no charge, or refuses them. */
  public GatewaySettings withRequirePrice(boolean require) {
    return new GatewaySettings(maxRequestBytes, maxResponseBytes, maxAttempts, maxRetryWaitMillis,
        defaultMaxOutputTokens, breakerWindowMillis, breakerMinRequests, breakerErrorPercent,
        breakerConsecutiveFailures, breakerOpenMillis, probeIntervalMillis, refreshMillis, require, demoChannel);
  }
}
