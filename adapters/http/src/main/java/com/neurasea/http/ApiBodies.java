package com.neurasea.http;

import com.fasterxml.jackson.annotation.JsonRawValue;
import com.neurasea.ledger.verify.Checkpoint;
import com.neurasea.ledger.verify.SignedCheckpoint;
import com.neurasea.model.AccountStatus;
import com.neurasea.model.GroupId;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Principal;
import com.neurasea.model.ProcessingKind;
import com.neurasea.model.RequestId;
import com.neurasea.model.RequestStatus;
import com.neurasea.model.RequestType;
import com.neurasea.model.SubjectRequest;
import com.neurasea.model.TenantId;
import com.neurasea.model.TenantStatus;
import com.neurasea.model.User;
import com.neurasea.model.UserId;
import com.neurasea.privacy.ConsistencyProof;
import com.neurasea.privacy.DataSubjectRights;
import com.neurasea.privacy.InclusionProof;
import com.neurasea.privacy.LedgerRecord;
import com.neurasea.privacy.RequestReceipt;
import com.neurasea.privacy.RetentionReport;
import com.neurasea.privacy.Term;
import com.neurasea.privacy.VerificationReport;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Request and response bodies of the admin API that are not platform model records. The platform's
 * commands ({@code CreateTenant}, {@code CreateUser}, ...) and records are used as they are.
 */
final class ApiBodies {
  private static final HexFormat HEX = HexFormat.of();
  /** A field name in a rectification's stored corrections ({@code field=value} lines). */

  private ApiBodies() {}

  /**
   * {@code PUT /tenants/{tenantId}/status}.
   *
   * @param status the new status
   */
  record TenantStatusChange(TenantStatus status) {}

  /**
   * {@code PUT .../users/{userId}/status}.
   *
   * @param status the new status
   */
  record UserStatusChange(AccountStatus status) {}

  /**
   * {@code PUT .../users/{userId}/password}.
   *
   * @param password the new password; never echoed or logged
   */
  record PasswordChange(String password) {
    @Override
    public String toString() {
      return "PasswordChange[<redacted>]";
    }
  }

  /**
   * {@code POST .../members}: adds an existing account to the tenant.
   *
   * @param userId the account
   */
  record NewMember(UserId userId) {}

  /**
   * {@code POST .../permissions/check}.
   *
   * @param permission a concrete permission, e.g. {@code models:use:gpt-4o}
   * @param groupId the group to check at, null for the whole tenant
   */
  record PermissionQuestion(String permission, GroupId groupId) {}

  /**
   * The answer to a permission check.
   *
   * @param allowed whether the caller holds the permission
   */
  record PermissionAnswer(boolean allowed) {}

  /**
   * A page of a listing.
   *
   * @param data the items
   * @param offset how many items were skipped
   * @param limit the page size asked for
   * @param <T> the item type
   */
  record Page<T>(List<T> data, int offset, int limit) {
    static <T> Page<T> of(List<T> data, PageRequest page) {
      return new Page<>(data, page.offset(), page.limit());
    }
  }

  /**
   * A complete, unpaged listing.
   *
   * @param data the items
   * @param <T> the item type
   */
  record Items<T>(List<T> data) {
    static <T> Items<T> of(Iterable<T> data) {
      List<T> list = new java.util.ArrayList<>();
      data.forEach(list::add);
      return new Items<>(list);
    }
  }

  /**
   * {@code GET /me}.
   *
   * @param principal who the credentials stand for
   * @param user the account
   */
  record Me(Principal principal, User user) {}

  /**
   * A processing record of the privacy ledger.
   *
   * @param index its position in the ledger
   * @param recordedAt when it was recorded
   * @param kind what was done
   * @param tenantId the tenant, null for platform-level processing
   * @param subjectKey the pseudonymous key of the person concerned, null for none
   * @param actor who did it: {@code user:<subject key>}, {@code token:<subject key>} or {@code system}
   * @param module the module that did it
   * @param categories the data categories
   * @param purpose the purpose key
   * @param legalBasis the legal basis key
   * @param recipient for a disclosure, the recipient key
   * @param ground for a disclosure, the disclosure ground key
   * @param separateConsent for a disclosure, whether separate consent was given
   * @param reference a non-personal reference, or null
   * @param detailCategories the categories whose personal data was kept beside the entry
   * @param details that personal data by category; empty when there was none or it was erased
   * @param detailsErased whether details were recorded and have since been erased
   * @param leafHash the entry's RFC 6962 leaf hash, lower-case hex
   */
  record LedgerRecordBody(long index, Instant recordedAt, ProcessingKind kind, TenantId tenantId, String subjectKey,
      String actor, String module, List<String> categories, String purpose, String legalBasis, String recipient,
      String ground, Boolean separateConsent, String reference, List<String> detailCategories,
      Map<String, String> details, boolean detailsErased, String leafHash) {
    static LedgerRecordBody of(LedgerRecord r) {
      return new LedgerRecordBody(r.index(), r.recordedAt(), r.kind(), r.tenantId(), r.subjectKey(), r.actor(),
          r.module(), r.categories(), r.purpose(), r.legalBasis(), r.recipient(), r.ground(), r.separateConsent(),
          r.reference(), r.detailCategories(), r.details(), r.detailsErased(), r.leafHash());
    }
  }

