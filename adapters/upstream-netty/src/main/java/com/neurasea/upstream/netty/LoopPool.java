package com.neurasea.upstream.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * What one event loop owns: its idle connections by scheme, host and port, the exchanges in flight
 * on it, and the bootstrap that opens its connections. Only that loop's thread touches it, so
 * nothing here is locked or volatile.
 */
final class LoopPool {
  final NettyUpstreamTransport transport;
  final EventLoop loop;
  private final Bootstrap bootstrap;
  private final int maxIdle;
  private final long idleNanos;
  private final long sweepNanos;
  /** Idle connections by key, least recently released first. */
  private final Map<String, ArrayDeque<Connection>> idle = new HashMap<>();
  private final Set<NettyCall> inFlight = new HashSet<>();
  private boolean sweepScheduled;
  private boolean closed;

  LoopPool(NettyUpstreamTransport transport, EventLoop loop, Class<? extends SocketChannel> channelType) {
    this.transport = transport;
    this.loop = loop;
    NettyUpstreamTransport.Options options = transport.options();
    this.maxIdle = options.maxIdlePerHost();
    this.idleNanos = options.idleTimeout().toNanos();
    this.sweepNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10), idleNanos / 4);
    this.bootstrap = new Bootstrap()
        .group(loop)
        .channel(channelType)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.SO_KEEPALIVE, true);
  }

  boolean isClosed() {
    return closed;
  }

  /** Starts opening a connection for {@code call}; the future's channel has its pipeline set up. */
  ChannelFuture connect(NettyCall call) {
    long timeout = Math.max(1, Math.min(Integer.MAX_VALUE, call.connectTimeoutMillis()));
    // The bootstrap is only used on this loop and connect() reads it before returning.
    bootstrap.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout);
    bootstrap.handler(new ChannelInitializer<SocketChannel>() {
      @Override
      protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        if (call.https()) {
          SslHandler ssl = transport.sslContext().newHandler(channel.alloc(), call.host(), call.port());
          serverName(ssl.engine(), call.host());
          ssl.setHandshakeTimeoutMillis(0); // the request's read timeout covers the handshake
          pipeline.addLast("tls", ssl);
        }
        pipeline.addLast("http", new HttpClientCodec(
            new HttpDecoderConfig().setMaxHeaderSize(32 * 1024), false, false));
        pipeline.addLast("upstream", new Connection(LoopPool.this, channel, call.key()));
      }
    });
    return bootstrap.connect(call.host(), call.port());
  }

  /**
   * Names the host in the handshake (SNI). The JDK does that by itself only for names with a dot;
   * an IP literal is never named.
   */
  private static void serverName(SSLEngine engine, String host) {
    if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
      return;
    }
    SNIHostName name;
    try {
      name = new SNIHostName(host);
    } catch (IllegalArgumentException e) {
      return; // not a name SNI can carry
    }
    SSLParameters parameters = engine.getSSLParameters();
    parameters.setServerNames(List.of(name));
    engine.setSSLParameters(parameters);
  }

  /** Takes the most recently used open idle connection for {@code key}, or null. */
  Connection acquire(String key) {
    ArrayDeque<Connection> connections = idle.get(key);
    if (connections == null) {
      return null;
    }
    Connection c;
    while ((c = connections.pollLast()) != null) {
      if (c.channel.isActive()) {
        return c;
      }
      c.channel.close();
    }
    return null;
  }

  /** Keeps a connection whose exchange ended cleanly for the next request to its upstream. */
  void release(Connection c) {
    if (closed || maxIdle == 0 || !c.channel.isActive()) {
      c.channel.close();
      return;
    }
    ArrayDeque<Connection> connections = idle.computeIfAbsent(c.key, k -> new ArrayDeque<>());
    if (connections.size() >= maxIdle) {
      connections.pollFirst().channel.close();
    }
    c.idleSince = System.nanoTime();
    connections.addLast(c);
    if (!sweepScheduled) {
      scheduleSweep();
    }
  }

  private void scheduleSweep() {
    try {
      loop.schedule(this::sweep, sweepNanos, TimeUnit.NANOSECONDS);
      sweepScheduled = true;
    } catch (RejectedExecutionException e) {
      // the loop is shutting down and closes its connections itself
    }
  }

  /** Forgets an idle connection that closed. */
  void removeIdle(Connection c) {
    ArrayDeque<Connection> connections = idle.get(c.key);
    if (connections != null) {
      connections.remove(c);
    }
  }

  void started(NettyCall call) {
    inFlight.add(call);
  }

  void ended(NettyCall call) {
    inFlight.remove(call);
  }

  /** Closes connections idle for longer than the idle timeout; runs while any are left. */
  private void sweep() {
    sweepScheduled = false;
    if (closed) {
      return;
    }
    long now = System.nanoTime();
    boolean left = false;
    for (ArrayDeque<Connection> connections : idle.values()) {
      Connection oldest;
      while ((oldest = connections.peekFirst()) != null && now - oldest.idleSince >= idleNanos) {
        connections.pollFirst();
        oldest.channel.close();
      }
      left |= !connections.isEmpty();
    }
    if (left) {
      scheduleSweep();
    }
  }

  /** Ends the exchanges in flight with {@code reason} and closes the idle connections. */
  void close(IOException reason) {
    if (closed) {
      return;
    }
    closed = true;
    for (NettyCall call : new ArrayList<>(inFlight)) {
      call.abort(reason);
    }
    inFlight.clear();
    for (ArrayDeque<Connection> connections : idle.values()) {
      for (Connection c : connections) {
        c.channel.close();
      }
    }
    idle.clear();
  }
}
