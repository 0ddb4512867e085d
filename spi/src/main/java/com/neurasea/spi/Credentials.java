package com.neurasea.spi;

/** What a client presents to prove who it is. */
public sealed interface Credentials permits PasswordCredentials, TokenCredentials {
  /** The client's address as the host saw it, may be null. */
  String clientIp();

  /** The client's user agent, may be null. */
  String userAgent();
}
