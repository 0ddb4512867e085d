package com.neurasea.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A user's acknowledgment of a policy version.
 *
 * @param userId who acknowledged
 * @param version which version
 * @param acknowledgedAt when
 * @param clientIp from which address, or null
 * @param method how: {@code click-through}, {@code api}, {@code signed-document}, ...
 */
public record PolicyAcknowledgment(UserId userId, String version, Instant acknowledgedAt, String clientIp,
    String method) {
  /** Checks the required components. */
  public PolicyAcknowledgment {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(acknowledgedAt, "acknowledgedAt");
    Objects.requireNonNull(method, "method");
  }
}
