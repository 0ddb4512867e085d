package com.neurasea.ledger.verify;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Root hashes, inclusion proofs and consistency proofs over any {@link LeafHashes}, following the
 * tree shape of RFC 9162 §2.1: the tree of {@code n > 1} leaves splits after the largest power of
 * two smaller than {@code n}.
 *
 * <p>Every subtree that a computation needs is either complete (asked of {@link
 * LeafHashes#subtreeHash(int, long)}) or lies on the right edge of the tree, and a right-edge
 * subtree is the hash of O(log n) complete ones. With a source that caches complete subtrees, a
 * root or a proof therefore costs O(log n) reads and at most O(log² n) hashes.
 */
public final class MerkleTree {

  private MerkleTree() {}

  /**
   * Computes the root hash of the first {@code size} leaves (RFC 9162 §2.1.1, MTH).
   *
   * @param leaves the log
   * @param size the tree size, {@code 0 <= size <= leaves.size()}
   * @return the root hash; {@link MerkleHashes#emptyRoot()} for size 0
   * @throws IllegalArgumentException if size is out of range
   */
  public static byte[] root(LeafHashes leaves, long size) {
    Objects.requireNonNull(leaves, "leaves");
    requireSize(leaves, size, "size");
    if (size == 0) {
      return MerkleHashes.emptyRoot();
    }
    return MerkleHashes.copy(rangeHash(leaves, 0, size));
  }

  /**
   * Generates the inclusion proof of one leaf in the tree of the first {@code size} leaves (RFC
   * 9162 §2.1.3.1). The proof lists sibling hashes from the leaf up to the root.
   *
   * @param leaves the log
   * @param index the leaf's index, {@code 0 <= index < size}
   * @param size the tree size, {@code size <= leaves.size()}
   * @return the proof, unmodifiable; empty for a tree of one leaf
   * @throws IllegalArgumentException if index or size is out of range
   */
  public static List<byte[]> inclusionProof(LeafHashes leaves, long index, long size) {
    Objects.requireNonNull(leaves, "leaves");
    requireSize(leaves, size, "size");
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException("index " + index + " is not in a tree of size " + size);
    }
    List<byte[]> proof = new ArrayList<>();
    path(leaves, index, 0, size, proof);
    return Collections.unmodifiableList(proof);
  }

  /**
   * Generates the consistency proof between the trees of the first {@code size1} and the first
   * {@code size2} leaves (RFC 9162 §2.1.4.1).
   *
   * @param leaves the log
   * @param size1 the older tree size, {@code 0 <= size1 <= size2}
   * @param size2 the newer tree size, {@code size2 <= leaves.size()}
   * @return the proof, unmodifiable; empty if {@code size1} is 0 or equals {@code size2}
   * @throws IllegalArgumentException if a size is out of range or size1 exceeds size2
   */
  public static List<byte[]> consistencyProof(LeafHashes leaves, long size1, long size2) {
    Objects.requireNonNull(leaves, "leaves");
    requireSize(leaves, size2, "size2");
    if (size1 < 0 || size1 > size2) {
      throw new IllegalArgumentException("size1 " + size1 + " is not in [0, " + size2 + "]");
    }
    List<byte[]> proof = new ArrayList<>();
    if (size1 > 0 && size1 < size2) {
      subproof(leaves, size1, 0, size2, true, proof);
    }
    return Collections.unmodifiableList(proof);
  }

  /** PATH(m, D[start:end]) with m relative to start; appends from the leaf upwards. */
  private static void path(LeafHashes leaves, long m, long start, long end, List<byte[]> proof) {
    long n = end - start;
    if (n == 1) {
      return;
    }
    long k = splitPoint(n);
    if (m < k) {
      path(leaves, m, start, start + k, proof);
      proof.add(MerkleHashes.copy(rangeHash(leaves, start + k, end)));
    } else {
      path(leaves, m - k, start + k, end, proof);
      proof.add(MerkleHashes.copy(rangeHash(leaves, start, start + k)));
    }
  }

  /** SUBPROOF(m, D[start:end], b) with m relative to start. */
  private static void subproof(
      LeafHashes leaves, long m, long start, long end, boolean wholeOldTree, List<byte[]> proof) {
    long n = end - start;
    if (m == n) {
      if (!wholeOldTree) {
        proof.add(MerkleHashes.copy(rangeHash(leaves, start, end)));
      }
      return;
    }
    long k = splitPoint(n);
    if (m <= k) {
      subproof(leaves, m, start, start + k, wholeOldTree, proof);
      proof.add(MerkleHashes.copy(rangeHash(leaves, start + k, end)));
    } else {
      subproof(leaves, m - k, start + k, end, false, proof);
      proof.add(MerkleHashes.copy(rangeHash(leaves, start, start + k)));
    }
  }

  /**
   * MTH(D[start:end]) for a non-empty range that is either a complete, aligned subtree or the
   * right edge of one; both hold for every range the RFC recursion visits.
   */
  static byte[] rangeHash(LeafHashes leaves, long start, long end) {
    long n = end - start;
    if (Long.bitCount(n) == 1 && start % n == 0) {
      int level = Long.numberOfTrailingZeros(n);
      return leaves.subtreeHash(level, start >> level);
    }
    long k = splitPoint(n);
    return MerkleHashes.nodeHash(
        rangeHash(leaves, start, start + k), rangeHash(leaves, start + k, end));
  }

  /** The largest power of two strictly smaller than n, for n >= 2. */
  static long splitPoint(long n) {
    return Long.highestOneBit(n - 1);
  }

  private static void requireSize(LeafHashes leaves, long size, String name) {
    if (size < 0 || size > leaves.size()) {
      throw new IllegalArgumentException(
          name + " " + size + " is not in [0, " + leaves.size() + "]");
    }
  }
}
