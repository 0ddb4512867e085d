package com.neurasea.spi;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * Receives one upstream response as it arrives. A transport calls these methods one at a time, in
 * order: {@link #onResponse} once, then {@link #onBody} zero or more times, then exactly one of
 * {@link #onComplete} or {@link #onError} (or {@link #onError} alone when no response came). After
 * {@link UpstreamCall#cancel()} a transport may stop calling at all.
 */
public interface UpstreamHandler {
  /**
   * The response head.
   *
   * @param status the HTTP status
   * @param headers response headers by lower-case name
   */
  void onResponse(int status, Map<String, List<String>> headers);

  /** The next piece of the body; the buffer is only valid during the call. */
  void onBody(ByteBuffer chunk);

  /** The body ended normally. */
  void onComplete();

  /**
   * The exchange failed: no connection ({@link java.net.ConnectException}), a timeout
   * ({@link java.net.http.HttpTimeoutException} or another {@link java.io.InterruptedIOException}), or the
   * connection broke ({@link java.io.IOException}).
   */
  void onError(Throwable error);
}
