package com.neurasea.permissions;

import java.time.Duration;
import java.util.Objects;

/**
 * Sizing of the in-memory access caches (permission snapshots, group ancestry, API tokens). Every
 * change made through this instance invalidates the affected entries at once; the expiry bounds how
 * long a change made elsewhere (directly in the database) can go unseen.
 *
 * @param maximumSize entries kept per cache; 0 disables caching (every check reads the store)
 * @param expireAfterWrite how long an entry may be served before it is reloaded
 */
public record AccessCacheSettings(long maximumSize, Duration expireAfterWrite) {
  /** 100,000 entries, reloaded after 5 minutes. */
  public static final AccessCacheSettings DEFAULT = new AccessCacheSettings(100_000, Duration.ofMinutes(5));

  /** No caching: every check reads the store. */
  public static final AccessCacheSettings DISABLED = new AccessCacheSettings(0, Duration.ofMinutes(5));

  /** Validates the components. */
  public AccessCacheSettings {
    Objects.requireNonNull(expireAfterWrite, "expireAfterWrite");
    if (maximumSize < 0) {
      throw new IllegalArgumentException("maximumSize must be 0 or more");
    }
    if (expireAfterWrite.isNegative() || expireAfterWrite.isZero()) {
      throw new IllegalArgumentException("expireAfterWrite must be positive");
    }
  }
}
