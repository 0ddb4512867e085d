package com.neurasea.model;

/**
 * Identifier of a legal hold.
 *
 * @param value the opaque identifier, e.g. {@code hld_01hx3k9q7c2m5v8w4z6t0r1y2b}
 */
public record HoldId(String value) {
  /** Prefix of generated identifiers of this kind. */
  public static final String PREFIX = "hld_";

  /** Validates the identifier's shape (never whether it exists). */
  public HoldId {
    Ids.check("holdId", value);
  }

  /** Parses an identifier, failing with {@link ErrorCode#INVALID_ARGUMENT} on a malformed one. */
  public static HoldId of(String value) {
    return new HoldId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
