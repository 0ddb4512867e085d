package com.neurasea.model;

import java.time.Instant;
import java.util.Objects;

/**
 * What one request used and was charged: one record per reservation, written when it ends.
 *
 * @param requestId the caller's request id, unique within the tenant (1-128 printable characters)
 * @param tenantId the tenant charged
 * @param userId the user the request ran for, or null
 * @param tokenId the API token it came with, or null
 * @param model the model, or null for a plain charge
 * @param channel the upstream channel that served it, or null
 * @param promptTokens prompt tokens not served from cache
 * @param completionTokens completion tokens
 * @param cachedTokens prompt tokens served from the provider's cache
 * @param cost credits charged to every account of the request's chain
 * @param uncharged credits the request used that could not be charged without going over a limit
 *     (only after a host lost its lease; otherwise 0)
 * @param priceId the price version the cost was computed with, or null for a plain charge
 * @param multiplier the group multiplier applied, in basis points
 * @param status how the reservation ended
 * @param errorCode the error the request ended with, or null
 * @param latencyMillis how long the request took, 0 or more
 * @param startedAt when it was reserved
 * @param finishedAt when it was settled, released or expired
 * @param clientIp the caller's IP address, or null (personal data: erasable, kept 180 days)
 * @param userAgent the caller's user agent, or null (personal data: erasable, kept 180 days)
 * @param hostId the host that settled it
 */
public record UsageRecord(String requestId, TenantId tenantId, UserId userId, TokenId tokenId, String model,
    String channel, long promptTokens, long completionTokens, long cachedTokens, long cost, long uncharged,
    PriceId priceId, long multiplier, UsageStatus status, String errorCode, long latencyMillis, Instant startedAt,
    Instant finishedAt, String clientIp, String userAgent, String hostId) {
  /** Validates the components. */
  public UsageRecord {
    checkRequestId(requestId);
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(finishedAt, "finishedAt");
    Objects.requireNonNull(hostId, "hostId");
    if (promptTokens < 0 || completionTokens < 0 || cachedTokens < 0 || cost < 0 || uncharged < 0
        || latencyMillis < 0 || multiplier < 0) {
      throw NeuraSeaException.invalid("usage", "token counts, cost, latency and multiplier must be 0 or more");
    }
  }

  /**
   * Checks a request id: 1-128 printable ASCII characters without spaces.
   *
   * @param requestId the id
   * @throws NeuraSeaException {@code INVALID_ARGUMENT} naming {@code requestId}
   */
  public static void checkRequestId(String requestId) {
    if (!ModelPrice.isModelName(requestId)) {
      throw NeuraSeaException.invalid("requestId", "must be 1-128 printable characters without spaces");
    }
  }

  /** A copy with the cost reduced by what could not be charged. */
  public UsageRecord withCharged(long charged) {
    long shortfall = cost - charged;
    return new UsageRecord(requestId, tenantId, userId, tokenId, model, channel, promptTokens, completionTokens,
        cachedTokens, charged, uncharged + shortfall, priceId, multiplier, status, errorCode, latencyMillis, startedAt,
        finishedAt, clientIp, userAgent, hostId);
  }
}
