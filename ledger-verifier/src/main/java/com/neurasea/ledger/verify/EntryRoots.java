package com.neurasea.ledger.verify;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Roots recomputed from exported entries, at the tree sizes a verifier asked for.
 *
 * @param entryCount how many entries the export holds
 * @param rootsBySize the root hash of the first {@code size} entries, by size (copied)
 */
public record EntryRoots(long entryCount, Map<Long, byte[]> rootsBySize) {

  /**
   * Validates and copies the fields.
   *
   * @param entryCount how many entries the export holds
   * @param rootsBySize the recomputed roots by size
   * @throws IllegalArgumentException if the count is negative or a root is malformed
   */
  public EntryRoots {
    if (entryCount < 0) {
      throw new IllegalArgumentException("entryCount must not be negative");
    }
    Map<Long, byte[]> copy = new HashMap<>();
    Objects.requireNonNull(rootsBySize, "rootsBySize").forEach((size, root) ->
        copy.put(size, MerkleHashes.copy(MerkleHashes.requireHash(root, "root"))));
    rootsBySize = Map.copyOf(copy);
  }

  /**
   * Returns the recomputed root of the first {@code size} entries, if it was computed.
   *
   * @param size the tree size
   * @return a copy of the root, or empty if the size was not requested or exceeds the export
   */
  public Optional<byte[]> rootAt(long size) {
    return Optional.ofNullable(rootsBySize.get(size)).map(byte[]::clone);
  }
}
