package com.neurasea.model;

/**
 * Identifier of a role binding.
 *
 * @param value the opaque identifier, e.g. {@code rbd_01hx3k9q7c2m5v8w4z6t0r1y2b}
 */
public record BindingId(String value) {
  /** Prefix of generated identifiers of this kind. */
  public static final String PREFIX = "rbd_";

  /** Validates the identifier's shape (never whether it exists). */
  public BindingId {
    Ids.check("bindingId", value);
  }

  /** Parses an identifier, failing with {@link ErrorCode#INVALID_ARGUMENT} on a malformed one. */
  public static BindingId of(String value) {
    return new BindingId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
