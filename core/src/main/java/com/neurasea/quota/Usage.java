package com.neurasea.quota;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.FieldError;
import com.neurasea.model.ModelPrice;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.QuotaLimits;
import com.neurasea.model.UsageStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * What a request really used, given when it is settled. A {@code cost} of 0 or more is charged as
 * given; a cost of -1 asks for the price table's cost of the model's tokens at settlement time.
 *
 * @param model the model, or null for a plain charge
 * @param channel the upstream channel, or null
 * @param promptTokens prompt tokens not served from cache
 * @param completionTokens completion tokens
 * @param cachedTokens prompt tokens served from cache
 * @param cost the credits to charge, or -1 to price the tokens with the price table
 * @param status {@link UsageStatus#SUCCEEDED} or {@link UsageStatus#FAILED}
 * @param errorCode the error it ended with, or null
 * @param clientIp the caller's IP address, or null
 * @param userAgent the caller's user agent, or null
 */
public record Usage(String model, String channel, long promptTokens, long completionTokens, long cachedTokens,
    long cost, UsageStatus status, String errorCode, String clientIp, String userAgent) {
  /**
   * Channels whose names start with this run in-process (a demo channel): their requests disclose
   * nothing to a third party. Every other channel's usage is recorded as a disclosure to a model provider.
   */
  public static final String LOCAL_CHANNEL_PREFIX = "local:";

  /** Validates the components. */
  public Usage {
    if (model != null && !ModelPrice.isModelName(model)) {
      throw NeuraSeaException.invalid("model", "must be 1-128 printable characters without spaces");
    }
    long max = QuotaLimits.MAX_CREDITS;
    List<FieldError> errors = new ArrayList<>();
    if (promptTokens < 0 || promptTokens > max) {
      errors.add(new FieldError("promptTokens", "must be between 0 and " + max));
    }
    if (completionTokens < 0 || completionTokens > max) {
      errors.add(new FieldError("completionTokens", "must be between 0 and " + max));
    }
    if (cachedTokens < 0 || cachedTokens > max) {
      errors.add(new FieldError("cachedTokens", "must be between 0 and " + max));
    }
    if (!errors.isEmpty()) {
      throw new NeuraSeaException(ErrorCode.INVALID_ARGUMENT, "invalid usage", errors, null);
    }
    if (cost < -1 || cost > QuotaLimits.MAX_CREDITS) {
      throw NeuraSeaException.invalid("cost", "must be between 0 and " + QuotaLimits.MAX_CREDITS);
    }
    if (status == null) {
      status = UsageStatus.SUCCEEDED;
    }
    if (status != UsageStatus.SUCCEEDED && status != UsageStatus.FAILED) {
      throw NeuraSeaException.invalid("status", "a settled request succeeded or failed");
    }
    channel = clip(channel, 128);
    errorCode = clip(errorCode, 64);
    clientIp = clip(clientIp, 64);
    userAgent = clip(userAgent, 512);
  }

  private static String clip(String value, int max) {
    return value == null || value.length() <= max ? value : value.substring(0, max);
  }

  /** A plain charge of a number of credits. */
  public static Usage ofCost(long cost) {
    return new Usage(null, null, 0, 0, 0, cost, UsageStatus.SUCCEEDED, null, null, null);
  }

  /** Tokens of a model, priced by the price table. */
  public static Usage ofTokens(String model, long promptTokens, long completionTokens, long cachedTokens) {
    return new Usage(model, null, promptTokens, completionTokens, cachedTokens, -1, UsageStatus.SUCCEEDED, null,
        null, null);
  }

  /** A copy naming the channel and caller. */
  public Usage from(String newChannel, String newClientIp, String newUserAgent) {
    return new Usage(model, newChannel, promptTokens, completionTokens, cachedTokens, cost, status, errorCode,
        newClientIp, newUserAgent);
  }

  /** A copy marking the request failed with an error code. */
  public Usage failed(String newErrorCode) {
    return new Usage(model, channel, promptTokens, completionTokens, cachedTokens, cost, UsageStatus.FAILED,
        newErrorCode, clientIp, userAgent);
  }

  /** Every token counted against tokens-per-minute limits. */
  public long totalTokens() {
    return promptTokens + completionTokens + cachedTokens;
  }
}
