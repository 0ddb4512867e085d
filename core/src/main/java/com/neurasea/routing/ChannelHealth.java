package com.neurasea.routing;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A channel's health on this host: in-flight count, latency EWMA, a circuit breaker over a sliding
 * window of outcomes, a {@code Retry-After} cool-down and per-minute and concurrency limits. Survives
 * reloads of the channel's settings (kept by channel id).
 */
final class ChannelHealth {
  private static final int BUCKETS = 10;
  private static final int MAX_ERRORS = 20;
  private static final double ALPHA = 0.2;
  private final GatewaySettings settings;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicBoolean trialRunning = new AtomicBoolean();
  private final long[] bucketStart = new long[BUCKETS];
  private final long[] ok = new long[BUCKETS];
  private final long[] failed = new long[BUCKETS];
  private final ArrayDeque<ChannelError> errors = new ArrayDeque<>();
  private volatile double ewmaMillis = -1;
  private volatile BreakerState state = BreakerState.CLOSED;
  private volatile long openUntil;
  private volatile long coolingUntil;
  private int consecutiveFailures;
  private long minute = -1;
  private int inMinute;

  ChannelHealth(GatewaySettings settings) {
    this.settings = settings;
  }

  int inFlight() {
    return inFlight.get();
  }

  double latencyMillis() {
    return ewmaMillis;
  }

  BreakerState state(long now) {
    BreakerState current = state;
    return current == BreakerState.OPEN && now >= openUntil ? BreakerState.HALF_OPEN : current;
  }

  /** Whether routing should consider it now (without claiming anything). */
  boolean available(long now, int maxConcurrency) {
    if (now < coolingUntil) {
      return false;
    }
    if (maxConcurrency > 0 && inFlight.get() >= maxConcurrency) {
      return false;
    }
    return switch (state(now)) {
      case CLOSED -> true;
      case OPEN -> false;
      case HALF_OPEN -> !trialRunning.get();
    };
  }

  /** {@link #tryAcquire} refused. */
  static final int REFUSED = 0;
  /** {@link #tryAcquire} admitted an ordinary attempt. */
  static final int ADMITTED = 1;
  /** {@link #tryAcquire} admitted the half-open trial. */
  static final int TRIAL = 2;

  /**
   * Claims a slot for one attempt: the half-open trial, a place under the concurrency limit and one
   * request of this minute. Every successful claim is ended by exactly one of {@link #succeeded},
   * {@link #failed} or {@link #neutral}.
   *
   * @return {@link #REFUSED}, {@link #ADMITTED} or {@link #TRIAL}
   */
  synchronized int tryAcquire(long now, int maxConcurrency, int requestsPerMinute) {
    if (!available(now, maxConcurrency)) {
      return REFUSED;
    }
    if (requestsPerMinute > 0) {
      long thisMinute = now / 60_000;
      if (thisMinute != minute) {
        minute = thisMinute;
        inMinute = 0;
      }
      if (inMinute >= requestsPerMinute) {
        return REFUSED;
      }
      inMinute++;
    }
    int admitted = ADMITTED;
    if (state(now) == BreakerState.HALF_OPEN) {
      if (!trialRunning.compareAndSet(false, true)) {
        return REFUSED;
      }
      state = BreakerState.HALF_OPEN;
      admitted = TRIAL;
    }
    inFlight.incrementAndGet();
    return admitted;
  }

  /** The attempt got a good reply; its head came after {@code latencyNanos}. */
  synchronized void succeeded(long now, long latencyNanos) {
    inFlight.decrementAndGet();
    double millis = latencyNanos / 1e6;
    double current = ewmaMillis;
    ewmaMillis = current < 0 ? millis : current + ALPHA * (millis - current);
    consecutiveFailures = 0;
    count(now, true);
    if (state == BreakerState.HALF_OPEN) {
      close();
    }
  }

  /** The attempt failed for a reason that counts against the channel. */
  synchronized void failed(long now, ChannelError error) {
    inFlight.decrementAndGet();
    remember(error);
    consecutiveFailures++;
    count(now, false);
    if (state == BreakerState.HALF_OPEN) {
      open(now);
      return;
    }
    if (state == BreakerState.CLOSED && (consecutiveFailures >= settings.breakerConsecutiveFailures()
        || tripsOnRate(now))) {
      open(now);
    }
  }

  /**
   * The attempt ended without saying anything about the channel (a client error, a cancelled call).
   * Only the trial's own ending lets another trial in; an older attempt ending meanwhile does not.
   *
   * @param trial whether {@link #tryAcquire} admitted it as the half-open trial
   */
  synchronized void neutral(boolean trial) {
    inFlight.decrementAndGet();
    if (trial && state == BreakerState.HALF_OPEN) {
      trialRunning.set(false);
    }
  }

  /** Skips the channel until a time (a {@code Retry-After}); a shorter cool-down never shortens a longer one. */
  synchronized void coolUntil(long until) {
    if (until > coolingUntil) {
      coolingUntil = until;
    }
  }

  /** A probe got a good reply: the breaker closes. */
  synchronized void probeSucceeded() {
    consecutiveFailures = 0;
    close();
  }

  /** A probe failed. */
  synchronized void probeFailed(ChannelError error) {
    remember(error);
  }

  synchronized void remember(ChannelError error) {
    errors.addFirst(error);
    while (errors.size() > MAX_ERRORS) {
      errors.removeLast();
    }
  }

  synchronized List<ChannelError> recentErrors() {
    return new ArrayList<>(errors);
  }

  synchronized long[] window(long now) {
    long requests = 0;
    long failures = 0;
    long bucketMillis = bucketMillis();
    for (int i = 0; i < BUCKETS; i++) {
      if (now - bucketStart[i] < bucketMillis * BUCKETS) {
        requests += ok[i] + failed[i];
        failures += failed[i];
      }
    }
    return new long[] {requests, failures};
  }

  Instant coolingUntil(long now) {
    long until = coolingUntil;
    return until > now ? Instant.ofEpochMilli(until) : null;
  }

  private void count(long now, boolean success) {
    long bucketMillis = bucketMillis();
    long start = now - Math.floorMod(now, bucketMillis);
    int index = (int) ((now / bucketMillis) % BUCKETS);
    if (bucketStart[index] != start) {
      bucketStart[index] = start;
      ok[index] = 0;
      failed[index] = 0;
    }
    if (success) {
      ok[index]++;
    } else {
      failed[index]++;
    }
  }

  private boolean tripsOnRate(long now) {
    long[] window = window(now);
    return window[0] >= settings.breakerMinRequests()
        && window[1] * 100 >= (long) settings.breakerErrorPercent() * window[0];
  }

  private long bucketMillis() {
    return Math.max(1, settings.breakerWindowMillis() / BUCKETS);
  }

  private void open(long now) {
    state = BreakerState.OPEN;
    openUntil = now + settings.breakerOpenMillis();
    trialRunning.set(false);
  }

  private void close() {
    state = BreakerState.CLOSED;
    trialRunning.set(false);
    consecutiveFailures = 0;
    java.util.Arrays.fill(ok, 0);
    java.util.Arrays.fill(failed, 0);
  }
}
