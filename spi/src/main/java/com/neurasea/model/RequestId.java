package com.neurasea.model;

/**
 * Identifier of a data-subject request.
 *
 * @param value the opaque identifier, e.g. {@code dsr_01hx3k9q7c2m5v8w4z6t0r1y2b}
 */
public record RequestId(String value) {
  /** Prefix of generated identifiers of this kind. */
  public static final String PREFIX = "dsr_";

  /** Validates the identifier's shape (never whether it exists). */
  public RequestId {
    Ids.check("requestId", value);
  }

  /** Parses an identifier, failing with {@link ErrorCode#INVALID_ARGUMENT} on a malformed one. */
  public static RequestId of(String value) {
    return new RequestId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
