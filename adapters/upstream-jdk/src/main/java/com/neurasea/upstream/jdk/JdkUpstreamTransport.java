package com.neurasea.upstream.jdk;

import com.neurasea.model.NeuraSeaException;
import com.neurasea.spi.UpstreamCall;
import com.neurasea.spi.UpstreamHandler;
import com.neurasea.spi.UpstreamRequest;
import com.neurasea.spi.UpstreamTransport;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default {@link UpstreamTransport}: the JDK's {@link HttpClient}, no other library.
 *
 * <p><b>Connections.</b> One {@link HttpClient} (and so one connection pool and one selector thread)
 * per distinct connect timeout, because the JDK fixes the connect timeout per client; requests with
 * the same connect timeout share connections. Channels usually share a handful of timeout values.
 * Redirects are never followed: the response, 3xx included, goes to the handler as it came. Proxies
 * follow the JVM's default {@link java.net.ProxySelector} ({@code https.proxyHost}, ...). The pool
 * itself is tuned with the JDK's system properties ({@code jdk.httpclient.connectionPoolSize},
 * {@code jdk.httpclient.keepalive.timeout}).
 *
 * <p><b>HTTP version.</b> {@code https://} upstreams are asked for HTTP/2 (negotiated by ALPN in the
 * TLS handshake, so an HTTP/1.1-only server costs nothing extra and the client falls back to 1.1).
 * {@code http://} upstreams always get HTTP/1.1: asking for HTTP/2 in clear text makes the JDK send
 * an {@code Upgrade: h2c} request first, which most servers ignore and some answer by switching
 * protocols; either way it adds headers and an uncertain code path to every new connection for no
 * gain on loopback or in-cluster links. The {@code http2} setting ({@code false}) forces HTTP/1.1 for
 * {@code https://} too: with HTTP/2 the JDK multiplexes every request to one host over a single
 * connection, which can become the bottleneck at high request rates, and some JDK 17 updates fail
 * requests beyond the server's {@code MAX_CONCURRENT_STREAMS} with "too many concurrent streams".
 *
 * <p><b>Threads.</b> The clients run on a direct executor ({@code Runnable::run}): the JDK's default
 * executor (and the {@code CompletableFuture} default pool on a machine with two cores or fewer)
 * starts or hands off to a thread for every asynchronous step, which measured at a fraction of the
 * throughput (see {@code notes/http-performance.md}). With the direct executor the handler is called
 * on the client's selector thread as data arrives (or, for failures before a response, on the
 * {@code CompletableFuture} default pool, the transport's timer thread, or the caller's thread
 * before {@link #send} returns). Handlers must therefore never block: a blocked handler stalls
 * every connection of that client, and a handler that waits for another upstream response would
 * wait for itself. Calls on one exchange never overlap and keep their order whatever thread they
 * come from; the transport itself never holds a lock while it calls a handler, so a handler may
 * {@link UpstreamCall#cancel() cancel}, {@link #send send} again or {@link #close close} from a
 * callback. The JDK completes every {@code sendAsync} on the {@code CompletableFuture} default pool
 * ({@link java.util.concurrent.ForkJoinPool#commonPool()}); on machines with two cores or fewer that
 * pool starts a thread per task, so hosts there should run with
 * {@code -Djava.util.concurrent.ForkJoinPool.common.parallelism=2} (or more). With the direct executor the
 * JDK starts the exchange on the thread that calls {@link #send}, and resolves the upstream's host
 * name there when it opens a connection (a blocking lookup); the JVM caches lookups
 * ({@code networkaddress.cache.ttl}, 30 s by default), so this blocks rarely and briefly.
 *
 * <p><b>Timeouts.</b> {@link UpstreamRequest#connectTimeoutMillis()} bounds connecting ({@link
 * java.net.http.HttpConnectTimeoutException}). {@link UpstreamRequest#readTimeoutMillis()} is given
 * to the JDK as the request timeout, which it counts from the start of the exchange to the arrival
 * of the response head (so it includes connecting and sending the request), and then, by this
 * transport, as the longest silence between two body chunks while the handler waits for data; both
 * end in {@link java.net.http.HttpTimeoutException}. Body idleness is checked by one daemon timer
 * thread per transport that is re-armed lazily, so a chunk only costs a timestamp.
 *
 * <p><b>Requests.</b> Headers are sent as given, except those the JDK computes or refuses and other
 * hop-by-hop headers, which are skipped without error ({@link UpstreamRequest#isTransportHeader}:
 * {@code Host}, {@code Content-Length}, {@code Connection}, {@code Expect}, {@code Upgrade}, {@code
 * Keep-Alive}, {@code Proxy-Connection}, {@code TE}, {@code Trailer}, {@code Transfer-Encoding},
 * {@code HTTP2-Settings}). {@link UpstreamRequest} itself refuses a scheme other than {@code http}/{@code
 * https}, a URI without a host, a method or header name that is no token and a header value with CR,
 * LF or NUL; what the JDK refuses beyond that (a header value with another control character, the
 * method {@code CONNECT}) makes {@link #send} throw an {@link IllegalArgumentException} before
 * anything is sent or called.
 *
 * <p><b>Cancelling.</b> {@link UpstreamCall#cancel()} stops the exchange and its handler: no call
 * starts after it returns (a call already running on another thread finishes). Over HTTP/1.1 the
 * connection is closed, so the upstream sees the client go away; over HTTP/2 the stream is reset
 * and the connection stays up for other requests.
 *
 * <p><b>Closing.</b> {@link #close()} ends every exchange still in flight with {@link
 * UpstreamHandler#onError} (an {@link IOException}), stops the timer and drops the clients; later
 * {@link #send} calls throw {@link IllegalStateException}. Java 17's {@link HttpClient} cannot be
 * closed: its idle pooled connections and selector thread end when the client is garbage collected.
 * On Java 21 and later the clients are shut down at once.
 */
public final class JdkUpstreamTransport implements UpstreamTransport {
  /** The name the transport and its provider go by. */
  public static final String NAME = "jdk";

  /** Runs the client's tasks on the thread that submits them; see the class comment. */
  private static final Executor DIRECT = Runnable::run;
  /** {@code HttpClient.shutdownNow()} on Java 21 and later, else null. */
  private static final MethodHandle SHUTDOWN_NOW = findShutdownNow();
  private static final AtomicInteger IDS = new AtomicInteger();

  private final Settings settings;
  private final ConcurrentHashMap<Long, HttpClient> clients = new ConcurrentHashMap<>();
  private final ScheduledThreadPoolExecutor timer;
  private final Set<JdkCall> inFlight = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /**
   * The transport's settings.
   *
   * @param http2 whether {@code https://} upstreams are asked for HTTP/2 (the default); {@code
   *     http://} upstreams always get HTTP/1.1
   */
  public record Settings(boolean http2) {
    /** The keys {@link #of(Map)} knows. */
    public static final Set<String> KEYS = Set.of("http2");

    /** The defaults: HTTP/2 for {@code https://}. */
    public static Settings defaults() {
      return new Settings(true);
    }

    /**
     * Reads settings given as text: {@code http2} = {@code true} | {@code false}.
     *
     * @param settings the settings; null or empty for the defaults
     * @return the settings
     * @throws NeuraSeaException {@code INVALID_ARGUMENT} naming an unknown key or a bad value
     */
    public static Settings of(Map<String, String> settings) {
      if (settings == null || settings.isEmpty()) {
        return defaults();
      }
      Set<String> unknown = new TreeSet<>(settings.keySet());
      unknown.removeAll(KEYS);
      if (!unknown.isEmpty()) {
        throw NeuraSeaException.invalid(unknown.iterator().next(),
            "unknown setting of the " + NAME + " upstream transport; known settings are " + new TreeSet<>(KEYS));
      }
      boolean http2 = true;
      String value = settings.get("http2");
      if (value != null) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("true")) {
          http2 = true;
        } else if (v.equals("false")) {
          http2 = false;
        } else {
          throw NeuraSeaException.invalid("http2", "must be true or false");
        }
      }
      return new Settings(http2);
    }
  }

  /** Creates a transport with the default settings. */
  public JdkUpstreamTransport() {
    this(Settings.defaults());
  }

  /**
   * Creates a transport.
   *
   * @param settings its settings
   */
  public JdkUpstreamTransport(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    int id = IDS.incrementAndGet();
    this.timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "neurasea-upstream-jdk-" + id + "-timer");
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
    timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /**
   * Creates a transport from settings given as text (see {@link Settings#of(Map)}).
   *
   * @param settings the settings; null or empty for the defaults
   * @return a new transport, owned by the caller
   * @throws NeuraSeaException {@code INVALID_ARGUMENT} naming an unknown key or a bad value
   */
  public static JdkUpstreamTransport create(Map<String, String> settings) {
    return new JdkUpstreamTransport(Settings.of(settings));
  }

  /** Returns the settings. */
  public Settings settings() {
    return settings;
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if the JDK refuses what {@link UpstreamRequest} let through (see
   *     the class comment); nothing was sent and the handler was not called
   * @throws IllegalStateException if the transport is closed
   */
  @Override
  public UpstreamCall send(UpstreamRequest request, UpstreamHandler handler) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(handler, "handler");
    if (closed) {
      throw new IllegalStateException("the " + NAME + " upstream transport is closed");
    }
    HttpRequest httpRequest = toHttpRequest(request);
    HttpClient client = clients.computeIfAbsent(request.connectTimeoutMillis(), this::newClient);
    JdkCall call = new JdkCall(handler, request.readTimeoutMillis(), timer, inFlight::remove);
    inFlight.add(call);
    if (closed) {
      // close() ran since the check above and may have missed this call.
      call.abort(closedException());
      return call;
    }
    call.start(client, httpRequest);
    return call;
  }

  /** Ends exchanges in flight with an error, stops the timer and drops the clients; idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    IOException reason = closedException();
    for (JdkCall call : inFlight) {
      call.abort(reason);
    }
    for (HttpClient client : clients.values()) {
      shutdownNow(client);
    }
    clients.clear();
    timer.shutdownNow();
  }

  private HttpClient newClient(long connectTimeoutMillis) {
    return HttpClient.newBuilder()
        .connectTimeout(Duration.ofMillis(connectTimeoutMillis))
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(settings.http2() ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
        .executor(DIRECT)
        .build();
  }

  private HttpRequest toHttpRequest(UpstreamRequest request) {
    URI uri = request.uri();
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
        .timeout(Duration.ofMillis(request.readTimeoutMillis()))
        .version(versionFor(uri));
    for (Map.Entry<String, String> header : request.headers().entrySet()) {
      // The record checked names and values; the JDK checks the values again (control characters).
      if (!UpstreamRequest.isTransportHeader(header.getKey())) {
        builder.header(header.getKey(), header.getValue());
      }
    }
    byte[] body = request.body();
    builder.method(request.method(),
        body.length == 0 ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body));
    return builder.build();
  }

  private HttpClient.Version versionFor(URI uri) {
    return settings.http2() && "https".equalsIgnoreCase(uri.getScheme())
        ? HttpClient.Version.HTTP_2
        : HttpClient.Version.HTTP_1_1;
  }

  private static IOException closedException() {
    return new IOException("the " + NAME + " upstream transport is closed");
  }

  private static MethodHandle findShutdownNow() {
    try {
      return MethodHandles.publicLookup()
          .findVirtual(HttpClient.class, "shutdownNow", MethodType.methodType(void.class));
    } catch (NoSuchMethodException | IllegalAccessException e) {
      return null; // Java 17 to 20: no way to close a client but to drop it
    }
  }

  private static void shutdownNow(HttpClient client) {
    if (SHUTDOWN_NOW == null) {
      return;
    }
    try {
      SHUTDOWN_NOW.invoke(client);
    } catch (Throwable e) {
      // Best effort: the client is dropped either way.
    }
  }
}
