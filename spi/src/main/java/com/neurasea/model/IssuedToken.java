package com.neurasea.model;

import java.util.Objects;

/**
 * A newly created API token with its secret. The secret is never stored and cannot be shown again.
 *
 * @param token the token's metadata
 * @param secret the bearer secret to hand to the client once
 */
public record IssuedToken(ApiToken token, String secret) {
  /** Validates the components. */
  public IssuedToken {
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(secret, "secret");
  }

  @Override
  public String toString() {
    return "IssuedToken[token=" + token + ", secret=<redacted>]";
  }
}
