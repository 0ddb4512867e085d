package com.neurasea.model;

import java.time.Instant;
import java.util.Map;

/**
 * A new price version for a model (see {@link ModelPrice} for the units).
 *
 * @param model the model name
 * @param effectiveFrom from when it applies; null for now
 * @param inputPerMillion credits per million prompt tokens
 * @param outputPerMillion credits per million completion tokens
 * @param cachedInputPerMillion credits per million cached prompt tokens
 * @param perRequest credits per request
 * @param groupMultipliers multipliers by group id, in basis points (10,000 = 1×)
 */
public record SetModelPrice(String model, Instant effectiveFrom, long inputPerMillion, long outputPerMillion,
    long cachedInputPerMillion, long perRequest, Map<String, Long> groupMultipliers) {
  /** Copies the multipliers. */
  public SetModelPrice {
    groupMultipliers = groupMultipliers == null ? Map.of() : Map.copyOf(groupMultipliers);
  }
}
