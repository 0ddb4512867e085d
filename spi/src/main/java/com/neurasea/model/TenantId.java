package com.neurasea.model;

/**
 * Identifier of a tenant (organization).
 *
 * @param value the opaque identifier, e.g. {@code tnt_01hx3k9q7c2m5v8w4z6t0r1y2b}
 */
public record TenantId(String value) {
  /** Prefix of generated identifiers of this kind. */
  public static final String PREFIX = "tnt_";

  /** Validates the identifier's shape (never whether it exists). */
  public TenantId {
    Ids.check("tenantId", value);
  }

  /** Parses an identifier, failing with {@link ErrorCode#INVALID_ARGUMENT} on a malformed one. */
  public static TenantId of(String value) {
    return new TenantId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
