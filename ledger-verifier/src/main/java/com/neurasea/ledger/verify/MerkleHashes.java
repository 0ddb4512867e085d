package com.neurasea.ledger.verify;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;

/**
 * The hashing of RFC 6962 / RFC 9162 Merkle trees over SHA-256.
 *
 * <p>A leaf hash is {@code SHA-256(0x00 || entry)}, an interior node hash is
 * {@code SHA-256(0x01 || left || right)} and the root of the empty tree is {@code SHA-256()}. The
 * distinct prefixes keep a leaf from ever being confused with an interior node (second-preimage
 * resistance).
 */
public final class MerkleHashes {

  /** The size in bytes of every hash in the log (SHA-256). */
  public static final int HASH_SIZE = 32;

  private static final byte LEAF_PREFIX = 0x00;
  private static final byte NODE_PREFIX = 0x01;
  private static final byte[] EMPTY_ROOT = newDigest().digest();
  private static final ThreadLocal<MessageDigest> DIGEST =
      ThreadLocal.withInitial(MerkleHashes::newDigest);

  private MerkleHashes() {}

  /**
   * Hashes a log entry into its leaf hash.
   *
   * @param entry the entry bytes, possibly empty
   * @return {@code SHA-256(0x00 || entry)}
   */
  public static byte[] leafHash(byte[] entry) {
    Objects.requireNonNull(entry, "entry");
    MessageDigest digest = DIGEST.get();
    digest.update(LEAF_PREFIX);
    digest.update(entry);
    return digest.digest();
  }

  /**
   * Hashes two child hashes into their parent's hash.
   *
   * @param left the left child's hash, {@link #HASH_SIZE} bytes
   * @param right the right child's hash, {@link #HASH_SIZE} bytes
   * @return {@code SHA-256(0x01 || left || right)}
   * @throws IllegalArgumentException if a child is not {@link #HASH_SIZE} bytes long
   */
  public static byte[] nodeHash(byte[] left, byte[] right) {
    requireHash(left, "left");
    requireHash(right, "right");
    MessageDigest digest = DIGEST.get();
    digest.update(NODE_PREFIX);
    digest.update(left);
    digest.update(right);
    return digest.digest();
  }

  /**
   * Returns the root hash of the empty tree.
   *
   * @return {@code SHA-256()} (a fresh copy)
   */
  public static byte[] emptyRoot() {
    return EMPTY_ROOT.clone();
  }

  /**
   * Tells whether a byte array has the length of a hash.
   *
   * @param hash the candidate, may be null
   * @return true if it is non-null and {@link #HASH_SIZE} bytes long
   */
  public static boolean isHash(byte[] hash) {
    return hash != null && hash.length == HASH_SIZE;
  }

  static byte[] requireHash(byte[] hash, String name) {
    Objects.requireNonNull(hash, name);
    if (hash.length != HASH_SIZE) {
      throw new IllegalArgumentException(
          name + " must be " + HASH_SIZE + " bytes, was " + hash.length);
    }
    return hash;
  }

  static boolean sameHash(byte[] a, byte[] b) {
    return MessageDigest.isEqual(a, b);
  }

  static byte[] copy(byte[] hash) {
    return Arrays.copyOf(hash, hash.length);
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }
}
