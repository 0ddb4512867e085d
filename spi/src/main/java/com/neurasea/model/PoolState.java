package com.neurasea.model;

import java.util.Objects;

/**
 * What a pool holds in the store. The store keeps {@code used + leased <= limit} at all times.
 *
 * @param key the pool
 * @param used consumed for good: credits charged, requests admitted, tokens counted
 * @param leased held by hosts' leases, not yet consumed or returned
 */
public record PoolState(PoolKey key, long used, long leased) {
  /** Validates the components. */
  public PoolState {
    Objects.requireNonNull(key, "key");
  }
}
