package com.neurasea.privacy;

import java.util.List;

/**
 * Proof that the ledger of {@code newSize} entries extends the ledger of {@code oldSize} entries
 * without changing any of them (RFC 9162 §2.1.4).
 *
 * @param oldSize the older size
 * @param oldRoot the root at the older size, lower-case hex
 * @param newSize the newer size
 * @param newRoot the root at the newer size, lower-case hex
 * @param path the proof's hashes, lower-case hex
 */
public record ConsistencyProof(long oldSize, String oldRoot, long newSize, String newRoot, List<String> path) {
  /** Copies the path. */
  public ConsistencyProof {
    path = List.copyOf(path);
  }
}
