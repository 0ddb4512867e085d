package com.neurasea.http;

import com.neurasea.identity.IdentityService;
import com.neurasea.model.Principal;
import com.neurasea.spi.Credentials;
import com.neurasea.spi.PasswordCredentials;
import com.neurasea.spi.TokenCredentials;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Reads the {@code Authorization} header ({@code Bearer <token>} or {@code Basic
 * base64(username:password)}) and asks the platform who it stands for. The header's value is never
 * logged or echoed.
 */
final class Authenticator {
  private final IdentityService identity;

  Authenticator(IdentityService identity) {
    this.identity = identity;
  }

  /**
   * Authenticates a request.
   *
   * @throws ApiFailure 401 when credentials are missing or malformed
   * @throws com.neurasea.model.NeuraSeaException when the platform refuses them
   */
  Principal authenticate(HttpServletRequest request) {
    String header = request.getHeader("Authorization");
    if (header == null || header.isBlank()) {
      throw ApiFailure.unauthenticated("credentials are required: send Authorization: Bearer <token>");
    }
    String trimmed = header.strip();
    int space = trimmed.indexOf(' ');
    String scheme = space < 0 ? trimmed : trimmed.substring(0, space);
    String value = space < 0 ? "" : trimmed.substring(space + 1).strip();
    String clientIp = clientIp(request);
    String userAgent = request.getHeader("User-Agent");
    Credentials credentials;
    if (scheme.equalsIgnoreCase("Bearer")) {
      if (value.isEmpty()) {
        throw ApiFailure.unauthenticated("the Bearer token is empty");
      }
      credentials = new TokenCredentials(value, clientIp, userAgent);
    } else if (scheme.equalsIgnoreCase("Basic")) {
      credentials = basic(value, clientIp, userAgent);
    } else {
      throw ApiFailure.unauthenticated("unsupported authorization scheme; use Bearer or Basic");
    }
    return identity.authenticate(credentials);
  }

  /**
   * The client's address as the platform records it (sign-ins, policy acknowledgments): the
   * connection's remote address. A host behind a proxy configures its container to report the
   * forwarded address there.
   */
  static String clientIp(HttpServletRequest request) {
    return request.getRemoteAddr();
  }

  private static PasswordCredentials basic(String value, String clientIp, String userAgent) {
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw ApiFailure.unauthenticated("malformed Basic credentials: expected base64(username:password)");
    }
    int colon = decoded.indexOf(':');
    if (colon < 1) {
      throw ApiFailure.unauthenticated("malformed Basic credentials: expected base64(username:password)");
    }
    return new PasswordCredentials(decoded.substring(0, colon), decoded.substring(colon + 1), clientIp, userAgent);
  }
}
