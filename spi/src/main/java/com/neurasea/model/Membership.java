package com.neurasea.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A user's membership of a tenant.
 *
 * @param tenantId the tenant
 * @param userId the member
 * @param joinedAt when the user joined
 */
public record Membership(TenantId tenantId, UserId userId, Instant joinedAt) {
  /** Validates the components. */
  public Membership {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(joinedAt, "joinedAt");
  }
}
