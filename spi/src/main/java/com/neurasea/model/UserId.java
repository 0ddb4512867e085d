package com.neurasea.model;

/**
 * Identifier of a user account.
 *
 * @param value the opaque identifier, e.g. {@code usr_01hx3k9q7c2m5v8w4z6t0r1y2b}
 */
public record UserId(String value) {
  /** Prefix of generated identifiers of this kind. */
  public static final String PREFIX = "usr_";

  /** Validates the identifier's shape (never whether it exists). */
  public UserId {
    Ids.check("userId", value);
  }

  /** Parses an identifier, failing with {@link ErrorCode#INVALID_ARGUMENT} on a malformed one. */
  public static UserId of(String value) {
    return new UserId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
