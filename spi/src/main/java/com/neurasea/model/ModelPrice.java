package com.neurasea.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One version of a model's price. Versions are never changed: a new price is a new version with a
 * later {@code effectiveFrom}, so a usage record's {@code priceId} always shows what it was charged at.
 *
 * <p>Prices are integer credits: per million input, output and cached-input tokens, and per request.
 * Group multipliers are in basis points (10,000 = 1×).
 *
 * @param id the version's id
 * @param tenantId the tenant it applies to, or null for the platform-wide price
 * @param model the model name as callers name it
 * @param effectiveFrom from when it applies (until a later version's)
 * @param inputPerMillion credits per million prompt tokens not served from cache
 * @param outputPerMillion credits per million completion tokens
 * @param cachedInputPerMillion credits per million prompt tokens served from the provider's cache
 * @param perRequest credits per request, on top of the tokens
 * @param groupMultipliers multipliers by group id, basis points, 0 to {@value #MAX_MULTIPLIER}
 * @param createdAt when it was entered
 */
public record ModelPrice(PriceId id, TenantId tenantId, String model, Instant effectiveFrom, long inputPerMillion,
    long outputPerMillion, long cachedInputPerMillion, long perRequest, Map<String, Long> groupMultipliers,
    Instant createdAt) {
  /** 1× in basis points. */
  public static final long ONE = 10_000L;
  /** The largest multiplier: 1000×. */
  public static final long MAX_MULTIPLIER = 10_000_000L;
  /** The largest price per million tokens or per request. */
  public static final long MAX_PRICE = 1_000_000_000_000L;

  /** Validates every component, listing every bad one. */
  public ModelPrice {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(effectiveFrom, "effectiveFrom");
    Objects.requireNonNull(createdAt, "createdAt");
    groupMultipliers = Map.copyOf(groupMultipliers == null ? Map.of() : groupMultipliers);
    List<FieldError> errors = new ArrayList<>();
    if (!isModelName(model)) {
      errors.add(new FieldError("model", "must be 1-128 printable characters without spaces"));
    }
    price(errors, "inputPerMillion", inputPerMillion);
    price(errors, "outputPerMillion", outputPerMillion);
    price(errors, "cachedInputPerMillion", cachedInputPerMillion);
    price(errors, "perRequest", perRequest);
    groupMultipliers.forEach((group, bp) -> {
      try {
        GroupId.of(group);
      } catch (NeuraSeaException e) {
        errors.add(new FieldError("groupMultipliers", "'" + group + "' is not a group id"));
      }
      if (bp < 0 || bp > MAX_MULTIPLIER) {
        errors.add(new FieldError("groupMultipliers", "multiplier of " + group + " must be between 0 and "
            + MAX_MULTIPLIER + " basis points"));
      }
    });
    if (!errors.isEmpty()) {
      throw new NeuraSeaException(ErrorCode.INVALID_ARGUMENT, "invalid model price", errors, null);
    }
  }

  private static void price(List<FieldError> errors, String field, long value) {
    if (value < 0 || value > MAX_PRICE) {
      errors.add(new FieldError(field, "must be between 0 and " + MAX_PRICE));
    }
  }

  /** Whether a string is a well-formed model name: 1-128 printable ASCII characters, no spaces. */
  public static boolean isModelName(String model) {
    if (model == null || model.isEmpty() || model.length() > 128) {
      return false;
    }
    for (int i = 0; i < model.length(); i++) {
      char c = model.charAt(i);
      if (c <= ' ' || c > '~') {
        return false;
      }
    }
    return true;
  }

  /**
   * The multiplier for a request whose chain has these groups: the lowest any of them has in this
   * price, or 1× when none has one.
   *
   * @param groupIds the groups of the request's chain
   * @return basis points
   */
  public long multiplierFor(List<GroupId> groupIds) {
    long best = -1;
    for (GroupId group : groupIds) {
      Long bp = groupMultipliers.get(group.value());
      if (bp != null && (best < 0 || bp < best)) {
        best = bp;
      }
    }
    return best < 0 ? ONE : best;
  }
}
