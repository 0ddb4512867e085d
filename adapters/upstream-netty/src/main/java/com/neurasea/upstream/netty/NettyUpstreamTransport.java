package com.neurasea.upstream.netty;

import com.neurasea.model.NeuraSeaException;
import com.neurasea.spi.UpstreamCall;
import com.neurasea.spi.UpstreamHandler;
import com.neurasea.spi.UpstreamRequest;
import com.neurasea.spi.UpstreamTransport;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;

/**
 * An {@link UpstreamTransport} on Netty 4.2 event loops, for hosts whose inbound server runs on Netty
 * too (the gateway's event-loop binding): a request sent from one of the transport's event loops is
 * sent, read and answered on that same loop, over a connection that loop owns, so it never changes
 * threads (see {@code notes/http-performance.md}: thread hand-offs, not I/O, dominate a proxy's CPU).
 *
 * <pre>{@code
 * try (NettyUpstreamTransport upstream = NettyUpstreamTransport.create()) {
 *   // give upstream.eventLoopGroup() to the inbound Netty server, and upstream to the platform
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> The transport runs on an {@link EventLoopGroup}: its own (epoll where the native
 * transport is available, else NIO; one loop per available processor unless {@link
 * Options#eventLoopThreads()} says otherwise), or one the host passes in {@link
 * Options#eventLoopGroup()}. {@link #eventLoopGroup()} returns it, so the host can serve its inbound
 * connections on the same loops. When {@link #send} is called on one of the group's loops, the whole
 * exchange (connecting, writing, reading, timeouts, every {@link UpstreamHandler} call) runs on that
 * loop; from any other thread, {@link #send} picks a loop ({@link EventLoopGroup#next()}) and hands
 * the request to it. The transport's own loop threads ({@code neurasea-netty-io-*}) are not daemon
 * threads, so that an inbound server sharing them keeps the JVM up: close the transport. The handler is therefore always called on one event loop, one call at a time
 * and in order, and must never block: a blocked handler stalls every connection of its loop. Which
 * loop the calling thread is (if any) is looked up once per thread and kept in a {@link
 * FastThreadLocal}.
 *
 * <p><b>Connections.</b> Each event loop keeps its own pool of idle HTTP/1.1 connections per scheme,
 * host and port, touched only by that loop (no locks). A request takes the most recently used idle
 * connection, or opens one; one connection carries one request at a time (no pipelining). When the
 * response ends and both sides allow keep-alive ({@code HttpUtil.isKeepAlive}) the connection goes
 * back to its loop's pool, else it is closed. At most {@link Options#maxIdlePerHost()} idle
 * connections are kept per loop and key (the oldest is closed beyond that), and idle ones close after
 * {@link Options#idleTimeout()} (checked by a sweep every quarter of it) or as soon as the upstream
 * closes them. Host names are resolved by the JVM ({@link java.net.InetAddress}, cached for
 * {@code networkaddress.cache.ttl}, 30 s by default) on the event loop when a connection is opened: a
 * blocking lookup, rare and brief with the cache, never on a reused connection.
 *
 * <p><b>Stale connections.</b> An idle connection the upstream closed is dropped from the pool when
 * the loop notices the close; if a request meets one first (the upstream closed it just as the
 * request went out), and the connection fails or closes before any byte of the response arrived,
 * the request is sent once more on a new connection, whatever its method. HTTP servers close idle
 * keep-alive connections without reading what arrives on them, so this does not repeat work; an
 * upstream that read a request on a reused connection and then closed it without a byte of answer
 * would see it twice.
 *
 * <p><b>TLS and HTTP version.</b> {@code https://} upstreams get TLS through the JDK's {@code SSLEngine}
 * (no native library), with the JDK's default trust store, host name verification and SNI from the
 * URI's host, unless {@link Options#sslContext()} gives another client context. No ALPN is offered:
 * every upstream is spoken to in HTTP/1.1, HTTP/2-capable ones included (they all accept 1.1).
 *
 * <p><b>Timeouts.</b> {@link UpstreamRequest#connectTimeoutMillis()} bounds opening a connection (TCP;
 * {@link java.net.http.HttpConnectTimeoutException}). {@link UpstreamRequest#readTimeoutMillis()}
 * bounds the wait from sending the request (including a TLS handshake) to the response head, and
 * then every silence between two body chunks ({@link java.net.http.HttpTimeoutException}); the
 * connection is then closed. The timer is one scheduled task per request on its loop, re-armed
 * lazily, so a chunk only costs a timestamp.
 *
 * <p><b>Errors.</b> No connection: {@link java.net.ConnectException} (refused, unknown host, ...).
 * The connection broke or the response was malformed: {@link IOException}. A handler method that
 * throws ends the exchange: the connection is closed and the handler's {@link
 * UpstreamHandler#onError} gets the exception it threw ({@code onComplete} or {@code onError}
 * throwing is only logged).
 *
 * <p><b>Requests.</b> HTTP/1.1 with the URI's path and query, {@code Host} from the URI, {@code
 * Content-Length} when there is a body (or the method is {@code POST}, {@code PUT} or {@code PATCH}),
 * and the request's headers except those the transport computes or that are hop-by-hop, which are
 * skipped without error ({@link UpstreamRequest#isTransportHeader}: {@code Host}, {@code
 * Content-Length}, {@code Connection}, {@code Expect}, {@code Upgrade}, {@code Keep-Alive}, {@code
 * Proxy-Connection}, {@code TE}, {@code Trailer}, {@code Transfer-Encoding}, {@code HTTP2-Settings}).
 * The response body is passed on as it came (no decompression). {@link UpstreamRequest} itself
 * refuses a scheme other than {@code http}/{@code https}, a URI without a host, a method or header
 * name that is no token and a header value with CR, LF or NUL; a header value Netty's validation
 * refuses beyond that (another control character) makes {@link #send} throw an {@link
 * IllegalArgumentException} before anything is sent or called.
 *
 * <p><b>Cancelling.</b> {@link UpstreamCall#cancel()} works from any thread: no handler call starts
 * after it returns (one already running on the loop finishes), and the loop then closes the
 * connection, so the upstream sees the client go away.
 *
 * <p><b>Closing.</b> {@link #close()} ends the exchanges in flight with {@link UpstreamHandler#onError}
 * (an {@link IOException}), closes the pooled connections and, only if the transport created its
 * group, shuts the group down — and with it any inbound server sharing it, so close such a server
 * first. A group passed in {@link Options} stays up: it is the host's. Later {@link #send} calls throw
 * {@link IllegalStateException}.
 */
