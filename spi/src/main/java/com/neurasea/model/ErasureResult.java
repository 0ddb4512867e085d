package com.neurasea.model;

import java.util.Set;

/**
 * What one contributor did for an erasure.
 *
 * @param erased the categories whose information was deleted or anonymized
 * @param restricted the categories kept because a legal hold or retention duty covers them, and
 *     restricted (kept, no longer processed)
 */
public record ErasureResult(Set<String> erased, Set<String> restricted) {
  /** Copies the sets. */
  public ErasureResult {
    erased = Set.copyOf(erased);
    restricted = Set.copyOf(restricted);
  }
}
