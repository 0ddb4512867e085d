package com.neurasea.spi;

import java.util.Map;

/**
 * Creates an {@link UpstreamTransport}; found with {@link java.util.ServiceLoader} when a host asks the
 * builder to discover adapters.
 */
public interface UpstreamTransportProvider {
  /** The transport's name, such as {@code jdk}. */
  String name();

  /**
   * Creates a transport.
   *
   * @param settings adapter-specific settings; unknown keys are refused with {@code INVALID_ARGUMENT}
   * @return a new transport, owned by the caller
   */
  UpstreamTransport create(Map<String, String> settings);
}