public final class NettyUpstreamTransport implements UpstreamTransport {
  /** The name the transport and its provider go by. */
  public static final String NAME = "netty";

  /** Validates header names and values again (no control characters), beyond {@link UpstreamRequest}'s checks. */
  private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory()
      .withValidation(true).withValueValidation(true);

  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final boolean epoll;
  private final Options options;
  private final SslContext sslContext;
  private final LoopPool[] pools;
  private final Map<EventExecutor, LoopPool> poolsByLoop;
  /** The calling thread's loop pool, or null for a thread that is none of the group's loops. */
  private final FastThreadLocal<LoopPool> currentPool = new FastThreadLocal<>() {
    @Override
    protected LoopPool initialValue() {
      for (LoopPool pool : pools) {
        if (pool.loop.inEventLoop()) {
          return pool;
        }
      }
      return null;
    }
  };
  private final AtomicBoolean closed = new AtomicBoolean();

  private NettyUpstreamTransport(Options options) {
    this.options = options;
    if (options.eventLoopGroup() != null) {
      group = options.eventLoopGroup();
      ownsGroup = false;
      epoll = usesEpoll(group);
    } else {
      epoll = options.nativeTransport() && Epoll.isAvailable();
      IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
      int threads = options.eventLoopThreads() > 0 ? options.eventLoopThreads()
          : Runtime.getRuntime().availableProcessors();
      group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("neurasea-netty-io"), io);
      ownsGroup = true;
    }
    try {
      sslContext = options.sslContext() != null ? options.sslContext() : defaultSslContext();
      Class<? extends SocketChannel> channelType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
      List<LoopPool> list = new ArrayList<>();
      poolsByLoop = new IdentityHashMap<>();
      for (EventExecutor executor : group) {
        if (!(executor instanceof EventLoop loop)) {
          throw new IllegalArgumentException("the event loop group holds an executor that is no event loop");
        }
        LoopPool pool = new LoopPool(this, loop, channelType);
        list.add(pool);
        poolsByLoop.put(loop, pool);
      }
      if (list.isEmpty()) {
        throw new IllegalArgumentException("the event loop group has no event loops");
      }
      pools = list.toArray(new LoopPool[0]);
    } catch (RuntimeException e) {
      if (ownsGroup) {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      }
      throw e;
    }
  }

  /** Creates a transport with its own event loops ({@link Options#DEFAULT}). */
  public static NettyUpstreamTransport create() {
    return new NettyUpstreamTransport(Options.DEFAULT);
  }

  /**
   * Creates a transport.
   *
   * @param options its event loops, pool and TLS settings
   * @return a new transport, owned by the caller
   * @throws IllegalArgumentException if {@link Options#eventLoopGroup()} is neither an epoll nor a NIO
   *     group
   */
  public static NettyUpstreamTransport create(Options options) {
    return new NettyUpstreamTransport(Objects.requireNonNull(options, "options"));
  }

  /**
   * The event loops the transport runs on; give them to an inbound Netty server so that requests it
   * receives are sent upstream on the loop that received them. The transport shuts them down on
   * {@link #close()} only if it created them.
   */
  public EventLoopGroup eventLoopGroup() {
    return group;
  }

  /** The socket transport in use: {@code epoll} or {@code nio}. */
  public String socketTransport() {
    return epoll ? "epoll" : "nio";
  }

  /** Returns the options the transport was created with. */
  public Options options() {
    return options;
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if Netty refuses a header value {@link UpstreamRequest} let
   *     through (see the class comment); nothing was sent and the handler was not called
   * @throws IllegalStateException if the transport is closed
   */
  @Override
  public UpstreamCall send(UpstreamRequest request, UpstreamHandler handler) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(handler, "handler");
    if (closed.get()) {
      throw new IllegalStateException("the " + NAME + " upstream transport is closed");
    }
    // UpstreamRequest checked the scheme (http or https), the host, the method and the header names and values.
    URI uri = request.uri();
    boolean https = "https".equalsIgnoreCase(uri.getScheme());
    String uriHost = uri.getHost();
    String host = uriHost.startsWith("[") && uriHost.endsWith("]")
        ? uriHost.substring(1, uriHost.length() - 1) // IPv6 literal
        : uriHost;
    int defaultPort = https ? 443 : 80;
    int port = uri.getPort() < 0 ? defaultPort : uri.getPort();
    HttpMethod method = HttpMethod.valueOf(request.method());
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path = path + "?" + uri.getRawQuery();
    }
    HttpHeaders headers = HEADERS.newHeaders();
    headers.set(HttpHeaderNames.HOST, port == defaultPort ? uriHost : uriHost + ":" + port);
    for (Map.Entry<String, String> header : request.headers().entrySet()) {
      if (!UpstreamRequest.isTransportHeader(header.getKey())) {
        headers.add(header.getKey(), header.getValue()); // validates the value again (control characters)
      }
    }
    byte[] body = request.body();
    if (body.length > 0 || method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH) {
      headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    }
    String key = (https ? "https://" : "http://") + host + ":" + port;

    LoopPool pool = currentPool.get();
    NettyCall call;
    if (pool != null) {
      call = new NettyCall(pool, handler, method, path, headers, body, https, host, port, key, request);
      call.start();
      return call;
    }
    pool = poolFor(group.next());
    call = new NettyCall(pool, handler, method, path, headers, body, https, host, port, key, request);
    try {
      pool.loop.execute(call::start);
    } catch (RejectedExecutionException e) {
      // The group was shut down (by the host, when it owns it): nothing was sent.
      call.rejected(closedException());
    }
    return call;
  }

  /**
   * Ends the exchanges in flight with an error, closes the pooled connections and, if the transport
   * created its event loops, shuts them down; idempotent. Waits (a few seconds at most) for that
   * unless it is called on one of the loops.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    boolean onLoop = currentPool.get() != null;
    currentPool.remove();
    List<Future<?>> pending = new ArrayList<>();
    for (LoopPool pool : pools) {
      if (pool.loop.inEventLoop()) {
        pool.close(closedException());
        continue;
      }
      try {
        pending.add(pool.loop.submit(() -> {
          pool.close(closedException());
          currentPool.remove();
        }));
      } catch (RejectedExecutionException e) {
        // the group is already shut down: its channels are closed with it
      }
    }
    if (!onLoop) {
      for (Future<?> f : pending) {
        f.awaitUninterruptibly(2, TimeUnit.SECONDS);
      }
    }
    if (ownsGroup) {
      Future<?> terminated = group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
      if (!onLoop) {
        terminated.awaitUninterruptibly(5, TimeUnit.SECONDS);
      }
    }
  }

  boolean isClosed() {
    return closed.get();
  }

  SslContext sslContext() {
    return sslContext;
  }

  static IOException closedException() {
    return new IOException("the " + NAME + " upstream transport is closed");
  }

  private LoopPool poolFor(EventExecutor loop) {
    LoopPool pool = poolsByLoop.get(loop);
    return pool != null ? pool : pools[0]; // a group whose next() is not among its iterated loops
  }

  /** Whether a host's group runs epoll (else it must be NIO: the channel type must match). */
  private static boolean usesEpoll(EventLoopGroup group) {
    EventExecutor first = group.iterator().hasNext() ? group.iterator().next() : null;
    if (first instanceof IoEventLoop loop) {
      if (loop.isIoType(EpollIoHandler.class)) {
        return true;
      }
      if (loop.isIoType(NioIoHandler.class)) {
        return false;
      }
    }
    throw new IllegalArgumentException("the event loop group must be a MultiThreadIoEventLoopGroup with the "
        + "epoll or the NIO I/O handler");
  }

  private static SslContext defaultSslContext() {
    try {
      return SslContextBuilder.forClient()
          .sslProvider(SslProvider.JDK)
          .endpointIdentificationAlgorithm("HTTPS")
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("the JDK's TLS client context could not be created", e);
    }
  }

  /**
   * How the transport runs.
   *
   * @param eventLoopThreads the number of event loops the transport creates; 0 for one per available
   *     processor (ignored with {@link #eventLoopGroup()})
   * @param nativeTransport use epoll where it is available (true), or always NIO (ignored with
   *     {@link #eventLoopGroup()})
   * @param eventLoopGroup the host's event loops (a {@code MultiThreadIoEventLoopGroup} with the epoll
   *     or NIO handler), which the transport then uses and never shuts down; null for its own
   * @param maxIdlePerHost the most idle connections kept per event loop and scheme, host and port; 0
   *     for none (every connection closes after its response)
   * @param idleTimeout how long an idle pooled connection is kept
   * @param sslContext the TLS client context for {@code https://} upstreams (a custom trust store,
   *     client certificates); null for the JDK's defaults. It must not offer ALPN h2: the transport
   *     speaks HTTP/1.1 only
   */
  public record Options(int eventLoopThreads, boolean nativeTransport, EventLoopGroup eventLoopGroup,
      int maxIdlePerHost, Duration idleTimeout, SslContext sslContext) {
    /** Own loops (one per processor, epoll where available), 64 idle connections per host and loop, 60 s. */
    public static final Options DEFAULT = new Options(0, true, null, 64, Duration.ofSeconds(60), null);

    /** Checks the figures. */
    public Options {
      if (eventLoopThreads < 0 || eventLoopThreads > 1_024) {
        throw NeuraSeaException.invalid("eventLoopThreads", "must be 0 to 1024");
      }
      if (maxIdlePerHost < 0) {
        throw NeuraSeaException.invalid("maxIdlePerHost", "must not be negative");
      }
      Objects.requireNonNull(idleTimeout, "idleTimeout");
      if (idleTimeout.isNegative() || idleTimeout.isZero()) {
        throw NeuraSeaException.invalid("idleTimeout", "must be positive");
      }
      if (sslContext != null && !sslContext.isClient()) {
        throw NeuraSeaException.invalid("sslContext", "must be a client context");
      }
    }

    /** A copy with this many event loops of its own (0: one per available processor). */
    public Options withEventLoopThreads(int threads) {
      return new Options(threads, nativeTransport, eventLoopGroup, maxIdlePerHost, idleTimeout, sslContext);
    }

    /** A copy that uses epoll where available (true) or always NIO (false) for its own loops. */
    public Options withNativeTransport(boolean on) {
      return new Options(eventLoopThreads, on, eventLoopGroup, maxIdlePerHost, idleTimeout, sslContext);
    }

    /** A copy that runs on the host's event loops (null: its own), which it never shuts down. */
    public Options withEventLoopGroup(EventLoopGroup group) {
      return new Options(eventLoopThreads, nativeTransport, group, maxIdlePerHost, idleTimeout, sslContext);
    }

    /** A copy that keeps at most this many idle connections per event loop and upstream. */
    public Options withMaxIdlePerHost(int max) {
      return new Options(eventLoopThreads, nativeTransport, eventLoopGroup, max, idleTimeout, sslContext);
    }

    /** A copy that closes idle pooled connections after {@code timeout}. */
    public Options withIdleTimeout(Duration timeout) {
      return new Options(eventLoopThreads, nativeTransport, eventLoopGroup, maxIdlePerHost, timeout, sslContext);
    }

    /** A copy with another TLS client context (null: the JDK's defaults). */
    public Options withSslContext(SslContext context) {
      return new Options(eventLoopThreads, nativeTransport, eventLoopGroup, maxIdlePerHost, idleTimeout, context);
    }
  }
}
