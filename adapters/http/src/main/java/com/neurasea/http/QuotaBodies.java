package com.neurasea.http;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.FieldError;
import com.neurasea.model.ModelPrice;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PriceId;
import com.neurasea.model.QuotaAccount;
import com.neurasea.model.QuotaLevel;
import com.neurasea.model.QuotaLimits;
import com.neurasea.model.SetModelPrice;
import com.neurasea.model.TenantId;
import com.neurasea.model.UsageStatus;
import com.neurasea.quota.QuotaStatus;
import com.neurasea.quota.Reservation;
import com.neurasea.quota.Usage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Request and response bodies of the quota, usage, price and reservation routes that are not
 * platform records. {@code QuotaLimits}, {@code UsageRecord} and {@code DailyUsage} are used as
 * they are.
 */
final class QuotaBodies {
  /** The most tokens one settle may name in each count: the largest single amount of the platform. */
  static final long MAX_TOKENS = QuotaLimits.MAX_CREDITS;
  private static final String REQUEST_ID_RULE = "must be 1-128 printable characters without spaces";
  private static final String ERROR_CODE_RULE = "must be 1-64 printable characters without spaces";

  private QuotaBodies() {}

  /**
   * A quota account.
   *
   * @param tenantId the tenant
   * @param level the level
   * @param subjectId the token, user or group id, or the tenant id at the tenant level
   * @param limits the limits; a null limit is unlimited
   * @param version incremented by every change
   * @param createdAt when it was created
   * @param updatedAt when it last changed
   */
  record QuotaAccountBody(TenantId tenantId, QuotaLevel level, String subjectId, QuotaLimits limits, long version,
      Instant createdAt, Instant updatedAt) {
    static QuotaAccountBody of(QuotaAccount account) {
      return new QuotaAccountBody(account.ref().tenantId(), account.ref().level(), account.ref().subjectId(),
          account.limits(), account.version(), account.createdAt(), account.updatedAt());
    }
  }

  /**
   * An account and where each of its limited meters stands.
   *
   * @param account the account
   * @param meters one per limited meter, in the order credits, requests, tokens, concurrency
   */
  record AccountStatusBody(QuotaAccountBody account, List<QuotaStatus.MeterStatus> meters) {
    static AccountStatusBody of(QuotaStatus status) {
      return new AccountStatusBody(QuotaAccountBody.of(status.account()), status.meters());
    }
  }

  /**
   * A model price version, its multipliers sorted by group id.
   *
   * @param id the version's id
   * @param tenantId the tenant, or null for the platform-wide price
   * @param model the model
   * @param effectiveFrom from when it applies
   * @param inputPerMillion credits per million prompt tokens
   * @param outputPerMillion credits per million completion tokens
   * @param cachedInputPerMillion credits per million cached prompt tokens
   * @param perRequest credits per request
   * @param groupMultipliers basis points by group id
   * @param createdAt when it was entered
   */
  record ModelPriceBody(PriceId id, TenantId tenantId, String model, Instant effectiveFrom, long inputPerMillion,
      long outputPerMillion, long cachedInputPerMillion, long perRequest, Map<String, Long> groupMultipliers,
      Instant createdAt) {
    static ModelPriceBody of(ModelPrice price) {
      return new ModelPriceBody(price.id(), price.tenantId(), price.model(), price.effectiveFrom(),
          price.inputPerMillion(), price.outputPerMillion(), price.cachedInputPerMillion(), price.perRequest(),
          new TreeMap<>(price.groupMultipliers()), price.createdAt());
    }
  }

  /**
   * {@code POST .../prices} and {@code POST /prices}: a new price version. Omitted prices are 0
   * (the platform's command has primitive prices, which the strict mapper would require).
   *
   * @param model the model name
   * @param effectiveFrom from when it applies; now when null
   * @param inputPerMillion credits per million prompt tokens
   * @param outputPerMillion credits per million completion tokens
   * @param cachedInputPerMillion credits per million cached prompt tokens
   * @param perRequest credits per request
   * @param groupMultipliers basis points by group id
   */
  record NewModelPrice(String model, Instant effectiveFrom, Long inputPerMillion, Long outputPerMillion,
      Long cachedInputPerMillion, Long perRequest, Map<String, Long> groupMultipliers) {
    NewModelPrice {
      if (groupMultipliers != null && groupMultipliers.containsValue(null)) {
        throw NeuraSeaException.invalid("groupMultipliers", "every multiplier must be an integer");
      }
    }

    /** The platform's command. */
    SetModelPrice command() {
      return new SetModelPrice(model, effectiveFrom, orZero(inputPerMillion), orZero(outputPerMillion),
          orZero(cachedInputPerMillion), orZero(perRequest), groupMultipliers);
    }

    private static long orZero(Long value) {
      return value == null ? 0 : value;
    }
  }

