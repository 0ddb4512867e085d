package com.neurasea.model;

import java.time.Instant;
import java.util.Objects;

/**
 * Allowance of one pool a host holds, to serve reservations without a round trip to the store.
 *
 * @param key the pool
 * @param hostId the host holding it
 * @param amount how much it holds
 * @param expiresAt when it returns to the pool unless the host renews it
 */
public record QuotaLease(PoolKey key, String hostId, long amount, Instant expiresAt) {
  /** Validates the components. */
  public QuotaLease {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(hostId, "hostId");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }
}
