package com.neurasea.model;

import java.util.List;
import java.util.Map;

/**
 * Creates a channel in the caller's tenant (or platform-wide when the caller acts at platform level).
 * Null optional settings take the defaults named below; every bad field is reported at once.
 *
 * @param name a label
 * @param type the wire protocol
 * @param baseUrl the provider's base URL
 * @param apiKey the provider credential, encrypted at rest and never shown again; null or empty for none
 * @param models the models it serves
 * @param modelMapping provider names where they differ, null for none
 * @param priority null for 0
 * @param weight null for 1
 * @param groups groups whose members may use it, null for everyone
 * @param requestsPerMinute null for no limit
 * @param maxConcurrency null for no limit
 * @param connectTimeoutMillis null for {@value #DEFAULT_CONNECT_TIMEOUT_MILLIS}
 * @param readTimeoutMillis null for {@value #DEFAULT_READ_TIMEOUT_MILLIS}
 * @param options provider options, null for none
 */
public record CreateChannel(String name, ChannelType type, String baseUrl, String apiKey, List<String> models,
    Map<String, String> modelMapping, Integer priority, Integer weight, List<GroupId> groups,
    Integer requestsPerMinute, Integer maxConcurrency, Long connectTimeoutMillis, Long readTimeoutMillis,
    Map<String, String> options) {
  /** Default connect timeout. */
  public static final long DEFAULT_CONNECT_TIMEOUT_MILLIS = 5_000L;
  /** Default read timeout (time to the response head and between chunks). */
  public static final long DEFAULT_READ_TIMEOUT_MILLIS = 120_000L;

  /** A channel with default settings, for code and tests. */
  public static CreateChannel of(String name, ChannelType type, String baseUrl, String apiKey, List<String> models) {
    return new CreateChannel(name, type, baseUrl, apiKey, models, null, null, null, null, null, null, null, null,
        null);
  }

  /** A copy with another priority and weight. */
  public CreateChannel withRouting(int newPriority, int newWeight) {
    return new CreateChannel(name, type, baseUrl, apiKey, models, modelMapping, newPriority, newWeight, groups,
        requestsPerMinute, maxConcurrency, connectTimeoutMillis, readTimeoutMillis, options);
  }

  /** A copy with other timeouts. */
  public CreateChannel withTimeouts(long connectMillis, long readMillis) {
    return new CreateChannel(name, type, baseUrl, apiKey, models, modelMapping, priority, weight, groups,
        requestsPerMinute, maxConcurrency, connectMillis, readMillis, options);
  }

  /** A copy with a model mapping. */
  public CreateChannel withModelMapping(Map<String, String> mapping) {
    return new CreateChannel(name, type, baseUrl, apiKey, models, mapping, priority, weight, groups,
        requestsPerMinute, maxConcurrency, connectTimeoutMillis, readTimeoutMillis, options);
  }

  /** A copy with provider options. */
  public CreateChannel withOptions(Map<String, String> newOptions) {
    return new CreateChannel(name, type, baseUrl, apiKey, models, modelMapping, priority, weight, groups,
        requestsPerMinute, maxConcurrency, connectTimeoutMillis, readTimeoutMillis, newOptions);
  }
}
