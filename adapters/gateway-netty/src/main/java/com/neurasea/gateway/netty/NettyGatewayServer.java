package com.neurasea.gateway.netty;

import com.neurasea.NeuraSea;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.routing.Gateway;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event-loop binding of the OpenAI-compatible gateway ({@link Gateway}): a standalone HTTP/1.1
 * server on Netty serving {@code POST /v1/chat/completions}, {@code /v1/completions},
 * {@code /v1/embeddings} and {@code GET /v1/models}. It uses epoll where the native transport is
 * available and NIO elsewhere.
 *
 * <pre>{@code
 * try (NeuraSea platform = NeuraSea.builder()...build();
 *      NettyGatewayServer server = NettyGatewayServer.start(platform, "0.0.0.0", 8080)) {
 *   ...
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> Each connection belongs to one event loop. The request body is read there
 * (a body over {@link com.neurasea.routing.GatewaySettings#maxRequestBytes()} is answered 413 in
 * the gateway's error shape as soon as its {@code Content-Length} shows it, or as soon as a chunked
 * body passes the limit, and the rest is read and dropped so the connection stays usable), and
 * {@link Gateway#handle} runs there too unless {@link Options#handlerExecutor()} names another
 * executor. The gateway answers from whichever thread it likes; every write hops to the
 * connection's event loop, so the bytes of one response keep their order. Nothing blocks a loop.
 *
 * <p><b>Keep-alive and pipelining.</b> Connections are kept open as HTTP/1.1 (and HTTP/1.0 with
 * {@code Connection: keep-alive}) asks; {@code Connection: close} closes the connection after the
 * response. A request that arrives while the previous one is still being answered (pipelining) is
 * held, and the connection stops reading, until that answer is out; it is then served in order.
 * While a request is in flight and nothing is pipelined the connection keeps reading, so a client
 * that goes away is noticed at once: its request is cancelled ({@link com.neurasea.routing.GatewayCall#cancel()})
 * and settled by the gateway's disconnect policy. Connections with no request in flight close after
 * {@link Options#idleTimeout()} of silence.
 *
 * <p><b>Back-pressure.</b> The gateway pushes a stream as the upstream delivers it and offers no way
 * to pause the upstream, so events for a slow reader are queued in the connection's outbound buffer
 * (they are small, and a stream ends after at most its {@code max_tokens}); nothing is dropped.
 *
 * <p><b>Client address.</b> The connection's remote address, as the servlet binding records it;
 * {@code X-Forwarded-For} is not trusted.
 *
 * <p>{@link #close()} stops accepting, closes every connection (cancelling requests in flight) and
 * stops the event loops. The platform stays open: it is the host's to close.
 */
public final class NettyGatewayServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NettyGatewayServer.class);
  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final Channel server;
  private final int port;
  private final String transport;
  private boolean closed;

  private NettyGatewayServer(EventLoopGroup group, boolean ownsGroup, Channel server, String transport) {
    this.group = group;
    this.ownsGroup = ownsGroup;
    this.server = server;
    this.port = ((InetSocketAddress) server.localAddress()).getPort();
    this.transport = transport;
  }

  /**
   * Serves a platform's gateway with the default {@link Options}.
   *
   * @param platform the platform whose gateway is served
   * @param host the address to listen on ({@code 0.0.0.0} for all, {@code 127.0.0.1} for loopback)
   * @param port the port, 0 for any free one ({@link #port()} tells which)
   * @return the running server
   * @throws IllegalStateException when the address cannot be bound
   */
  public static NettyGatewayServer start(NeuraSea platform, String host, int port) {
    return start(platform, host, port, Options.DEFAULT);
  }

  /**
   * Serves a platform's gateway.
   *
   * @param platform the platform whose gateway is served
   * @param host the address to listen on
   * @param port the port, 0 for any free one
   * @param options threads, transport, idle timeout and what serves paths outside {@code /v1/}
   * @return the running server
   * @throws IllegalStateException when the address cannot be bound
   */
  public static NettyGatewayServer start(NeuraSea platform, String host, int port, Options options) {
    Objects.requireNonNull(platform, "platform");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(options, "options");
    if (port < 0 || port > 65_535) {
      throw NeuraSeaException.invalid("port", "must be 0 to 65535");
    }
    Gateway gateway = platform.gateway();
    EventLoopGroup shared = options.eventLoopGroup();
    boolean epoll = shared != null
        ? shared.next() instanceof io.netty.channel.IoEventLoop loop && loop.isIoType(EpollIoHandler.class)
        : options.nativeTransport() && Epoll.isAvailable();
    Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class
        : NioServerSocketChannel.class;
    int threads = options.eventLoopThreads() > 0 ? options.eventLoopThreads()
        : Runtime.getRuntime().availableProcessors();
    EventLoopGroup group;
    if (shared != null) {
      group = shared;
    } else {
      IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
      group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("neurasea-gateway-io"), io);
    }
    long idleMillis = options.idleTimeout().toMillis();
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(group)
        .channel(channelType)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            if (idleMillis > 0) {
              channel.pipeline().addLast("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
            }
            channel.pipeline().addLast("http", new HttpServerCodec());
            channel.pipeline().addLast("gateway", new GatewayHandler(gateway, options));
          }
        });
    ChannelFuture bound = bootstrap.bind(host, port).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      if (shared == null) {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      }
      throw new IllegalStateException("the gateway could not listen on " + host + ":" + port, bound.cause());
    }
    NettyGatewayServer server = new NettyGatewayServer(group, shared == null, bound.channel(), epoll ? "epoll" : "nio");
    LOG.info("gateway listening on {}:{} ({}, {} event loops)", host, server.port, server.transport, threads);
    return server;
  }

  /** The port the server listens on. */
  public int port() {
    return port;
  }

  /** The transport in use: {@code epoll} or {@code nio}. */
  public String transport() {
    return transport;
  }

  /** Stops accepting, closes the connections (cancelling requests in flight) and stops the event loops. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.close().awaitUninterruptibly();
    if (ownsGroup) {
      group.shutdownGracefully(20, 5_000, TimeUnit.MILLISECONDS).awaitUninterruptibly();
    }
  }

  /**
   * Serves the requests outside {@code /v1/} (an admin API, a health check) on the gateway's port.
   */
  @FunctionalInterface
  public interface Fallback {
    /**
     * Serves one request. Runs where {@link Gateway#handle} runs (the connection's event loop unless
     * a {@link Options#handlerExecutor()} is set), so it must not block: hand slow work to another
     * thread and reply from there.
     *
     * @param request the whole request; its content is an unpooled heap buffer that needs no release
     *     and stays valid after this method returns
     * @param clientIp the client's address
     * @param reply takes the response, exactly once, from any thread; the binding sets
     *     {@code Content-Length} when it is missing and the {@code Connection} header, and releases it
     */
    void serve(FullHttpRequest request, String clientIp, Consumer<FullHttpResponse> reply);
  }

  /**
   * How the server runs.
   *
   * @param eventLoopThreads the number of event loops; 0 for one per available processor
   * @param nativeTransport use epoll where it is available (true), or always NIO
   * @param idleTimeout how long a connection with no request in flight may stay silent before it is
   *     closed; zero for never
   * @param handlerExecutor where {@link Gateway#handle}, {@link Gateway#models} and the fallback run;
   *     null for the connection's event loop (fastest: the gateway's request path works from memory,
   *     reading the store only on a cache miss — a host whose store is remote and slow may prefer
   *     an executor)
   * @param adminFallback what serves paths outside {@code /v1/}, or null to answer them 404
   * @param eventLoopGroup event loops to serve on instead of the server's own (the upstream transport's,
   *     so that a request and its upstream call share one thread); the host keeps owning it, and
   *     {@code eventLoopThreads} and {@code nativeTransport} are then ignored
   */
  public record Options(int eventLoopThreads, boolean nativeTransport, Duration idleTimeout, Executor handlerExecutor,
      Fallback adminFallback, EventLoopGroup eventLoopGroup) {
    /** One event loop per processor, epoll where available, two minutes' idle timeout, no fallback. */
    public static final Options DEFAULT = new Options(0, true, Duration.ofMinutes(2), null, null, null);

    /** Checks the figures. */
    public Options {
      if (eventLoopThreads < 0 || eventLoopThreads > 1_024) {
        throw NeuraSeaException.invalid("eventLoopThreads", "must be 0 to 1024");
      }
      Objects.requireNonNull(idleTimeout, "idleTimeout");
      if (idleTimeout.isNegative()) {
        throw NeuraSeaException.invalid("idleTimeout", "must not be negative");
      }
    }

    /** A copy with this many event loops (0: one per available processor). */
    public Options withEventLoopThreads(int threads) {
      return new Options(threads, nativeTransport, idleTimeout, handlerExecutor, adminFallback, eventLoopGroup);
    }

    /** A copy that uses epoll where available (true) or always NIO (false). */
    public Options withNativeTransport(boolean on) {
      return new Options(eventLoopThreads, on, idleTimeout, handlerExecutor, adminFallback, eventLoopGroup);
    }

    /** A copy with another idle timeout (zero: never). */
    public Options withIdleTimeout(Duration timeout) {
      return new Options(eventLoopThreads, nativeTransport, timeout, handlerExecutor, adminFallback, eventLoopGroup);
    }

    /** A copy that runs the gateway's request handling on {@code executor} (null: on the event loop). */
    public Options withHandlerExecutor(Executor executor) {
      return new Options(eventLoopThreads, nativeTransport, idleTimeout, executor, adminFallback, eventLoopGroup);
    }

    /**
     * A copy serving on the given event loops (the upstream transport's: a request and its upstream
     * call then never leave one thread). Null: the server's own.
     */
    public Options withEventLoopGroup(EventLoopGroup shared) {
      return new Options(eventLoopThreads, nativeTransport, idleTimeout, handlerExecutor, adminFallback, shared);
    }

    /** A copy that hands paths outside {@code /v1/} to {@code fallback} (null: 404). */
    public Options withAdminFallback(Fallback fallback) {
      return new Options(eventLoopThreads, nativeTransport, idleTimeout, handlerExecutor, fallback, eventLoopGroup);
    }
  }
}
