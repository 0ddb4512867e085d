package com.neurasea.model;

/**
 * The levels a request is charged at, from the narrowest to the widest. A request's chain runs
 * token → user → group(s) → tenant; each level may carry its own quota account.
 */
public enum QuotaLevel {
  /** An API token. */
  TOKEN,
  /** A user, within one tenant. */
  USER,
  /** A group of a tenant. */
  GROUP,
  /** A whole tenant. */
  TENANT;

  /** The lower-case name used in errors, keys and the HTTP API. */
  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Parses {@link #key()} (any case), failing with {@code INVALID_ARGUMENT} naming {@code level}. */
  public static QuotaLevel parse(String value) {
    for (QuotaLevel level : values()) {
      if (level.name().equalsIgnoreCase(value)) {
        return level;
      }
    }
    throw NeuraSeaException.invalid("level", "must be one of token, user, group, tenant");
  }
}
