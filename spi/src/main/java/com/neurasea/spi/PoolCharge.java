package com.neurasea.spi;

import com.neurasea.model.PoolKey;
import java.util.Objects;

/**
 * An amount a settlement consumes from one pool, out of the settling host's lease.
 *
 * @param key the pool
 * @param amount how much, 0 or more
 */
public record PoolCharge(PoolKey key, long amount) {
  /** Validates the components. */
  public PoolCharge {
    Objects.requireNonNull(key, "key");
    if (amount < 0) {
      throw new IllegalArgumentException("amount must be 0 or more");
    }
  }
}
