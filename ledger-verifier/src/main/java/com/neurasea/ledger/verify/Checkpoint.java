package com.neurasea.ledger.verify;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * A statement of a log's state: its origin (which log), its size, the root hash of its first
 * {@code size} entries, and when the statement was made.
 *
 * <p>The canonical body, the bytes that are signed, is five lines, each ending in {@code \n}
 * (no carriage returns, UTF-8):
 *
 * <pre>
 * neurasea-checkpoint/v1
 * &lt;origin&gt;                      1 to 256 characters, no control characters or outer spaces
 * &lt;size&gt;                        decimal, no sign or leading zeros
 * &lt;root&gt;                        standard padded base64 of the 32-byte root hash
 * &lt;timestampMillis&gt;             decimal milliseconds since the epoch
 * </pre>
 *
 * @param origin the name of the log, for example {@code neurasea.example.com/privacy-ledger}
 * @param size the number of entries the root covers
 * @param root the RFC 6962 root hash of those entries (copied in and out)
 * @param timestampMillis when the checkpoint was made, in milliseconds since the epoch
 */
public record Checkpoint(String origin, long size, byte[] root, long timestampMillis) {

  /** The first line of every checkpoint body. */
  public static final String HEADER = "neurasea-checkpoint/v1";

  /** The longest origin accepted. */
  public static final int MAX_ORIGIN_LENGTH = 256;

  private static final int BODY_LINES = 5;

  /**
   * Validates and copies the fields.
   *
   * @param origin the name of the log
   * @param size the number of entries
   * @param root the root hash
   * @param timestampMillis the time in milliseconds since the epoch
   * @throws IllegalArgumentException if a field is out of range or malformed
   */
  public Checkpoint {
    Objects.requireNonNull(origin, "origin");
    TextFields.printable(origin, "origin", MAX_ORIGIN_LENGTH);
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative");
    }
    root = MerkleHashes.copy(MerkleHashes.requireHash(root, "root"));
    if (timestampMillis < 0) {
      throw new IllegalArgumentException("timestampMillis must not be negative");
    }
  }

  /**
   * Returns the root hash.
   *
   * @return a copy of the root hash
   */
  @Override
  public byte[] root() {
    return root.clone();
  }

  /**
   * Returns the canonical body, the text that is signed.
   *
   * @return the five-line body, each line ending in {@code \n}
   */
  public String body() {
    return HEADER + '\n' + origin + '\n' + size + '\n'
        + Base64.getEncoder().encodeToString(root) + '\n' + timestampMillis + '\n';
  }

  /**
   * Returns the canonical body as UTF-8 bytes.
   *
   * @return the bytes that a signature covers
   */
  public byte[] bodyBytes() {
    return body().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Parses a canonical body, exactly as {@link #body()} writes it.
   *
   * @param body the text
   * @return the checkpoint
   * @throws IllegalArgumentException naming the first malformed line
   */
  public static Checkpoint parseBody(String body) {
    Objects.requireNonNull(body, "body");
    if (!body.endsWith("\n")) {
      throw new IllegalArgumentException("checkpoint body must end with a line break");
    }
    String[] lines = body.split("\n", -1);
    if (lines.length != BODY_LINES + 1) {
      throw new IllegalArgumentException(
          "checkpoint body must have " + BODY_LINES + " lines, has " + (lines.length - 1));
    }
    return fromLines(lines, 0);
  }

  /** Parses the five body lines starting at {@code from}. */
  static Checkpoint fromLines(String[] lines, int from) {
    if (!HEADER.equals(lines[from])) {
      throw new IllegalArgumentException(
          "expected '" + HEADER + "', found " + TextFields.abbreviate(lines[from]));
    }
    String origin = lines[from + 1];
    long size = TextFields.nonNegative(lines[from + 2], "size");
    byte[] root = TextFields.base64(lines[from + 3], "root");
    if (root.length != MerkleHashes.HASH_SIZE) {
      throw new IllegalArgumentException(
          "root must be " + MerkleHashes.HASH_SIZE + " bytes, is " + root.length);
    }
    long timestamp = TextFields.nonNegative(lines[from + 4], "timestamp");
    return new Checkpoint(origin, size, root, timestamp);
  }

  static int bodyLines() {
    return BODY_LINES;
  }

  /**
   * Compares all fields, the root by content.
   *
   * @param other the object to compare with
   * @return true if other is a checkpoint with equal fields
   */
  @Override
  public boolean equals(Object other) {
    return other instanceof Checkpoint that
        && origin.equals(that.origin)
        && size == that.size
        && Arrays.equals(root, that.root)
        && timestampMillis == that.timestampMillis;
  }

  /**
   * Hashes all fields, the root by content.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return Objects.hash(origin, size, Arrays.hashCode(root), timestampMillis);
  }

  /**
   * Describes the checkpoint, with the root in base64.
   *
   * @return a one-line description
   */
  @Override
  public String toString() {
    return "Checkpoint[origin=" + origin + ", size=" + size + ", root="
        + Base64.getEncoder().encodeToString(root) + ", timestampMillis=" + timestampMillis + "]";
  }
}