  /**
   * A page of ledger records, in index order.
   *
   * @param data the records
   * @param fromIndex the first ledger index considered
   * @param limit the page size asked for
   */
  record LedgerPage(List<LedgerRecordBody> data, long fromIndex, int limit) {
    static LedgerPage of(List<LedgerRecord> records, long fromIndex, int limit) {
      return new LedgerPage(records.stream().map(LedgerRecordBody::of).toList(), fromIndex, limit);
    }
  }

  /**
   * A signed checkpoint of the privacy ledger.
   *
   * @param origin the ledger's name
   * @param size how many entries the root covers
   * @param rootHash the RFC 6962 root of those entries, lower-case hex
   * @param timestamp when it was signed
   * @param keyId the id of the signing key
   * @param signature the Ed25519 signature of the checkpoint body, base64
   * @param signed the checkpoint in the offline verifier's text form (body and signature line)
   */
  record CheckpointBody(String origin, long size, String rootHash, Instant timestamp, String keyId,
      String signature, String signed) {
    static CheckpointBody of(SignedCheckpoint signed) {
      Checkpoint checkpoint = signed.checkpoint();
      return new CheckpointBody(checkpoint.origin(), checkpoint.size(), HEX.formatHex(checkpoint.root()),
          Instant.ofEpochMilli(checkpoint.timestampMillis()), signed.keyId(),
          Base64.getEncoder().encodeToString(signed.signature()), signed.serialize());
    }
  }

  /**
   * Proof that an entry is in the ledger.
   *
   * @param index the entry's index
   * @param leafHash its leaf hash, lower-case hex
   * @param treeSize the size of the tree the path leads to
   * @param path the sibling hashes from the leaf upwards, lower-case hex
   * @param checkpoint the signed checkpoint whose root the path leads to
   */
  record InclusionProofBody(long index, String leafHash, long treeSize, List<String> path,
      CheckpointBody checkpoint) {
    static InclusionProofBody of(InclusionProof proof) {
      return new InclusionProofBody(proof.index(), proof.leafHash(), proof.treeSize(), proof.path(),
          CheckpointBody.of(proof.checkpoint()));
    }
  }

  /**
   * Proof that the ledger at {@code newSize} extends the ledger at {@code oldSize}.
   *
   * @param oldSize the older size
   * @param oldRoot the root at the older size, lower-case hex
   * @param newSize the newer size
   * @param newRoot the root at the newer size, lower-case hex
   * @param path the proof's hashes, lower-case hex
   */
  record ConsistencyProofBody(long oldSize, String oldRoot, long newSize, String newRoot, List<String> path) {
    static ConsistencyProofBody of(ConsistencyProof proof) {
      return new ConsistencyProofBody(proof.oldSize(), proof.oldRoot(), proof.newSize(), proof.newRoot(),
          proof.path());
    }
  }

  /**
   * The result of verifying the stored ledger.
   *
   * @param ok whether every check passed
   * @param entriesChecked how many entries were read
   * @param checkpointsChecked how many checkpoints were checked
   * @param firstBadIndex the first entry found bad, null when every check passed
   * @param problem what is wrong there, null when every check passed
   * @param message a human-readable account of the problem, null when every check passed
   */
  record VerificationBody(boolean ok, long entriesChecked, long checkpointsChecked, Long firstBadIndex,
      VerificationReport.Problem problem, String message) {
    static VerificationBody of(VerificationReport report) {
      return new VerificationBody(report.ok(), report.entriesChecked(), report.checkpointsChecked(),
          report.firstBad().orElse(null), report.problem(), report.message());
    }
  }

  /**
   * A term of the privacy taxonomy.
   *
   * @param key its stable key
   * @param label a human-readable label
   * @param attributes further facts, sorted by name
   */
  record TermBody(String key, String label, Map<String, String> attributes) {
    static TermBody of(Term term) {
      return new TermBody(term.key(), term.label(), new TreeMap<>(term.attributes()));
    }
  }

  // ---------------------------------------------------------------- data-subject rights

  /**
   * {@code POST /privacy/requests} and {@code POST /tenants/{tenantId}/privacy/requests}.
   *
   * @param userId the subject; at platform level the caller's own account when null
   * @param type the right exercised
   * @param corrections for a rectification, the new values by field; otherwise absent
   */
  record NewSubjectRequest(UserId userId, RequestType type, Map<String, String> corrections) {
    @Override
    public String toString() {
      // The corrections are personal data.
      return "NewSubjectRequest[userId=" + userId + ", type=" + type + ", corrections=<redacted>]";
    }
  }

  /**
   * {@code POST .../requests/{requestId}/verify}.
   *
   * @param method how the requester's identity was verified, e.g. {@code id-document}
   */
  record IdentityVerification(String method) {}

