package com.neurasea.model;

/**
 * Identifier of a group inside a tenant.
 *
 * @param value the opaque identifier, e.g. {@code grp_01hx3k9q7c2m5v8w4z6t0r1y2b}
 */
public record GroupId(String value) {
  /** Prefix of generated identifiers of this kind. */
  public static final String PREFIX = "grp_";

  /** Validates the identifier's shape (never whether it exists). */
  public GroupId {
    Ids.check("groupId", value);
  }

  /** Parses an identifier, failing with {@link ErrorCode#INVALID_ARGUMENT} on a malformed one. */
  public static GroupId of(String value) {
    return new GroupId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
