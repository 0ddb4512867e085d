package com.neurasea.model;

import java.util.List;
import java.util.Map;

/**
 * Changes a channel: every non-null component replaces the current value (an empty string for
 * {@code apiKey} removes the key). Setting {@code status} to {@link ChannelStatus#ENABLED} also
 * re-enables an automatically disabled channel; {@link ChannelStatus#AUTO_DISABLED} cannot be set.
 *
 * @param name a label
 * @param baseUrl the provider's base URL
 * @param apiKey a new credential
 * @param models the models it serves
 * @param modelMapping provider names where they differ
 * @param priority the tier
 * @param weight the share of its tier
 * @param groups groups whose members may use it
 * @param requestsPerMinute per-host request limit, 0 for none
 * @param maxConcurrency per-host in-flight limit, 0 for none
 * @param connectTimeoutMillis connect timeout
 * @param readTimeoutMillis read timeout
 * @param options provider options
 * @param status enabled or disabled
 * @param expectedVersion fail with {@code CONFLICT} unless the channel is at this version; null to skip the check
 */
public record UpdateChannel(String name, String baseUrl, String apiKey, List<String> models,
    Map<String, String> modelMapping, Integer priority, Integer weight, List<GroupId> groups,
    Integer requestsPerMinute, Integer maxConcurrency, Long connectTimeoutMillis, Long readTimeoutMillis,
    Map<String, String> options, ChannelStatus status, Long expectedVersion) {
  /** A change of status alone. */
  public static UpdateChannel status(ChannelStatus status) {
    return new UpdateChannel(null, null, null, null, null, null, null, null, null, null, null, null, null, status,
        null);
  }
}
