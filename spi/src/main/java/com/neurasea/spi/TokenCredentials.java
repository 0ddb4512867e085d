package com.neurasea.spi;

/**
 * A bearer API token.
 *
 * @param token the token secret as presented
 * @param clientIp the client's address, may be null
 * @param userAgent the client's user agent, may be null
 */
public record TokenCredentials(String token, String clientIp, String userAgent) implements Credentials {
  @Override
  public String toString() {
    return "TokenCredentials[<redacted>]";
  }
}
