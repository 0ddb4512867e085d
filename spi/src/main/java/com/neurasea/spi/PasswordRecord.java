package com.neurasea.spi;

import com.neurasea.model.UserId;
import java.time.Instant;
import java.util.Objects;

/**
 * A stored password hash and its lockout state.
 *
 * @param userId the user
 * @param hash the encoded hash (algorithm, parameters, salt and digest), never the password
 * @param failedAttempts consecutive failed attempts since the last success
 * @param lockedUntil until when sign-in is refused after too many failures, null if not locked out
 * @param lastLoginAt the last successful sign-in, null if never
 */
public record PasswordRecord(UserId userId, String hash, int failedAttempts, Instant lockedUntil, Instant lastLoginAt) {
  /** Validates the components. */
  public PasswordRecord {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(hash, "hash");
  }

  @Override
  public String toString() {
    return "PasswordRecord[userId=" + userId + ", failedAttempts=" + failedAttempts + "]";
  }
}
