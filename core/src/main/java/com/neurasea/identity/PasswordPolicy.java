package com.neurasea.identity;

import java.time.Duration;
import java.util.Objects;

/**
 * How local passwords are hashed and how repeated failures lock an account out.
 *
 * @param memoryKib Argon2id memory cost in KiB
 * @param iterations Argon2id time cost
 * @param parallelism Argon2id lanes
 * @param maxFailures consecutive failed sign-ins that trigger a lockout
 * @param lockout how long sign-in is refused after {@code maxFailures} failures
 */
public record PasswordPolicy(int memoryKib, int iterations, int parallelism, int maxFailures, Duration lockout) {
  /** OWASP's Argon2id recommendation (19 MiB, 2 iterations, 1 lane); 5 failures lock out for 15 minutes. */
  public static final PasswordPolicy DEFAULT = new PasswordPolicy(19_456, 2, 1, 5, Duration.ofMinutes(15));

  /** Validates the components. */
  public PasswordPolicy {
    Objects.requireNonNull(lockout, "lockout");
    if (memoryKib < 8 * parallelism || iterations < 1 || parallelism < 1) {
      throw new IllegalArgumentException("Argon2id needs memoryKib >= 8 * parallelism, iterations >= 1, parallelism >= 1");
    }
    if (maxFailures < 1) {
      throw new IllegalArgumentException("maxFailures must be at least 1");
    }
    if (lockout.isNegative()) {
      throw new IllegalArgumentException("lockout must not be negative");
    }
  }

  /** A cheap policy for tests only: hashing in about a millisecond. */
  public static PasswordPolicy forTests() {
    return new PasswordPolicy(64, 1, 1, 5, Duration.ofMinutes(15));
  }
}
