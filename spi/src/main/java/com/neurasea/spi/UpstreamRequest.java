package com.neurasea.spi;

import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * One HTTP request to an upstream provider. The record refuses a request no transport could send
 * faithfully, so every transport sees the same checked request: an {@code http} or {@code https} URI
 * with a host, a method and header names that are HTTP tokens, and header values without CR, LF or NUL
 * (no header injection). Error messages never repeat a header value: values hold credentials.
 *
 * <p>The headers map is checked, not copied: the caller must not change it afterwards. A transport
 * forwards every header except those {@link #isTransportHeader(String)} names, which it computes
 * itself or which describe one connection only.
 *
 * @param method an HTTP method, such as {@code GET} or {@code POST}
 * @param uri the full URI
 * @param headers request headers (credentials among them; never log them)
 * @param body the body, empty for none
 * @param connectTimeoutMillis the longest wait for a connection
 * @param readTimeoutMillis the longest wait for the response head, and between two body chunks
 */
public record UpstreamRequest(String method, URI uri, Map<String, String> headers, byte[] body,
    long connectTimeoutMillis, long readTimeoutMillis) {
  /** Request headers a transport never forwards (compared ignoring case); see {@link #isTransportHeader}. */
  private static final Set<String> TRANSPORT_HEADERS = transportHeaders();

  /**
   * Checks the components.
   *
   * @throws NullPointerException if the method or the URI is null
   * @throws IllegalArgumentException if the URI is not {@code http://} or {@code https://} with a host,
   *     the method is no HTTP token, a header name is null or no HTTP token, a header value is null or
   *     holds CR, LF or NUL, or a timeout is not positive
   */
  public UpstreamRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(uri, "uri");
    if (!isToken(method)) {
      throw new IllegalArgumentException("the request method must be an HTTP token");
    }
    String scheme = uri.getScheme();
    if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
      throw new IllegalArgumentException("the upstream URI must be http:// or https://");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException("the upstream URI has no host");
    }
    headers = headers == null ? Map.of() : headers;
    for (Map.Entry<String, String> header : headers.entrySet()) {
      if (!isToken(header.getKey())) {
        throw new IllegalArgumentException("a request header name is missing or not an HTTP token");
      }
      if (!isValidValue(header.getValue())) {
        throw new IllegalArgumentException("the value of request header " + header.getKey()
            + " is missing or holds CR, LF or NUL");
      }
    }
    body = body == null ? new byte[0] : body;
    if (connectTimeoutMillis <= 0 || readTimeoutMillis <= 0) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
  }

  /**
   * Whether a transport leaves this request header out rather than forwarding it: {@code Host} and
   * {@code Content-Length}, which it computes, and the headers about one connection ({@code
   * Connection}, {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE}, {@code Trailer}, {@code
   * Transfer-Encoding}, {@code Upgrade}, {@code Expect}, {@code HTTP2-Settings}). Case is ignored.
   *
   * @param name a header name
   * @return true if transports skip the header (without error)
   */
  public static boolean isTransportHeader(String name) {
    return TRANSPORT_HEADERS.contains(name);
  }

  @Override
  public String toString() {
    return "UpstreamRequest[" + method + " " + uri + ", " + body.length + " bytes]";
  }

  /** An RFC 9110 token: one or more of {@code !#$%&'*+-.^_`|~}, digits and ASCII letters. */
  private static boolean isToken(String s) {
    if (s == null || s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean tchar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!tchar) {
        return false;
      }
    }
    return true;
  }

  private static boolean isValidValue(String s) {
    if (s == null) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\r' || c == '\n' || c == '\0') {
        return false;
      }
    }
    return true;
  }

  private static Set<String> transportHeaders() {
    Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    names.addAll(Set.of("connection", "content-length", "expect", "host", "upgrade", "keep-alive",
        "proxy-connection", "te", "trailer", "transfer-encoding", "http2-settings"));
    return names;
  }
}
