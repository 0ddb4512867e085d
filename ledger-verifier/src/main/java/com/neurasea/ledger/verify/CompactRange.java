package com.neurasea.ledger.verify;

import java.util.ArrayList;
import java.util.List;

/**
 * A streaming root calculator: it takes leaf hashes in order and keeps only the roots of the
 * complete subtrees covering them (at most one per level, O(log n) hashes), which is enough to
 * produce the root of the tree of every prefix.
 *
 * <p>Use it to recompute the root of a whole exported log in one pass with constant memory per
 * level, for instance to compare an export against its signed checkpoints. Not thread-safe.
 */
public final class CompactRange {

  /** Subtree roots from the largest (leftmost) to the smallest (rightmost). */
  private final List<byte[]> peaks = new ArrayList<>();

  private long size;

  /** Creates the range of the empty tree. */
  public CompactRange() {}

  /**
   * Appends one leaf hash.
   *
   * @param leafHash the leaf hash, {@link MerkleHashes#HASH_SIZE} bytes
   * @throws IllegalArgumentException if the hash has the wrong length
   */
  public void append(byte[] leafHash) {
    byte[] node = MerkleHashes.copy(MerkleHashes.requireHash(leafHash, "leafHash"));
    long merged = size;
    while ((merged & 1) == 1) {
      node = MerkleHashes.nodeHash(peaks.remove(peaks.size() - 1), node);
      merged >>= 1;
    }
    peaks.add(node);
    size++;
  }

  /**
   * Returns how many leaves were appended.
   *
   * @return the tree size
   */
  public long size() {
    return size;
  }

  /**
   * Returns the root hash of the tree of all leaves appended so far.
   *
   * @return the root hash; {@link MerkleHashes#emptyRoot()} when nothing was appended
   */
  public byte[] root() {
    if (peaks.isEmpty()) {
      return MerkleHashes.emptyRoot();
    }
    byte[] root = peaks.get(peaks.size() - 1);
    for (int i = peaks.size() - 2; i >= 0; i--) {
      root = MerkleHashes.nodeHash(peaks.get(i), root);
    }
    return MerkleHashes.copy(root);
  }
}
