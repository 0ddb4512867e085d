package com.neurasea.model;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An upstream model channel: where requests for some models are forwarded and how.
 *
 * @param id the identifier
 * @param tenantId the tenant that owns it, or null for a platform-wide channel every tenant may use
 * @param name a label
 * @param type the wire protocol
 * @param baseUrl the provider's base URL ({@code https://api.openai.com}, {@code http://10.0.0.5:8000/v1}, …)
 * @param models the models it serves, as the platform names them (after aliases)
 * @param modelMapping the provider's name for a model where it differs (an Azure deployment, say)
 * @param priority higher tiers are tried first; a lower tier only when every channel above failed
 * @param weight the share of its tier's traffic, 1 to {@value #MAX_WEIGHT}
 * @param groups the groups whose members may use it (a tenant channel only); empty for everyone
 * @param requestsPerMinute the most requests it is sent per minute on this host, 0 for no limit
 * @param maxConcurrency the most requests in flight to it on this host, 0 for no limit
 * @param connectTimeoutMillis connect timeout
 * @param readTimeoutMillis the longest wait for the response head and between body chunks
 * @param options provider options, such as {@code api-version} for Azure or {@code anthropic-version}
 * @param status whether it takes traffic
 * @param statusReason why it was disabled, or null
 * @param credentialHint the last characters of its key, for display; empty when it has none
 * @param version increases with every change
 * @param createdAt when it was created
 * @param updatedAt when it was last changed
 */
public record Channel(ChannelId id, TenantId tenantId, String name, ChannelType type, String baseUrl,
    List<String> models, Map<String, String> modelMapping, int priority, int weight, List<GroupId> groups,
    int requestsPerMinute, int maxConcurrency, long connectTimeoutMillis, long readTimeoutMillis,
    Map<String, String> options, ChannelStatus status, String statusReason, String credentialHint, long version,
    Instant createdAt, Instant updatedAt) {
  /** The largest weight. */
  public static final int MAX_WEIGHT = 10_000;
  /** The largest and smallest priority. */
  public static final int MAX_PRIORITY = 1_000_000;
  /** The most models a channel serves. */
  public static final int MAX_MODELS = 1_000;
  /** The longest timeout, 30 minutes. */
  public static final long MAX_TIMEOUT_MILLIS = 1_800_000L;

  /** Validates every component, listing every bad one, and freezes the collections. */
  public Channel {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    models = List.copyOf(models == null ? List.of() : models);
    modelMapping = Map.copyOf(modelMapping == null ? Map.of() : modelMapping);
    groups = List.copyOf(groups == null ? List.of() : groups);
    options = Map.copyOf(options == null ? Map.of() : options);
    credentialHint = credentialHint == null ? "" : credentialHint;
    List<FieldError> errors = new ArrayList<>();
    check(errors, name, baseUrl, models, modelMapping, priority, weight, requestsPerMinute, maxConcurrency,
        connectTimeoutMillis, readTimeoutMillis, options);
    if (tenantId == null && !groups.isEmpty()) {
      errors.add(new FieldError("groups", "a platform-wide channel cannot be limited to a tenant's groups"));
    }
    if (!errors.isEmpty()) {
      throw new NeuraSeaException(ErrorCode.INVALID_ARGUMENT, "invalid channel", errors, null);
    }
  }

  /** The provider's name for a model this channel serves. */
  public String upstreamModel(String model) {
    return modelMapping.getOrDefault(model, model);
  }

  /** Whether it serves a model. */
  public boolean serves(String model) {
    return models.contains(model);
  }

  /**
   * Checks channel settings, adding one error per bad field; shared by the record and the commands.
   */
  public static void check(List<FieldError> errors, String name, String baseUrl, List<String> models,
      Map<String, String> modelMapping, int priority, int weight, int requestsPerMinute, int maxConcurrency,
      long connectTimeoutMillis, long readTimeoutMillis, Map<String, String> options) {
    if (name == null || name.isBlank() || name.length() > 128) {
      errors.add(new FieldError("name", "must be 1-128 characters"));
    }
    checkBaseUrl(errors, baseUrl);
    if (models != null) {
      if (models.size() > MAX_MODELS) {
        errors.add(new FieldError("models", "at most " + MAX_MODELS + " models"));
      }
      for (String model : models) {
        if (!ModelPrice.isModelName(model)) {
          errors.add(new FieldError("models", "'" + model + "' must be 1-128 printable characters without spaces"));
          break;
        }
      }
    }
    if (modelMapping != null) {
      new TreeMap<>(modelMapping).forEach((from, to) -> {
        if (!ModelPrice.isModelName(from) || to == null || to.isEmpty() || to.length() > 256
            || to.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
          errors.add(new FieldError("modelMapping", "'" + from + "' must map a model name to a provider name"
              + " of 1-256 printable characters without spaces"));
        } else if (models != null && !models.contains(from)) {
          errors.add(new FieldError("modelMapping", "'" + from + "' is not one of the channel's models"));
        }
      });
    }
    if (priority < -MAX_PRIORITY || priority > MAX_PRIORITY) {
      errors.add(new FieldError("priority", "must be between " + -MAX_PRIORITY + " and " + MAX_PRIORITY));
    }
    if (weight < 1 || weight > MAX_WEIGHT) {
      errors.add(new FieldError("weight", "must be between 1 and " + MAX_WEIGHT));
    }
    if (requestsPerMinute < 0 || requestsPerMinute > QuotaLimits.MAX_PER_MINUTE) {
      errors.add(new FieldError("requestsPerMinute", "must be between 0 and " + QuotaLimits.MAX_PER_MINUTE));
    }
    if (maxConcurrency < 0 || maxConcurrency > 1_000_000) {
      errors.add(new FieldError("maxConcurrency", "must be between 0 and 1000000"));
    }
    if (connectTimeoutMillis < 1 || connectTimeoutMillis > MAX_TIMEOUT_MILLIS) {
      errors.add(new FieldError("connectTimeoutMillis", "must be between 1 and " + MAX_TIMEOUT_MILLIS));
    }
    if (readTimeoutMillis < 1 || readTimeoutMillis > MAX_TIMEOUT_MILLIS) {
      errors.add(new FieldError("readTimeoutMillis", "must be between 1 and " + MAX_TIMEOUT_MILLIS));
    }
    if (options != null) {
      if (options.size() > 32) {
        errors.add(new FieldError("options", "at most 32 options"));
      }
      new TreeMap<>(options).forEach((key, value) -> {
        if (key == null || !key.matches("[a-z][a-z0-9_.-]{0,63}") || value == null || value.length() > 256
            || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
          errors.add(new FieldError("options", "'" + key + "' must be a lower-case key with a value of at most"
              + " 256 printable characters"));
        }
      });
    }
  }

  private static void checkBaseUrl(List<FieldError> errors, String baseUrl) {
    if (baseUrl == null || baseUrl.isBlank() || baseUrl.length() > 2048) {
      errors.add(new FieldError("baseUrl", "must be an http or https URL of at most 2048 characters"));
      return;
    }
    try {
      URI uri = new URI(baseUrl);
      String scheme = uri.getScheme();
      if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
          || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
        errors.add(new FieldError("baseUrl", "must be an http or https URL with a host and no query,"
            + " fragment or user info"));
      }
    } catch (java.net.URISyntaxException e) {
      errors.add(new FieldError("baseUrl", "is not a valid URL"));
    }
  }
}
