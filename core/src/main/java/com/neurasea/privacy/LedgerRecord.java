package com.neurasea.privacy;

import com.neurasea.model.ProcessingKind;
import com.neurasea.model.TenantId;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A processing record as the privacy ledger holds it.
 *
 * @param index its position in the ledger
 * @param recordedAt when it was recorded (millisecond precision)
 * @param kind what was done
 * @param tenantId the tenant, null for platform-level processing
 * @param subjectKey the pseudonymous key of the person concerned, null for none
 * @param actor who did it: {@code user:<subject key>}, {@code token:<subject key>} or {@code system}
 * @param module the module that did it
 * @param categories the data categories
 * @param purpose the purpose key
 * @param legalBasis the legal basis key
 * @param recipient for a disclosure, the recipient key, otherwise null
 * @param ground for a disclosure, the disclosure ground key, otherwise null
 * @param separateConsent for a disclosure, whether separate consent was given, otherwise null
 * @param reference a non-personal reference, or null
 * @param detailCategories the categories whose personal data is kept beside the entry
 * @param details that personal data by category; empty when there was none or it has been erased
 * @param leafHash the entry's RFC 6962 leaf hash, lower-case hex
 */
public record LedgerRecord(long index, Instant recordedAt, ProcessingKind kind, TenantId tenantId, String subjectKey,
    String actor, String module, List<String> categories, String purpose, String legalBasis, String recipient,
    String ground, Boolean separateConsent, String reference, List<String> detailCategories,
    Map<String, String> details, String leafHash) {
  /** Copies the collections. */
  public LedgerRecord {
    categories = List.copyOf(categories);
    detailCategories = List.copyOf(detailCategories);
    details = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details));
  }

  /** Whether details were recorded and have since been erased. */
  public boolean detailsErased() {
    return !detailCategories.isEmpty() && details.isEmpty();
  }
}
