package com.neurasea.model;

import java.time.LocalDate;
import java.util.Objects;

/**
 * Usage of one user and model on one day of the tenant's calendar, for billing display.
 *
 * @param tenantId the tenant
 * @param day the day, in the tenant's time zone
 * @param userId the user, or null for requests without one
 * @param model the model, or null for plain charges
 * @param requests how many requests ended that day
 * @param failed how many of them failed, were released or expired
 * @param promptTokens prompt tokens
 * @param completionTokens completion tokens
 * @param cachedTokens cached prompt tokens
 * @param cost credits charged
 */
public record DailyUsage(TenantId tenantId, LocalDate day, UserId userId, String model, long requests, long failed,
    long promptTokens, long completionTokens, long cachedTokens, long cost) {
  /** Validates the components. */
  public DailyUsage {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(day, "day");
  }
}
