package com.neurasea.model;

import java.time.Instant;
import java.util.Objects;

/**
 * Which usage records to list. Null components do not filter.
 *
 * @param tenantId the tenant (required)
 * @param userId only this user's
 * @param tokenId only this token's
 * @param model only this model's
 * @param status only with this status
 * @param from only finished at or after this
 * @param to only finished before this
 */
public record UsageQuery(TenantId tenantId, UserId userId, TokenId tokenId, String model, UsageStatus status,
    Instant from, Instant to) {
  /** Validates the components. */
  public UsageQuery {
    Objects.requireNonNull(tenantId, "tenantId");
    if (from != null && to != null && !from.isBefore(to)) {
      throw NeuraSeaException.invalid("to", "must be after from");
    }
  }

  /** Every record of a tenant. */
  public static UsageQuery of(TenantId tenantId) {
    return new UsageQuery(tenantId, null, null, null, null, null, null);
  }
}
