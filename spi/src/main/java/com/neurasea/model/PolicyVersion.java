package com.neurasea.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A published version of the privacy policy.
 *
 * @param version its name, such as {@code 2025-01}
 * @param effectiveAt when it takes effect
 * @param summary what changed, for people
 * @param documentSha256 the SHA-256 of the policy text, lower-case hex, so an acknowledgment names
 *     exactly the text that was shown
 * @param publishedAt when it was published
 */
public record PolicyVersion(String version, Instant effectiveAt, String summary, String documentSha256,
    Instant publishedAt) {
  /** Checks that every component is present. */
  public PolicyVersion {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(effectiveAt, "effectiveAt");
    Objects.requireNonNull(summary, "summary");
    Objects.requireNonNull(documentSha256, "documentSha256");
    Objects.requireNonNull(publishedAt, "publishedAt");
  }
}
