package com.neurasea.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One row of the routing table: an HTTP method, a path template such as
 * {@code /admin/v1/tenants/{tenantId}/users/{userId}}, the status of a successful answer, the type
 * of the JSON request body (null for none) and whether it may be left out, whether credentials are
 * required, and the handler.
 * The table is data so that tests can hold it against the OpenAPI document.
 */
final class Route {
  /** Does the work of a route; returns the response body, or null for 204. */
  @FunctionalInterface
  interface Handler {
    /**
     * Handles one call.
     *
     * @param call the request, its caller and parameters
     * @return the response body, or null when the route answers 204
     */
    Object handle(ApiCall call);
  }

  private final String method;
  private final String path;
  private final int status;
  private final Class<?> requestBody;
  private final boolean bodyOptional;
  private final boolean authenticated;
  private final Handler handler;
  private final String[] segments;

  private Route(String method, String path, int status, Class<?> requestBody, boolean authenticated,
      Handler handler) {
    this(method, path, status, requestBody, false, authenticated, handler);
  }

  private Route(String method, String path, int status, Class<?> requestBody, boolean bodyOptional,
      boolean authenticated, Handler handler) {
    this.method = Objects.requireNonNull(method, "method");
    this.path = Objects.requireNonNull(path, "path");
    this.status = status;
    this.requestBody = requestBody;
    this.bodyOptional = bodyOptional;
    this.authenticated = authenticated;
    this.handler = Objects.requireNonNull(handler, "handler");
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("a path template starts with '/': " + path);
    }
    this.segments = path.substring(1).split("/", -1);
  }

  /** A GET answering 200. */
  static Route get(String path, Handler handler) {
    return new Route("GET", path, 200, null, true, handler);
  }

  /** A GET that needs no credentials. */
  static Route open(String path, Handler handler) {
    return new Route("GET", path, 200, null, false, handler);
  }

  /** A POST with a JSON body. */
  static Route post(String path, int status, Class<?> body, Handler handler) {
    return new Route("POST", path, status, body, true, handler);
  }

  /** A POST whose JSON body may be left out (the handler then sees a null body). */
  static Route postOptionalBody(String path, int status, Class<?> body, Handler handler) {
    return new Route("POST", path, status, Objects.requireNonNull(body, "body"), true, true, handler);
  }

  /** A PUT with a JSON body, or without one when {@code body} is null. */
  static Route put(String path, int status, Class<?> body, Handler handler) {
    return new Route("PUT", path, status, body, true, handler);
  }

  /** A PATCH with a JSON body answering 200. */
  static Route patch(String path, Class<?> body, Handler handler) {
    return new Route("PATCH", path, 200, body, true, handler);
  }

  /** A DELETE without a body. */
  static Route delete(String path, int status, Handler handler) {
    return new Route("DELETE", path, status, null, true, handler);
  }

  String method() {
    return method;
  }

  String path() {
    return path;
  }

  int status() {
    return status;
  }

  Class<?> requestBody() {
    return requestBody;
  }

  /** Whether an empty request body is accepted in place of the JSON one. */
  boolean bodyOptional() {
    return bodyOptional;
  }

  boolean authenticated() {
    return authenticated;
  }

  Handler handler() {
    return handler;
  }

  /** The names of the template's parameters in order. */
  List<String> parameterNames() {
    List<String> names = new ArrayList<>();
    for (String segment : segments) {
      if (isParameter(segment)) {
        names.add(segment.substring(1, segment.length() - 1));
      }
    }
    return names;
  }

  /**
   * Matches a decoded request path.
   *
   * @return the path parameters, or null when the path does not fit the template
   */
  Map<String, String> match(String requestPath) {
    if (!requestPath.startsWith("/")) {
      return null;
    }
    String[] parts = requestPath.substring(1).split("/", -1);
    if (parts.length != segments.length) {
      return null;
    }
    Map<String, String> parameters = new HashMap<>();
    for (int i = 0; i < parts.length; i++) {
      if (isParameter(segments[i])) {
        if (parts[i].isEmpty()) {
          return null;
        }
        parameters.put(segments[i].substring(1, segments[i].length() - 1), parts[i]);
      } else if (!segments[i].equals(parts[i])) {
        return null;
      }
    }
    return parameters;
  }

  private static boolean isParameter(String segment) {
    return segment.length() > 2 && segment.startsWith("{") && segment.endsWith("}");
  }

  @Override
  public String toString() {
    return method + " " + path;
  }
}
