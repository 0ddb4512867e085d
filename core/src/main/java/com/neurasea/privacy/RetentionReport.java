package com.neurasea.privacy;

import java.time.Instant;
import java.util.Map;

/**
 * What a retention sweep did.
 *
 * @param at when it ran
 * @param removedByCategory how many items of each category were deleted or anonymized, by category
 *     key, for the categories with a retention period
 */
public record RetentionReport(Instant at, Map<String, Long> removedByCategory) {
  /** Copies the map. */
  public RetentionReport {
    removedByCategory = Map.copyOf(removedByCategory);
  }

  /** The total number of items removed. */
  public long total() {
    return removedByCategory.values().stream().mapToLong(Long::longValue).sum();
  }
}
