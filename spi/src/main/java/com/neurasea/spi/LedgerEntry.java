package com.neurasea.spi;

import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.TenantId;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A stored ledger entry with its position in the log.
 *
 * <p>The arrays are copied on the way in and on the way out, so the record is immutable; equality,
 * hash code and string form go by the arrays' contents.
 *
 * @param index the entry's position, from 0, gapless
 * @param recordedAt when the processing was recorded (millisecond precision)
 * @param tenantId the tenant the processing concerns, null for platform-level processing
 * @param subjectKey the pseudonymous key of the data subject, null when the record concerns no one subject
 * @param content the canonical bytes of the processing record, verbatim as appended
 * @param leafHash the RFC 6962 leaf hash of {@code content}, 32 bytes
 * @param details the erasable personal data kept beside the entry, null when there were none or
 *     they have been erased
 */
public record LedgerEntry(long index, Instant recordedAt, TenantId tenantId, String subjectKey, byte[] content,
    byte[] leafHash, String details) {
  /**
   * Validates and copies the components.
   *
   * @throws NeuraSeaException {@code INVALID_ARGUMENT} naming the field when the index is negative
   *     or a component breaks the rules of {@link NewLedgerEntry}
   */
  public LedgerEntry {
    if (index < 0) {
      throw NeuraSeaException.invalid("index", "must be 0 or more");
    }
    if (recordedAt == null) {
      throw NeuraSeaException.invalid("recordedAt", "is required");
    }
    content = NewLedgerEntry.checkContent(content);
    leafHash = NewLedgerEntry.checkHash("leafHash", leafHash);
    NewLedgerEntry.checkDetails(subjectKey, details);
  }

  /**
   * A stored entry without details.
   *
   * @param index the entry's position
   * @param recordedAt when the processing was recorded
   * @param tenantId the tenant, or null
   * @param subjectKey the pseudonymous key of the data subject, or null
   * @param content the canonical bytes of the processing record
   * @param leafHash the RFC 6962 leaf hash of {@code content}
   */
  public LedgerEntry(long index, Instant recordedAt, TenantId tenantId, String subjectKey, byte[] content,
      byte[] leafHash) {
    this(index, recordedAt, tenantId, subjectKey, content, leafHash, null);
  }

  /**
   * The stored entry an appended one became.
   *
   * @param index the position it was appended at
   * @param entry what was appended
   * @return the stored entry
   */
  public static LedgerEntry of(long index, NewLedgerEntry entry) {
    return new LedgerEntry(index, entry.recordedAt(), entry.tenantId(), entry.subjectKey(), entry.content(),
        entry.leafHash(), entry.details());
  }

  /**
   * This entry without its details, as it reads after they were erased.
   *
   * @return the entry with {@code details} null
   */
  public LedgerEntry withoutDetails() {
    return new LedgerEntry(index, recordedAt, tenantId, subjectKey, content, leafHash, null);
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
    return other instanceof LedgerEntry that
        && index == that.index
        && recordedAt.equals(that.recordedAt)
        && Objects.equals(tenantId, that.tenantId)
        && Objects.equals(subjectKey, that.subjectKey)
        && Arrays.equals(content, that.content)
        && Arrays.equals(leafHash, that.leafHash)
        && Objects.equals(details, that.details);
  }

  @Override
  public int hashCode() {
    return Objects.hash(index, recordedAt, tenantId, subjectKey, Arrays.hashCode(content),
        Arrays.hashCode(leafHash), details);
  }

  /**
   * Names the entry by its index, time, tenant, subject key, content length and leaf hash, never its
   * content or details.
   */
  @Override
  public String toString() {
    return "LedgerEntry[index=" + index + ", recordedAt=" + recordedAt + ", tenantId=" + tenantId + ", subjectKey="
        + subjectKey + ", content=" + content.length + " bytes, leafHash=" + LedgerValues.hex(leafHash)
        + (details == null ? "" : ", details=" + details.length() + " chars") + "]";
  }
}
