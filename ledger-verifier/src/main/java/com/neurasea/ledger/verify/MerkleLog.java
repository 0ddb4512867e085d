package com.neurasea.ledger.verify;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An in-memory append-only Merkle log that keeps the hash of every complete subtree, level by
 * level (about {@code 2n} hashes for {@code n} leaves).
 *
 * <p>Appending costs amortized O(1) and at most O(log n) hashes; {@link #root(long)}, {@link
 * #inclusionProof(long, long)} and {@link #consistencyProof(long, long)} read O(log n) cached
 * hashes, for the current size or any earlier one. Hashes are stored in flat arrays, so a log of
 * one million leaves takes about 64 MiB. A log holds at most {@link #MAX_SIZE} leaves.
 *
 * <p>Not thread-safe: confine a log to one thread or guard it externally.
 */
public final class MerkleLog implements LeafHashes {

  /** The largest number of leaves one in-memory log can hold. */
  public static final long MAX_SIZE = (Integer.MAX_VALUE - 8) / MerkleHashes.HASH_SIZE;

  private static final int HASH = MerkleHashes.HASH_SIZE;

  /** levels[l] holds the complete subtrees of height l, HASH bytes each, left to right. */
  private byte[][] levels = new byte[1][HASH * 16];

  private long size;

  /** Creates an empty log. */
  public MerkleLog() {}

  /**
   * Creates a log holding a copy of the first {@code size} leaf hashes of another source.
   *
   * @param source the leaves to copy
   * @param size how many leaves to copy, {@code 0 <= size <= source.size()}
   * @return a new log of that size
   */
  public static MerkleLog copyOf(LeafHashes source, long size) {
    Objects.requireNonNull(source, "source");
    if (size < 0 || size > source.size()) {
      throw new IllegalArgumentException("size " + size + " is not in [0, " + source.size() + "]");
    }
    MerkleLog log = new MerkleLog();
    for (long i = 0; i < size; i++) {
      log.append(source.leafHash(i));
    }
    return log;
  }

  /**
   * Appends one leaf hash and updates every complete subtree it closes.
   *
   * @param leafHash the leaf hash, {@link MerkleHashes#HASH_SIZE} bytes (copied)
   * @return the index of the new leaf
   * @throws IllegalArgumentException if the hash has the wrong length
   * @throws IllegalStateException if the log is full ({@link #MAX_SIZE})
   */
  public long append(byte[] leafHash) {
    MerkleHashes.requireHash(leafHash, "leafHash");
    if (size >= MAX_SIZE) {
      throw new IllegalStateException("an in-memory log holds at most " + MAX_SIZE + " leaves");
    }
    long index = size;
    store(0, index, leafHash);
    long node = index;
    int level = 0;
    while ((node & 1) == 1) {
      byte[] parent = MerkleHashes.nodeHash(hashAt(level, node - 1), hashAt(level, node));
      level++;
      node >>= 1;
      store(level, node, parent);
    }
    size = index + 1;
    return index;
  }

  /**
   * Hashes an entry with {@link MerkleHashes#leafHash(byte[])} and appends it.
   *
   * @param entry the entry bytes
   * @return the index of the new leaf
   */
  public long appendEntry(byte[] entry) {
    return append(MerkleHashes.leafHash(entry));
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public byte[] leafHash(long index) {
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException("leaf " + index + " is not in a log of size " + size);
    }
    return hashAt(0, index);
  }

  @Override
  public byte[] subtreeHash(int level, long index) {
    if (level < 0 || level >= levels.length || index < 0 || index >= (size >> level)) {
      throw new IllegalArgumentException(
          "no complete subtree at level " + level + " index " + index + " in size " + size);
    }
    return hashAt(level, index);
  }

  /**
   * Returns the root hash of the current tree.
   *
   * @return the root hash
   */
  public byte[] root() {
    return MerkleTree.root(this, size);
  }

  /**
   * Returns the root hash of the tree of the first {@code treeSize} leaves.
   *
   * @param treeSize the tree size, {@code 0 <= treeSize <= size()}
   * @return the root hash
   */
  public byte[] root(long treeSize) {
    return MerkleTree.root(this, treeSize);
  }

  /**
   * Generates an inclusion proof; see {@link MerkleTree#inclusionProof(LeafHashes, long, long)}.
   *
   * @param index the leaf's index
   * @param treeSize the tree size
   * @return the proof
   */
  public List<byte[]> inclusionProof(long index, long treeSize) {
    return MerkleTree.inclusionProof(this, index, treeSize);
  }

  /**
   * Generates a consistency proof; see {@link MerkleTree#consistencyProof(LeafHashes, long,
   * long)}.
   *
   * @param size1 the older tree size
   * @param size2 the newer tree size
   * @return the proof
   */
  public List<byte[]> consistencyProof(long size1, long size2) {
    return MerkleTree.consistencyProof(this, size1, size2);
  }

  private byte[] hashAt(int level, long index) {
    int from = Math.toIntExact(index * HASH);
    return Arrays.copyOfRange(levels[level], from, from + HASH);
  }

  private void store(int level, long index, byte[] hash) {
    if (level == levels.length) {
      levels = Arrays.copyOf(levels, level + 1);
      levels[level] = new byte[HASH * 16];
    }
    int from = Math.toIntExact(index * HASH);
    byte[] row = levels[level];
    if (from + HASH > row.length) {
      long grown = Math.min((long) row.length * 2, Integer.MAX_VALUE - 8);
      row = Arrays.copyOf(row, (int) Math.max(grown, from + HASH));
      levels[level] = row;
    }
    System.arraycopy(hash, 0, row, from, HASH);
  }
}
