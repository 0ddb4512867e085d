package com.neurasea.model;

import java.time.Instant;
import java.util.Objects;

/**
 * Privacy facts about a subject that change how the platform may process their information.
 *
 * @param userId the subject
 * @param minor whether the account belongs to a minor
 * @param guardianConsentAt when a guardian's consent was recorded, or null
 * @param guardianReference a reference to the consent evidence (no personal data), or null
 * @param restrictedAt since when processing of the subject's information is restricted, or null
 * @param restrictionReason why (a request, a hold), or null
 * @param updatedAt when the flags last changed
 */
public record SubjectFlags(UserId userId, boolean minor, Instant guardianConsentAt, String guardianReference,
    Instant restrictedAt, String restrictionReason, Instant updatedAt) {
  /** Checks the required components. */
  public SubjectFlags {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /** No flags set. */
  public static SubjectFlags none(UserId userId, Instant at) {
    return new SubjectFlags(userId, false, null, null, null, null, at);
  }

  /** Whether processing is restricted. */
  public boolean restricted() {
    return restrictedAt != null;
  }
}
