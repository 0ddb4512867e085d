package com.neurasea.spi;

/**
 * A username and password.
 *
 * @param username the sign-in name
 * @param password the password
 * @param clientIp the client's address, may be null
 * @param userAgent the client's user agent, may be null
 */
public record PasswordCredentials(String username, String password, String clientIp, String userAgent)
    implements Credentials {
  @Override
  public String toString() {
    return "PasswordCredentials[username=" + username + "]";
  }
}
