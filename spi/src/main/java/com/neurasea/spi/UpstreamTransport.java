package com.neurasea.spi;

/**
 * Sends requests to upstream model providers. Implementations reuse connections, must never block
 * the calling thread on the network, and deliver the response to the handler as it arrives (streamed
 * responses chunk by chunk, never buffered whole).
 */
public interface UpstreamTransport extends AutoCloseable {
  /** A short name, such as {@code jdk}. */
  String name();

  /**
   * Starts a request.
   *
   * @param request what to send
   * @param handler receives the response; may be called on the transport's threads, or on the
   *     caller's before this method returns
   * @return the call, to cancel it
   */
  UpstreamCall send(UpstreamRequest request, UpstreamHandler handler);

  /** Releases connections and threads. */
  @Override
  void close();
}
