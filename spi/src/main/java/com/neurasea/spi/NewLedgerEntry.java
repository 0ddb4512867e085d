package com.neurasea.spi;

import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.TenantId;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A ledger entry to append: the canonical bytes of a processing record (never raw personal data)
 * and its RFC 6962 leaf hash, both computed by the core. The store keeps the bytes verbatim and
 * never interprets them; it keeps {@code recordedAt} to the millisecond.
 *
 * <p>The arrays are copied on the way in and on the way out, so the record is immutable; equality,
 * hash code and string form go by the arrays' contents.
 *
 * @param recordedAt when the processing was recorded
 * @param tenantId the tenant the processing concerns, null for platform-level processing
 * @param subjectKey the pseudonymous key of the data subject, null when the record concerns no one subject
 * @param content the canonical bytes of the processing record, 1 to {@value #MAX_CONTENT_BYTES} bytes
 * @param leafHash the RFC 6962 leaf hash of {@code content}, {@value #LEAF_HASH_BYTES} bytes
 * @param details personal data that belongs with the record but must stay erasable (for example the
 *     IP address of a sign-in), kept beside the entry and outside its hash; null for none; at most
 *     {@value #MAX_DETAILS_CHARS} characters, and only with a {@code subjectKey}, since details are
 *     erased by subject
 */
public record NewLedgerEntry(Instant recordedAt, TenantId tenantId, String subjectKey, byte[] content,
    byte[] leafHash, String details) {
  /** The length of a leaf hash (SHA-256). */
  public static final int LEAF_HASH_BYTES = 32;
  /** The largest content an entry may hold: 64 KiB. */
  public static final int MAX_CONTENT_BYTES = 65_536;
  /** The longest details an entry may carry, in characters. */
  public static final int MAX_DETAILS_CHARS = 16_384;

  /**
   * Validates and copies the components.
   *
   * @throws NeuraSeaException {@code INVALID_ARGUMENT} naming the field when {@code recordedAt},
   *     {@code content} or {@code leafHash} is null, the content is empty or larger than 64 KiB, or
   *     the leaf hash is not 32 bytes long; naming {@code details} when they are empty, too long or
   *     given without a subject key
   */
  public NewLedgerEntry {
    if (recordedAt == null) {
      throw NeuraSeaException.invalid("recordedAt", "is required");
    }
    content = checkContent(content);
    leafHash = checkHash("leafHash", leafHash);
    checkDetails(subjectKey, details);
  }

  /**
   * An entry without details.
   *
   * @param recordedAt when the processing was recorded
   * @param tenantId the tenant, null for platform-level processing
   * @param subjectKey the pseudonymous key of the data subject, or null
   * @param content the canonical bytes of the processing record
   * @param leafHash the RFC 6962 leaf hash of {@code content}
   */
  public NewLedgerEntry(Instant recordedAt, TenantId tenantId, String subjectKey, byte[] content, byte[] leafHash) {
    this(recordedAt, tenantId, subjectKey, content, leafHash, null);
  }

  /**
   * This entry with the given details.
   *
   * @param details the erasable personal data, or null for none
   * @return a new entry
   * @throws NeuraSeaException {@code INVALID_ARGUMENT} naming {@code details} as the constructor does
   */
  public NewLedgerEntry withDetails(String details) {
    return new NewLedgerEntry(recordedAt, tenantId, subjectKey, content, leafHash, details);
  }

  /** The canonical bytes of the processing record, a copy. */
  @Override
  public byte[] content() {
    return content.clone();
  }

  /** The RFC 6962 leaf hash, a copy. */
  @Override
  public byte[] leafHash() {
    return leafHash.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof NewLedgerEntry that
        && recordedAt.equals(that.recordedAt)
        && Objects.equals(tenantId, that.tenantId)
        && Objects.equals(subjectKey, that.subjectKey)
        && Arrays.equals(content, that.content)
        && Arrays.equals(leafHash, that.leafHash)
        && Objects.equals(details, that.details);
  }

  @Override
  public int hashCode() {
    return Objects.hash(recordedAt, tenantId, subjectKey, Arrays.hashCode(content), Arrays.hashCode(leafHash),
        details);
  }

  /**
   * Names the entry by its time, tenant, subject key, content length and leaf hash, never its
   * content or details.
   */
  @Override
  public String toString() {
    return "NewLedgerEntry[recordedAt=" + recordedAt + ", tenantId=" + tenantId + ", subjectKey=" + subjectKey
        + ", content=" + content.length + " bytes, leafHash=" + LedgerValues.hex(leafHash)
        + (details == null ? "" : ", details=" + details.length() + " chars") + "]";
  }

  static byte[] checkContent(byte[] content) {
    if (content == null) {
      throw NeuraSeaException.invalid("content", "is required");
    }
    if (content.length < 1 || content.length > MAX_CONTENT_BYTES) {
      throw NeuraSeaException.invalid("content", "must be 1 to " + MAX_CONTENT_BYTES + " bytes long");
    }
    return content.clone();
  }

  static void checkDetails(String subjectKey, String details) {
    if (details == null) {
      return;
    }
    if (details.isEmpty() || details.length() > MAX_DETAILS_CHARS) {
      throw NeuraSeaException.invalid("details", "must be 1 to " + MAX_DETAILS_CHARS + " characters long");
    }
    if (subjectKey == null) {
      throw NeuraSeaException.invalid("details", "need a subjectKey, since details are erased by subject");
    }
  }

  static byte[] checkHash(String field, byte[] hash) {
    if (hash == null) {
      throw NeuraSeaException.invalid(field, "is required");
    }
    if (hash.length != LEAF_HASH_BYTES) {
      throw NeuraSeaException.invalid(field, "must be " + LEAF_HASH_BYTES + " bytes long");
    }
    return hash.clone();
  }
}