  /**
   * {@code POST .../requests/{requestId}/extend} and {@code .../refuse}.
   *
   * @param reason why, for the subject (no personal data)
   */
  record RequestReason(String reason) {}

  /**
   * {@code POST /privacy/users/{userId}/holds}.
   *
   * @param categories the taxonomy categories (or groups) the hold covers
   * @param reason why the information must be kept (no personal data)
   */
  record NewLegalHold(List<String> categories, String reason) {}

  /**
   * {@code POST /privacy/policies}.
   *
   * @param version its name, e.g. {@code 2025-01}
   * @param effectiveAt when it takes effect
   * @param summary what changed
   * @param text the full text; only its SHA-256 is kept
   */
  record NewPolicyVersion(String version, Instant effectiveAt, String summary, String text) {}

  /**
   * {@code POST /privacy/policies/{version}/acknowledgments}.
   *
   * @param method how the policy was acknowledged, e.g. {@code click-through}
   */
  record NewAcknowledgment(String method) {}

  /**
   * {@code PUT .../users/{userId}/minor}.
   *
   * @param minor whether the account belongs to a minor; required (an omitted value is never
   *     taken as false)
   */
  record MinorChange(Boolean minor) {
    MinorChange {
      Objects.requireNonNull(minor, "minor");
    }
  }

  /**
   * {@code POST .../users/{userId}/guardian-consent}.
   *
   * @param reference where the consent evidence is kept (no personal data)
   */
  record GuardianConsent(String reference) {}

  /**
   * A data-subject request. The stored corrections of a rectification are personal data and never
   * shown; only the names of the fields it asks to correct are.
   *
   * @param id its id
   * @param userId the subject
   * @param type the right exercised
   * @param status where it stands
   * @param routedTo the tenant whose administrators handle it, or null
   * @param receivedAt when it was received
   * @param dueAt when it must be answered
   * @param extensionReason why the deadline was extended, or null
   * @param verifiedAt when the requester was verified, or null
   * @param verificationMethod how, or null
   * @param closedAt when it was fulfilled or refused, or null
   * @param outcome what was done or why it was refused, or null
   * @param progress the steps an erasure has completed, in order
   * @param correctionFields for an open rectification, the fields it asks to correct, sorted
   * @param version incremented on every change
   * @param updatedAt when it last changed
   */
  record SubjectRequestBody(RequestId id, UserId userId, RequestType type, RequestStatus status, TenantId routedTo,
      Instant receivedAt, Instant dueAt, String extensionReason, Instant verifiedAt, String verificationMethod,
      Instant closedAt, String outcome, List<String> progress, List<String> correctionFields, long version,
      Instant updatedAt) {
    static SubjectRequestBody of(SubjectRequest r) {
      List<String> progress = r.progress() == null || r.progress().isEmpty() ? List.of()
          : List.of(r.progress().split(","));
      return new SubjectRequestBody(r.id(), r.userId(), r.type(), r.status(), r.routedTo(), r.receivedAt(), r.dueAt(),
          r.extensionReason(), r.verifiedAt(), r.verificationMethod(), r.closedAt(), r.outcome(), progress,
          List.copyOf(DataSubjectRights.correctionFields(r)), r.version(), r.updatedAt());
    }

  }

  /**
   * What closing a request produced.
   *
   * @param request the closed request
   * @param record the ledger record of the closing step
   * @param proof its inclusion proof against a signed checkpoint
   * @param export for an access request, the export (a JSON object); otherwise null
   * @param erased for an erasure, the categories each contributor erased, sorted
   * @param restricted for an erasure or restriction, the categories kept but restricted, with why
   */
  record RequestReceiptBody(SubjectRequestBody request, LedgerRecordBody record, InclusionProofBody proof,
      @JsonRawValue String export, Map<String, List<String>> erased, Map<String, String> restricted) {
    static RequestReceiptBody of(RequestReceipt receipt) {
      Map<String, List<String>> erased = new TreeMap<>();
      receipt.erased().forEach((contributor, categories) -> erased.put(contributor, List.copyOf(new TreeSet<>(categories))));
      return new RequestReceiptBody(SubjectRequestBody.of(receipt.request()), LedgerRecordBody.of(receipt.record()),
          InclusionProofBody.of(receipt.proof()), receipt.export(), erased, new TreeMap<>(receipt.restricted()));
    }
  }

  /**
   * What a retention sweep did.
   *
   * @param at when it ran
   * @param removedByCategory how many items of each category were deleted or anonymized, sorted
   * @param total the sum
   */
  record RetentionReportBody(Instant at, Map<String, Long> removedByCategory, long total) {
    static RetentionReportBody of(RetentionReport report) {
      return new RetentionReportBody(report.at(), new TreeMap<>(report.removedByCategory()), report.total());
    }
  }

  /**
   * {@code GET /healthz}.
   *
   * @param status always {@code ok} while the servlet answers
   */
  record Health(String status) {}
}
