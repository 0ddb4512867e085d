package com.neurasea.ledger.verify;

import com.neurasea.ledger.verify.ProofException.Reason;
import java.util.List;

/**
 * Verification of inclusion proofs (RFC 9162 §2.1.3.2) and consistency proofs (RFC 9162
 * §2.1.4.2). Needs nothing but the proof, the sizes and the roots, so anyone can run it offline.
 *
 * <p>Every input is checked before any hashing: sizes and indexes, the length of every hash, and
 * the exact number of proof elements that the sizes require. A malformed proof is rejected with a
 * {@link ProofException}, never with a runtime exception.
 */
public final class MerkleVerifier {

  private MerkleVerifier() {}

  /**
   * Checks that a leaf is at {@code index} in the tree of size {@code treeSize} with root {@code
   * root}.
   *
   * @param leafHash the leaf hash
   * @param index the leaf's index
   * @param treeSize the tree size
   * @param proof the inclusion proof, from the leaf upwards
   * @param root the expected root hash
   * @throws ProofException if the proof is malformed or does not lead to {@code root}
   */
  public static void verifyInclusion(
      byte[] leafHash, long index, long treeSize, List<byte[]> proof, byte[] root)
      throws ProofException {
    requireHash(root, "root");
    byte[] computed = rootFromInclusionProof(leafHash, index, treeSize, proof);
    if (!MerkleHashes.sameHash(computed, root)) {
      throw new ProofException(Reason.ROOT_MISMATCH,
          "inclusion proof for leaf " + index + " in tree size " + treeSize
              + " leads to a different root");
    }
  }

  /**
   * Computes the root that an inclusion proof leads to.
   *
   * @param leafHash the leaf hash
   * @param index the leaf's index
   * @param treeSize the tree size
   * @param proof the inclusion proof, from the leaf upwards
   * @return the root hash implied by the proof
   * @throws ProofException if the proof is malformed
   */
  public static byte[] rootFromInclusionProof(
      byte[] leafHash, long index, long treeSize, List<byte[]> proof) throws ProofException {
    if (treeSize < 0) {
      throw new ProofException(Reason.INVALID_SIZE, "tree size " + treeSize + " is negative");
    }
    if (index < 0 || index >= treeSize) {
      throw new ProofException(Reason.INDEX_OUT_OF_RANGE,
          "index " + index + " is not in a tree of size " + treeSize);
    }
    requireHash(leafHash, "leaf hash");
    requireProof(proof, inclusionProofSize(index, treeSize));
    return chainInclusion(leafHash, index, treeSize - 1, proof, 0);
  }

  /**
   * Checks that the tree of size {@code size2} with root {@code root2} extends the tree of size
   * {@code size1} with root {@code root1}.
   *
   * <p>Equal sizes need an empty proof and equal roots. Size 0 needs an empty proof and {@code
   * root1} equal to {@link MerkleHashes#emptyRoot()} (stricter than RFC 9162, which ignores the
   * first root in that case: a checkpoint of the empty log must carry the empty root).
   *
   * @param size1 the older tree size
   * @param size2 the newer tree size
   * @param proof the consistency proof
   * @param root1 the older tree's root
   * @param root2 the newer tree's root
   * @throws ProofException if the proof is malformed or the trees are not consistent
   */
  public static void verifyConsistency(
      long size1, long size2, List<byte[]> proof, byte[] root1, byte[] root2)
      throws ProofException {
    if (size1 < 0 || size2 < 0) {
      throw new ProofException(Reason.INVALID_SIZE,
          "tree sizes " + size1 + " and " + size2 + " must not be negative");
    }
    if (size1 > size2) {
      throw new ProofException(Reason.SIZE_DECREASED,
          "tree size went from " + size1 + " down to " + size2);
    }
    requireHash(root1, "root1");
    requireHash(root2, "root2");
    requireProof(proof, consistencyProofSize(size1, size2));
    if (size1 == size2) {
      requireSame(root1, root2, "trees of equal size " + size1 + " have different roots");
      return;
    }
    if (size1 == 0) {
      requireSame(root1, MerkleHashes.emptyRoot(), "the tree of size 0 must have the empty root");
      return;
    }
    chainConsistency(size1, size2, proof, root1, root2);
  }

