package com.neurasea.spi;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP request to an upstream provider.
 *
 * @param method {@code GET} or {@code POST}
 * @param uri the full URI
 * @param headers request headers (credentials among them; never log them)
 * @param body the body, empty for none
 * @param connectTimeoutMillis the longest wait for a connection
 * @param readTimeoutMillis the longest wait for the response head, and between two body chunks
 */
public record UpstreamRequest(String method, URI uri, Map<String, String> headers, byte[] body,
    long connectTimeoutMillis, long readTimeoutMillis) {
  /** Checks the components. */
  public UpstreamRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(uri, "uri");
    headers = headers == null ? Map.of() : headers;
    body = body == null ? new byte[0] : body;
    if (connectTimeoutMillis <= 0 || readTimeoutMillis <= 0) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
  }

  @Override
  public String toString() {
    return "UpstreamRequest[" + method + " " + uri + ", " + body.length + " bytes]";
  }
}
