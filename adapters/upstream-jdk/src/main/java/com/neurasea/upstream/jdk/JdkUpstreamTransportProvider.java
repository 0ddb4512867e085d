package com.neurasea.upstream.jdk;

import com.neurasea.spi.UpstreamTransport;
import com.neurasea.spi.UpstreamTransportProvider;
import java.util.Map;

/**
 * Creates the {@link JdkUpstreamTransport} by the name {@code jdk}. No setting is required; the one
 * known setting is {@code http2} ({@code true}, the default, or {@code false}: see {@link
 * JdkUpstreamTransport.Settings}). Unknown settings are refused with {@code INVALID_ARGUMENT}.
 */
public final class JdkUpstreamTransportProvider implements UpstreamTransportProvider {
  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public JdkUpstreamTransportProvider() {}

  @Override
  public String name() {
    return JdkUpstreamTransport.NAME;
  }

  @Override
  public UpstreamTransport create(Map<String, String> settings) {
    return JdkUpstreamTransport.create(settings);
  }
}
