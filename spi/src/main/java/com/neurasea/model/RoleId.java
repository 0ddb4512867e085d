package com.neurasea.model;

/**
 * Identifier of a role.
 *
 * @param value the opaque identifier, e.g. {@code rol_01hx3k9q7c2m5v8w4z6t0r1y2b}
 */
public record RoleId(String value) {
  /** Prefix of generated identifiers of this kind. */
  public static final String PREFIX = "rol_";

  /** Validates the identifier's shape (never whether it exists). */
  public RoleId {
    Ids.check("roleId", value);
  }

  /** Parses an identifier, failing with {@link ErrorCode#INVALID_ARGUMENT} on a malformed one. */
  public static RoleId of(String value) {
    return new RoleId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
