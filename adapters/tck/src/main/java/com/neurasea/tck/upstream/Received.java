package com.neurasea.tck.upstream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A request that reached {@link FakeUpstream}, as it arrived.
 *
 * @param method the HTTP method, such as {@code POST}
 * @param target the path and query, such as {@code /openai/deployments/d/chat/completions?api-version=1}
 * @param headers the headers, names in lower case, repeated headers joined with {@code ", "}
 * @param body the body as UTF-8 text ({@code ""} when there was none)
 */
public record Received(String method, String target, Map<String, String> headers, String body) {

  public Received {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(target, "target");
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    body = body == null ? "" : body;
  }

  /** The path, without the query. */
  public String path() {
    int q = target.indexOf('?');
    return q < 0 ? target : target.substring(0, q);
  }

  /** The raw query (without {@code ?}), or {@code ""}. */
  public String query() {
    int q = target.indexOf('?');
    return q < 0 ? "" : target.substring(q + 1);
  }

  /** A header's value (name in any case), or null. */
  public String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  /** The body parsed as JSON; throws {@link IllegalStateException} if it is not JSON. */
  public JsonNode json() {
    try {
      return FakeReplies.JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the request body is not JSON: " + body, e);
    }
  }
}
