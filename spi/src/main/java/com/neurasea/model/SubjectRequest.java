package com.neurasea.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A data-subject request and its progress.
 *
 * @param id its id
 * @param userId the subject
 * @param type the right exercised
 * @param status where it stands
 * @param routedTo the enterprise tenant whose administrators handle it, or null
 * @param receivedAt when it was received
 * @param dueAt when it must be answered (one month after receipt, or later once extended)
 * @param extensionReason why the deadline was extended, or null
 * @param verifiedAt when the requester's identity was verified, or null
 * @param verificationMethod how it was verified (for example {@code signed-in-session}), or null
 * @param closedAt when it was fulfilled or refused, or null
 * @param outcome what was done or why it was refused (no personal data), or null
 * @param progress the steps an erasure or restriction has completed, comma-separated, or null
 * @param payload what a rectification asks to change (personal data, cleared once the request is
 *     closed), or null
 * @param version incremented on every change, for optimistic concurrency
 * @param updatedAt when it last changed
 */
public record SubjectRequest(RequestId id, UserId userId, RequestType type, RequestStatus status, TenantId routedTo,
    Instant receivedAt, Instant dueAt, String extensionReason, Instant verifiedAt, String verificationMethod,
    Instant closedAt, String outcome, String progress, String payload, long version, Instant updatedAt) {
  /** Checks that the required components are present. */
  public SubjectRequest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(receivedAt, "receivedAt");
    Objects.requireNonNull(dueAt, "dueAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /** Whether it is still open and past its deadline at {@code now}. */
  public boolean overdueAt(Instant now) {
    return status.open() && now.isAfter(dueAt);
  }

  /** This request moved to a status, with the version bumped. */
  public SubjectRequest withStatus(RequestStatus newStatus, Instant at) {
    return new SubjectRequest(id, userId, type, newStatus, routedTo, receivedAt, dueAt, extensionReason, verifiedAt,
        verificationMethod, newStatus.open() ? null : at, outcome, progress, newStatus.open() ? payload : null,
        version + 1, at);
  }

  /** Never shows the payload. */
  @Override
  public String toString() {
    return "SubjectRequest[id=" + id + ", userId=" + userId + ", type=" + type + ", status=" + status + ", dueAt="
        + dueAt + ", version=" + version + "]";
  }
}