  /**
   * Returns how many hashes an inclusion proof has for a leaf and tree size.
   *
   * @param index the leaf's index, {@code 0 <= index < treeSize}
   * @param treeSize the tree size
   * @return the exact proof length
   */
  public static int inclusionProofSize(long index, long treeSize) {
    int inner = innerProofSize(index, treeSize);
    return inner + Long.bitCount(index >>> inner);
  }

  /**
   * Returns how many hashes a consistency proof has between two tree sizes.
   *
   * @param size1 the older tree size, {@code 0 <= size1 <= size2}
   * @param size2 the newer tree size
   * @return the exact proof length; 0 if {@code size1} is 0 or equals {@code size2}
   */
  public static int consistencyProofSize(long size1, long size2) {
    if (size1 == 0 || size1 == size2) {
      return 0;
    }
    // The proof is the inclusion path of the old tree's last complete subtree, seen as one leaf
    // of a tree whose leaves are subtrees of that height, plus that subtree's own hash unless it
    // is the whole old tree (a power-of-two size1).
    int level = Long.numberOfTrailingZeros(size1);
    long index = (size1 - 1) >>> level;
    long size = ((size2 - 1) >>> level) + 1;
    return inclusionProofSize(index, size) + (index == 0 ? 0 : 1);
  }

  /** The number of proof levels below the point where the leaf's path meets the right border. */
  private static int innerProofSize(long index, long treeSize) {
    return 64 - Long.numberOfLeadingZeros(index ^ (treeSize - 1));
  }

  /** Folds an inclusion proof starting at proof[from], per RFC 9162 §2.1.3.2. */
  private static byte[] chainInclusion(
      byte[] seed, long index, long lastIndex, List<byte[]> proof, int from) {
    long fn = index;
    long sn = lastIndex;
    byte[] r = seed;
    for (int i = from; i < proof.size(); i++) {
      byte[] p = proof.get(i);
      if ((fn & 1) == 1 || fn == sn) {
        r = MerkleHashes.nodeHash(p, r);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>>= 1;
          sn >>>= 1;
        }
      } else {
        r = MerkleHashes.nodeHash(r, p);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    return r;
  }

  /** RFC 9162 §2.1.4.2 steps 3 to 6, for 0 < size1 < size2 and a proof of the right length. */
  private static void chainConsistency(
      long size1, long size2, List<byte[]> proof, byte[] root1, byte[] root2)
      throws ProofException {
    boolean powerOfTwo = Long.bitCount(size1) == 1;
    byte[] seed = powerOfTwo ? root1 : proof.get(0);
    int from = powerOfTwo ? 0 : 1;
    long fn = size1 - 1;
    long sn = size2 - 1;
    while ((fn & 1) == 1) {
      fn >>>= 1;
      sn >>>= 1;
    }
    byte[] fr = seed;
    byte[] sr = seed;
    for (int i = from; i < proof.size(); i++) {
      byte[] c = proof.get(i);
      if ((fn & 1) == 1 || fn == sn) {
        fr = MerkleHashes.nodeHash(c, fr);
        sr = MerkleHashes.nodeHash(c, sr);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>>= 1;
          sn >>>= 1;
        }
      } else {
        sr = MerkleHashes.nodeHash(sr, c);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    requireSame(fr, root1,
        "consistency proof from size " + size1 + " does not lead to the first root");
    requireSame(sr, root2,
        "consistency proof to size " + size2 + " does not lead to the second root");
  }

  private static void requireProof(List<byte[]> proof, int expectedSize) throws ProofException {
    if (proof == null) {
      throw new ProofException(Reason.WRONG_PROOF_SIZE, "proof is missing");
    }
    if (proof.size() != expectedSize) {
      throw new ProofException(Reason.WRONG_PROOF_SIZE,
          "proof has " + proof.size() + " hashes, expected " + expectedSize);
    }
    for (int i = 0; i < proof.size(); i++) {
      requireHash(proof.get(i), "proof[" + i + "]");
    }
  }

  private static void requireHash(byte[] hash, String name) throws ProofException {
    if (!MerkleHashes.isHash(hash)) {
      throw new ProofException(Reason.WRONG_HASH_SIZE, name + " must be "
          + MerkleHashes.HASH_SIZE + " bytes, was " + (hash == null ? "missing" : hash.length));
    }
  }

  private static void requireSame(byte[] actual, byte[] expected, String message)
      throws ProofException {
    if (!MerkleHashes.sameHash(actual, expected)) {
      throw new ProofException(Reason.ROOT_MISMATCH, message);
    }
  }
}
