package com.neurasea.ledger.verify;

/**
 * A read-only source of the leaf hashes of an append-only log, indexed from zero.
 *
 * <p>The proof generation of {@link MerkleTree} reads a log only through this interface, so a
 * database-backed ledger can serve it. {@link #subtreeHash(int, long)} has a default that rehashes
 * the leaves below the subtree; a source that stores interior hashes (such as {@link MerkleLog})
 * overrides it so that proofs for large logs cost O(log n) reads instead of O(n) hashing.
 */
public interface LeafHashes {

  /**
   * Returns the number of leaves currently in the log.
   *
   * @return the size, never negative
   */
  long size();

  /**
   * Returns the hash of one leaf.
   *
   * @param index the leaf's index, {@code 0 <= index < size()}
   * @return the leaf hash ({@link MerkleHashes#HASH_SIZE} bytes); callers must not modify it
   */
  byte[] leafHash(long index);

  /**
   * Returns the hash of a complete subtree: the {@code 2^level} leaves starting at leaf {@code
   * index * 2^level}.
   *
   * <p>The default computes it from the leaves. Implementations that cache interior hashes should
   * override it; the result must equal the default.
   *
   * @param level the subtree's height, 0 for a single leaf
   * @param index the subtree's position among the subtrees of that height
   * @return the subtree hash; callers must not modify it
   * @throws IllegalArgumentException if the subtree reaches past {@link #size()}
   */
  default byte[] subtreeHash(int level, long index) {
    if (level < 0 || level > 62 || index < 0 || index >= (size() >> level)) {
      throw new IllegalArgumentException(
          "no complete subtree at level " + level + " index " + index + " in size " + size());
    }
    if (level == 0) {
      return leafHash(index);
    }
    return MerkleHashes.nodeHash(
        subtreeHash(level - 1, 2 * index), subtreeHash(level - 1, 2 * index + 1));
  }
}
