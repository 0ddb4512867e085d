package com.neurasea.upstream.netty;

import com.neurasea.model.NeuraSeaException;
import com.neurasea.spi.UpstreamTransport;
import com.neurasea.spi.UpstreamTransportProvider;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Creates a {@link NettyUpstreamTransport} with its own event loops by the name {@code netty}. No
 * setting is required; the known settings are {@code threads} (the number of event loops, an integer
 * from 0 to 1024; 0, the default, for one per available processor) and {@code native} ({@code true},
 * the default: epoll where available; {@code false}: always NIO). Unknown settings and bad values are
 * refused with {@code INVALID_ARGUMENT} naming the key.
 *
 * <p>A host that wants its inbound Netty server on the transport's loops creates the transport itself
 * ({@link NettyUpstreamTransport#create(NettyUpstreamTransport.Options)}) and shares {@link
 * NettyUpstreamTransport#eventLoopGroup()}.
 */
public final class NettyUpstreamTransportProvider implements UpstreamTransportProvider {
  /** The keys {@link #create(Map)} knows. */
  public static final Set<String> KEYS = Set.of("threads", "native");

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public NettyUpstreamTransportProvider() {}

  @Override
  public String name() {
    return NettyUpstreamTransport.NAME;
  }

  @Override
  public UpstreamTransport create(Map<String, String> settings) {
    return NettyUpstreamTransport.create(options(settings));
  }

  /**
   * Reads settings given as text.
   *
   * @param settings the settings; null or empty for the defaults
   * @return the options they describe
   * @throws NeuraSeaException {@code INVALID_ARGUMENT} naming an unknown key or a bad value
   */
  public static NettyUpstreamTransport.Options options(Map<String, String> settings) {
    NettyUpstreamTransport.Options options = NettyUpstreamTransport.Options.DEFAULT;
    if (settings == null || settings.isEmpty()) {
      return options;
    }
    Set<String> unknown = new TreeSet<>(settings.keySet());
    unknown.removeAll(KEYS);
    if (!unknown.isEmpty()) {
      throw NeuraSeaException.invalid(unknown.iterator().next(), "unknown setting of the "
          + NettyUpstreamTransport.NAME + " upstream transport; known settings are " + new TreeSet<>(KEYS));
    }
    String threads = settings.get("threads");
    if (threads != null) {
      int n;
      try {
        n = Integer.parseInt(threads.trim());
      } catch (NumberFormatException e) {
        throw NeuraSeaException.invalid("threads", "must be an integer from 0 to 1024");
      }
      if (n < 0 || n > 1_024) {
        throw NeuraSeaException.invalid("threads", "must be an integer from 0 to 1024");
      }
      options = options.withEventLoopThreads(n);
    }
    String nativeTransport = settings.get("native");
    if (nativeTransport != null) {
      String v = nativeTransport.trim().toLowerCase(Locale.ROOT);
      if (v.equals("true")) {
        options = options.withNativeTransport(true);
      } else if (v.equals("false")) {
        options = options.withNativeTransport(false);
      } else {
        throw NeuraSeaException.invalid("native", "must be true or false");
      }
    }
    return options;
  }
}
