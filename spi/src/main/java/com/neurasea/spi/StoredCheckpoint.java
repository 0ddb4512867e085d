package com.neurasea.spi;

import com.neurasea.model.NeuraSeaException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A signed checkpoint of the ledger as stored: the tree size, the root hash over the first
 * {@code size} entries, the time, the signing key's id and the verifier's serialized text form
 * (kept verbatim, so the signature can be checked later).
 *
 * <p>The root is copied on the way in and on the way out; equality, hash code and string form go by
 * its contents.
 *
 * @param size the number of entries the checkpoint covers, 0 or more
 * @param root the RFC 6962 root hash over those entries, 32 bytes
 * @param timestamp when the checkpoint was made (millisecond precision)
 * @param keyId the id of the key that signed it, not blank
 * @param signedText the signed checkpoint in its serialized text form, not blank
 */
public record StoredCheckpoint(long size, byte[] root, Instant timestamp, String keyId, String signedText) {
  /**
   * Validates and copies the components.
   *
   * @throws NeuraSeaException {@code INVALID_ARGUMENT} naming the field when the size is negative,
   *     the root is not 32 bytes, or a component is missing or blank
   */
  public StoredCheckpoint {
    if (size < 0) {
      throw NeuraSeaException.invalid("size", "must be 0 or more");
    }
    root = NewLedgerEntry.checkHash("root", root);
    if (timestamp == null) {
      throw NeuraSeaException.invalid("timestamp", "is required");
    }
    if (keyId == null || keyId.isBlank()) {
      throw NeuraSeaException.invalid("keyId", "is required");
    }
    if (signedText == null || signedText.isBlank()) {
      throw NeuraSeaException.invalid("signedText", "is required");
    }
  }

  /** The root hash, a copy. */
  @Override
  public byte[] root() {
    return root.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof StoredCheckpoint that
        && size == that.size
        && Arrays.equals(root, that.root)
        && timestamp.equals(that.timestamp)
        && keyId.equals(that.keyId)
        && signedText.equals(that.signedText);
  }

  @Override
  public int hashCode() {
    return Objects.hash(size, Arrays.hashCode(root), timestamp, keyId, signedText);
  }

  /** Names the checkpoint by size, root, time and key id; the signed text is left out for brevity. */
  @Override
  public String toString() {
    return "StoredCheckpoint[size=" + size + ", root=" + LedgerValues.hex(root) + ", timestamp=" + timestamp
        + ", keyId=" + keyId + "]";
  }
}
