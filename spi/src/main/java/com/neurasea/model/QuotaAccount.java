package com.neurasea.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A quota account: the limits one level of a tenant carries.
 *
 * @param ref which account
 * @param limits its limits
 * @param version incremented by every change, for optimistic updates
 * @param createdAt when it was created
 * @param updatedAt when it last changed
 */
public record QuotaAccount(AccountRef ref, QuotaLimits limits, long version, Instant createdAt, Instant updatedAt) {
  /** Validates the components. */
  public QuotaAccount {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /** The next version with other limits. */
  public QuotaAccount withLimits(QuotaLimits newLimits, Instant at) {
    return new QuotaAccount(ref, newLimits, version + 1, createdAt, at);
  }
}
