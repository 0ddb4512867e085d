package com.neurasea.spi;

import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.TenantId;
import java.time.Instant;

/**
 * A processing record staged by a unit of work, waiting to be sequenced into the ledger; see
 * {@link LedgerStore#stage} and {@link LedgerStore#sequenceStaged}.
 *
 * @param id a unique id that orders staged records (time-ordered ids keep the log close to time
 *     order), 1 to 64 characters
 * @param recordedAt when the processing was recorded
 * @param tenantId the tenant, null for platform-level processing
 * @param subjectKey the pseudonymous key of the data subject, null for none
 * @param body the record's canonical text without its position in the log, 1 to 32,768 characters
 * @param details the erasable personal data to keep beside the entry, null for none (see
 *     {@link NewLedgerEntry#details()})
 */
public record StagedLedgerRecord(String id, Instant recordedAt, TenantId tenantId, String subjectKey, String body,
    String details) {
  /** The longest body, in characters. */
  public static final int MAX_BODY_CHARS = 32_768;

  /**
   * Validates the components.
   *
   * @throws NeuraSeaException {@code INVALID_ARGUMENT} naming the field that is missing or out of range
   */
  public StagedLedgerRecord {
    if (id == null || id.isEmpty() || id.length() > 64) {
      throw NeuraSeaException.invalid("id", "must be 1 to 64 characters");
    }
    if (recordedAt == null) {
      throw NeuraSeaException.invalid("recordedAt", "is required");
    }
    if (body == null || body.isEmpty() || body.length() > MAX_BODY_CHARS) {
      throw NeuraSeaException.invalid("body", "must be 1 to " + MAX_BODY_CHARS + " characters");
    }
    NewLedgerEntry.checkDetails(subjectKey, details);
  }

  /** Names the record by id, time, tenant and subject key, never its body or details. */
  @Override
  public String toString() {
    return "StagedLedgerRecord[id=" + id + ", recordedAt=" + recordedAt + ", tenantId=" + tenantId + ", subjectKey="
        + subjectKey + "]";
  }
}
