package com.neurasea.routing;

import java.util.Map;

/**
 * Where the gateway writes a response; implemented by each host binding. The gateway calls either
 * {@link #sendFull} once, or {@link #startStream}, then {@link #sendEvent} any number of times, then
 * {@link #endStream} once. Calls for one request never overlap but may come from any thread (the
 * upstream transport's among them), so implementations must not block for long: queue the bytes and
 * let the server write them.
 */
public interface GatewayResponder {
  /**
   * A complete JSON response.
   *
   * @param status the HTTP status
   * @param headers extra headers ({@code Retry-After}, {@code x-request-id}, …)
   * @param body the JSON body
   */
  void sendFull(int status, Map<String, String> headers, byte[] body);

  /** Starts a {@code text/event-stream} response with status 200. */
  void startStream(Map<String, String> headers);

  /** One or more whole Server-Sent Events, to be flushed to the client now. */
  void sendEvent(byte[] bytes);

  /** Ends the stream. */
  void endStream();
}
