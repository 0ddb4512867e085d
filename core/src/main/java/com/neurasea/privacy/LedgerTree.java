package com.neurasea.privacy;

import com.neurasea.ledger.verify.LeafHashes;
import com.neurasea.ledger.verify.MerkleHashes;
import com.neurasea.ledger.verify.MerkleLog;
import com.neurasea.spi.LedgerStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Merkle tree of the stored ledger, for roots and proofs, without holding every leaf in
 * memory: complete tiles of {@value #TILE} leaves are kept as one hash each (in a {@link MerkleLog}
 * whose interior nodes are the tree's upper levels), the leaves after the last complete tile are
 * kept as they are, and a tile's own leaves are read back from the store when a proof reaches below
 * tile level (a small LRU keeps recent ones). A proof in a log of a million entries thus costs at
 * most one read of {@value #TILE} leaf hashes and O(log n) hashing.
 *
 * <p>{@link #sync()} catches up with entries appended since, by this or any other host. Not
 * thread-safe: the ledger guards it.
 */
final class LedgerTree implements LeafHashes {
  static final int TILE_LEVEL = 8;
  static final int TILE = 1 << TILE_LEVEL;
  private static final int READ_PAGE = 16 * TILE;
  private static final int CACHED_TILES = 64;

  private final LedgerStore store;
  private final MerkleLog tiles = new MerkleLog();
  private final List<byte[]> tail = new ArrayList<>();
  private final Map<Long, List<byte[]>> tileCache = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, List<byte[]>> eldest) {
      return size() > CACHED_TILES;
    }
  };

  LedgerTree(LedgerStore store) {
    this.store = store;
  }

  /**
   * Reads entries appended since the last sync.
   *
   * @return the size now known
   */
  long sync() {
    long target = store.size();
    while (size() < target) {
      List<byte[]> page = store.leafHashes(size(), READ_PAGE);
      if (page.isEmpty()) {
        break;
      }
      for (byte[] hash : page) {
        tail.add(hash);
        if (tail.size() == TILE) {
          tiles.append(subtree(tail, 0, TILE));
          tail.clear();
        }
      }
    }
    return size();
  }

  @Override
  public long size() {
    return tiles.size() * TILE + tail.size();
  }

  @Override
  public byte[] leafHash(long index) {
    long tailStart = tiles.size() * TILE;
    if (index >= tailStart) {
      return tail.get((int) (index - tailStart));
    }
    return tileLeaves(index / TILE).get((int) (index % TILE));
  }

  @Override
  public byte[] subtreeHash(int level, long index) {
    if (level < 0 || level > 62 || index < 0 || index >= (size() >> level)) {
      throw new IllegalArgumentException("no complete subtree at level " + level + " index " + index);
    }
    if (level >= TILE_LEVEL) {
      return tiles.subtreeHash(level - TILE_LEVEL, index);
    }
    long first = index << level;
    long tailStart = tiles.size() * TILE;
    if (first >= tailStart) {
      return subtree(tail, (int) (first - tailStart), 1 << level);
    }
    return subtree(tileLeaves(first / TILE), (int) (first % TILE), 1 << level);
  }

  private List<byte[]> tileLeaves(long tile) {
    List<byte[]> leaves = tileCache.get(tile);
    if (leaves == null) {
      leaves = store.leafHashes(tile * TILE, TILE);
      if (leaves.size() != TILE) {
        throw new IllegalStateException("the ledger store returned " + leaves.size() + " leaves of tile " + tile);
      }
      tileCache.put(tile, leaves);
    }
    return leaves;
  }

  /** The hash of the complete subtree of {@code count} (a power of two) leaves from {@code from}. */
  private static byte[] subtree(List<byte[]> leaves, int from, int count) {
    if (count == 1) {
      return leaves.get(from);
    }
    int half = count / 2;
    return MerkleHashes.nodeHash(subtree(leaves, from, half), subtree(leaves, from + half, half));
  }
}
