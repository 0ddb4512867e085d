package com.neurasea.routing;

import java.util.Objects;

/**
 * One client request as a host binding received it.
 *
 * @param endpoint which endpoint
 * @param authorization the {@code Authorization} header, or null
 * @param clientIp the client's address
 * @param userAgent the client's user agent, or null
 * @param body the whole request body (the binding enforces {@link GatewaySettings#maxRequestBytes()})
 */
public record GatewayRequest(GatewayEndpoint endpoint, String authorization, String clientIp, String userAgent,
    byte[] body) {
  /** Checks the required components. */
  public GatewayRequest {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(body, "body");
  }
}