  /**
   * {@code POST .../reservations}: what a request may use at most.
   *
   * @param requestId the request's id, unique platform-wide
   * @param maxCost the most credits it may cost
   * @param maxTokens the most tokens it may use, 0 when absent
   */
  record NewReservation(String requestId, Long maxCost, Long maxTokens) {
    NewReservation {
      List<FieldError> errors = new ArrayList<>();
      if (requestId == null) {
        errors.add(new FieldError("requestId", "is required"));
      } else if (!ModelPrice.isModelName(requestId)) {
        errors.add(new FieldError("requestId", REQUEST_ID_RULE));
      }
      if (maxCost == null) {
        errors.add(new FieldError("maxCost", "is required"));
      } else {
        range(errors, "maxCost", maxCost, QuotaLimits.MAX_CREDITS);
      }
      maxTokens = maxTokens == null ? 0L : maxTokens;
      range(errors, "maxTokens", maxTokens, QuotaLimits.MAX_PER_MINUTE);
      failOn(errors, "invalid reservation");
    }
  }

  /**
   * A reservation: allowance held for one request until it is settled, released or expires.
   *
   * @param requestId the request's id
   * @param maxCost the credits held
   * @param maxTokens the tokens held against tokens-per-minute limits
   * @param startedAt when it was made
   * @param expiresAt when it expires at no charge unless settled or released
   * @param hostId the host holding it; settle and release must reach this host
   */
  record ReservationBody(String requestId, long maxCost, long maxTokens, Instant startedAt, Instant expiresAt,
      String hostId) {
    static ReservationBody of(Reservation reservation, String hostId) {
      return new ReservationBody(reservation.requestId(), reservation.maxCost(), reservation.maxTokens(),
          reservation.startedAt(), reservation.expiresAt(), hostId);
    }
  }

  /**
   * {@code POST .../reservations/{requestId}/settle}: what the request really used. Either a plain
   * {@code cost}, or a {@code model} with token counts priced by the price table; a model with a
   * {@code cost} is charged the cost as given.
   *
   * @param cost credits to charge, or null to price the model's tokens
   * @param model the model, or null for a plain charge
   * @param promptTokens prompt tokens not served from cache, 0 when absent
   * @param completionTokens completion tokens, 0 when absent
   * @param cachedTokens prompt tokens served from cache, 0 when absent
   * @param status succeeded (the default) or failed
   * @param errorCode the error the request ended with, or null
   */
  record SettleBody(Long cost, String model, Long promptTokens, Long completionTokens, Long cachedTokens,
      UsageStatus status, String errorCode) {
    SettleBody {
      List<FieldError> errors = new ArrayList<>();
      if (cost == null && model == null) {
        errors.add(new FieldError("cost", "is required unless a model is named"));
      }
      if (cost != null) {
        range(errors, "cost", cost, QuotaLimits.MAX_CREDITS);
      }
      if (model != null && !ModelPrice.isModelName(model)) {
        errors.add(new FieldError("model", "must be 1-128 printable characters without spaces"));
      }
      promptTokens = promptTokens == null ? 0L : promptTokens;
      completionTokens = completionTokens == null ? 0L : completionTokens;
      cachedTokens = cachedTokens == null ? 0L : cachedTokens;
      range(errors, "promptTokens", promptTokens, MAX_TOKENS);
      range(errors, "completionTokens", completionTokens, MAX_TOKENS);
      range(errors, "cachedTokens", cachedTokens, MAX_TOKENS);
      status = status == null ? UsageStatus.SUCCEEDED : status;
      if (status != UsageStatus.SUCCEEDED && status != UsageStatus.FAILED) {
        errors.add(new FieldError("status", "must be succeeded or failed"));
      }
      checkErrorCode(errors, errorCode);
      failOn(errors, "invalid settlement");
    }

    /** The usage to settle with. */
    Usage usage() {
      return new Usage(model, null, promptTokens, completionTokens, cachedTokens, cost == null ? -1 : cost, status,
          errorCode, null, null);
    }
  }

  /**
   * {@code POST .../reservations/{requestId}/release}; the body may be left out.
   *
   * @param errorCode why the request did no work, or null
   */
  record ReleaseBody(String errorCode) {
    ReleaseBody {
      List<FieldError> errors = new ArrayList<>();
      checkErrorCode(errors, errorCode);
      failOn(errors, "invalid release");
    }
  }

  private static void range(List<FieldError> errors, String field, long value, long max) {
    if (value < 0 || value > max) {
      errors.add(new FieldError(field, "must be between 0 and " + max));
    }
  }

  private static void checkErrorCode(List<FieldError> errors, String errorCode) {
    if (errorCode != null && (errorCode.length() > 64 || !ModelPrice.isModelName(errorCode))) {
      errors.add(new FieldError("errorCode", ERROR_CODE_RULE));
    }
  }

  private static void failOn(List<FieldError> errors, String message) {
    if (!errors.isEmpty()) {
      throw new NeuraSeaException(ErrorCode.INVALID_ARGUMENT, message, errors, null);
    }
  }
}
