package com.neurasea.model;

/**
 * Identifier of a model price version.
 *
 * @param value the opaque identifier, e.g. {@code prc_01hx3k9q7c2m5v8w4z6t0r1y2b}
 */
public record PriceId(String value) {
  /** Prefix of generated identifiers of this kind. */
  public static final String PREFIX = "prc_";

  /** Validates the identifier's shape (never whether it exists). */
  public PriceId {
    Ids.check("priceId", value);
  }

  /** Parses an identifier, failing with {@link ErrorCode#INVALID_ARGUMENT} on a malformed one. */
  public static PriceId of(String value) {
    return new PriceId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
