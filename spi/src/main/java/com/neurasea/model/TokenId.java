package com.neurasea.model;

/**
 * Identifier of an API token.
 *
 * @param value the opaque identifier, e.g. {@code tok_01hx3k9q7c2m5v8w4z6t0r1y2b}
 */
public record TokenId(String value) {
  /** Prefix of generated identifiers of this kind. */
  public static final String PREFIX = "tok_";

  /** Validates the identifier's shape (never whether it exists). */
  public TokenId {
    Ids.check("tokenId", value);
  }

  /** Parses an identifier, failing with {@link ErrorCode#INVALID_ARGUMENT} on a malformed one. */
  public static TokenId of(String value) {
    return new TokenId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
