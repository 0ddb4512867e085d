package com.neurasea.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One processing of personal information, to be recorded in the privacy ledger: who it concerns,
 * what categories of information, why (purpose and legal basis), which module and actor, and for
 * a disclosure to whom, on which ground and whether separate consent was given.
 *
 * <p>Keys ({@code categories}, {@code purpose}, {@code legalBasis}, {@code recipient},
 * {@code ground}) are taxonomy keys such as {@code user.contact.email}; the ledger rejects keys its
 * taxonomy does not know. Nothing in a record except {@code details} may be personal data: the
 * subject is replaced by a pseudonymous key before the record is hashed, and {@code details} (the
 * IP address of a sign-in, say) are kept beside the ledger entry, outside its hash, so they can be
 * erased without breaking the log.
 *
 * @param kind what was done
 * @param tenantId the tenant the processing happened in, null for platform-level processing
 * @param subject the person the information is about, null when it concerns no one person
 * @param actor who did it, null for the platform itself
 * @param module the module that did it, such as {@code tenancy} or {@code routing}
 * @param categories the data categories, at least one
 * @param purpose the purpose key
 * @param legalBasis the legal basis key
 * @param recipient for a disclosure, the recipient key; otherwise null
 * @param ground for a disclosure, the disclosure ground key; otherwise null
 * @param separateConsent for a disclosure, whether the subject gave separate consent (PIPL Art.
 *     23); otherwise null
 * @param reference a non-personal reference to what the record is about, such as {@code
 *     request:dsr_123}; null for none
 * @param details erasable personal data by category key (each key one of {@code categories});
 *     empty for none
 */
public record ProcessingRecord(ProcessingKind kind, TenantId tenantId, UserId subject, Principal actor, String module,
    List<String> categories, String purpose, String legalBasis, String recipient, String ground,
    Boolean separateConsent, String reference, Map<String, String> details) {

  /** Copies the collections; a null list or map becomes empty. Validation is the ledger's. */
  public ProcessingRecord {
    categories = categories == null ? List.of() : Collections.unmodifiableList(new java.util.ArrayList<>(categories));
    details = details == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  /**
   * Starts a record.
   *
   * @param kind what was done
   * @return a builder
   */
  public static Builder of(ProcessingKind kind) {
    return new Builder(kind);
  }

  /** Builds a {@link ProcessingRecord}; every setter returns this builder. */
  public static final class Builder {
    private final ProcessingKind kind;
    private TenantId tenantId;
    private UserId subject;
    private Principal actor;
    private String module;
    private List<String> categories = List.of();
    private String purpose;
    private String legalBasis;
    private String recipient;
    private String ground;
    private Boolean separateConsent;
    private String reference;
    private final Map<String, String> details = new LinkedHashMap<>();

    private Builder(ProcessingKind kind) {
      this.kind = kind;
    }

    /** The tenant the processing happened in. */
    public Builder tenant(TenantId tenantId) {
      this.tenantId = tenantId;
      return this;
    }

    /** The person the information is about. */
    public Builder subject(UserId subject) {
      this.subject = subject;
      return this;
    }

    /** Who did it; null for the platform itself. */
    public Builder actor(Principal actor) {
      this.actor = actor;
      return this;
    }

    /** The module that did it. */
    public Builder module(String module) {
      this.module = module;
      return this;
    }

    /** The data categories. */
    public Builder categories(String... categories) {
      this.categories = List.of(categories);
      return this;
    }

    /** The data categories. */
    public Builder categories(List<String> categories) {
      this.categories = categories;
      return this;
    }

    /** The purpose and the legal basis. */
    public Builder purpose(String purpose, String legalBasis) {
      this.purpose = purpose;
      this.legalBasis = legalBasis;
      return this;
    }

    /** For a disclosure: the recipient, the ground and whether separate consent was given. */
    public Builder disclosedTo(String recipient, String ground, boolean separateConsent) {
      this.recipient = recipient;
      this.ground = ground;
      this.separateConsent = separateConsent;
      return this;
    }

    /** A non-personal reference to what the record is about. */
    public Builder reference(String reference) {
      this.reference = reference;
      return this;
    }

    /** Erasable personal data of one category; ignored when the value is null. */
    public Builder detail(String category, String value) {
      if (value != null) {
        details.put(Objects.requireNonNull(category, "category"), value);
      }
      return this;
    }

    /** The record. */
    public ProcessingRecord build() {
      return new ProcessingRecord(kind, tenantId, subject, actor, module, categories, purpose, legalBasis, recipient,
          ground, separateConsent, reference, details);
    }
  }
}
