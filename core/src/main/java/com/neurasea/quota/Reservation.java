package com.neurasea.quota;

import com.neurasea.model.UsageRecord;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Allowance held for one request until it is settled, released or expires. Obtained from
 * {@link QuotaEngine#reserve}; settling or releasing it twice returns the first outcome and never
 * charges twice.
 */
public final class Reservation {
  final String requestId;
  final Chain chain;
  final long maxCost;
  final long maxTokens;
  final long startedAt;
  final long expiresAt;
  final ZoneId zone;
  /** The pools it holds in, with the amount held in each (all levels, all meters). */
  final LocalPool[] pools;
  final long[] held;
  /** The outcome once closed; the engine closes a reservation by setting it from null. */
  final AtomicReference<UsageRecord> outcome = new AtomicReference<>();

  Reservation(String requestId, Chain chain, long maxCost, long maxTokens, long startedAt, long expiresAt, ZoneId zone,
      LocalPool[] pools, long[] held) {
    this.requestId = requestId;
    this.chain = chain;
    this.maxCost = maxCost;
    this.maxTokens = maxTokens;
    this.startedAt = startedAt;
    this.expiresAt = expiresAt;
    this.zone = zone;
    this.pools = pools;
    this.held = held;
  }

  /** The request id it was made under. */
  public String requestId() {
    return requestId;
  }

  /** Who it charges. */
  public Chain chain() {
    return chain;
  }

  /** The credits held: the most it may cost without going back to the limits. */
  public long maxCost() {
    return maxCost;
  }

  /** The tokens held against tokens-per-minute limits. */
  public long maxTokens() {
    return maxTokens;
  }

  /** When it was made. */
  public Instant startedAt() {
    return Instant.ofEpochMilli(startedAt);
  }

  /** When it expires at no charge unless settled or released. */
  public Instant expiresAt() {
    return Instant.ofEpochMilli(expiresAt);
  }

  /** Whether it is still open. */
  public boolean isOpen() {
    return outcome.get() == null;
  }

  /** How it ended, once it has. */
  public Optional<UsageRecord> outcome() {
    return Optional.ofNullable(outcome.get());
  }

  @Override
  public String toString() {
    return "Reservation[" + requestId + ", maxCost=" + maxCost + ", " + (isOpen() ? "open" : outcome.get().status())
        + "]";
  }
}
