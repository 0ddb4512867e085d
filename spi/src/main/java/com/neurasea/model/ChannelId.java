package com.neurasea.model;

/**
 * Identifier of an upstream model channel.
 *
 * @param value the opaque identifier, e.g. {@code chn_01hx3k9q7c2m5v8w4z6t0r1y2b}
 */
public record ChannelId(String value) {
  /** Prefix of generated identifiers of this kind. */
  public static final String PREFIX = "chn_";

  /** Validates the identifier's shape (never whether it exists). */
  public ChannelId {
    Ids.check("channelId", value);
  }

  /** Parses an identifier, failing with {@link ErrorCode#INVALID_ARGUMENT} on a malformed one. */
  public static ChannelId of(String value) {
    return new ChannelId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
