package com.neurasea.upstream.netty;

import com.neurasea.spi.UpstreamCall;
import com.neurasea.spi.UpstreamHandler;
import com.neurasea.spi.UpstreamRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * One exchange, run entirely on its {@link LoopPool}'s event loop: it takes or opens a connection,
 * writes the request, passes the response to the {@link UpstreamHandler} as it is read, and gives the
 * connection back. Only {@link #cancel()} is called from other threads: it sets a flag that stops
 * every later handler call, then hops to the loop to close the connection.
 */
final class NettyCall implements UpstreamCall {
  private static final System.Logger LOG = System.getLogger(NettyCall.class.getName());

  private final LoopPool pool;
  private final UpstreamHandler handler;
  private final HttpMethod method;
  private final String path;
  private final HttpHeaders headers;
  private final byte[] body;
  private final boolean https;
  private final String host;
  private final int port;
  private final String key;
  private final long connectTimeoutMillis;
  private final long readTimeoutMillis;
  private final long readTimeoutNanos;

  /** Set by {@link #cancel()} on any thread: no handler call starts after it. */
  private volatile boolean cancelled;

  // ---- the rest is only touched on the loop ----

  /** Set once the exchange ended (terminal call made or suppressed, or cancelled). */
  private boolean done;
  /** The connection carrying the request, or null while connecting or after the end. */
  private Connection conn;
  /** The connection being opened, or null. */
  private ChannelFuture connecting;
  /** Whether {@link #conn} came from the pool (a stale one is worth one more try). */
  private boolean reused;
  private boolean retried;
  private boolean headReceived;
  /** Between a 1xx head and its (empty) end. */
  private boolean informational;
  private boolean keepAlive;
  private ScheduledFuture<?> timer;
  /** When the request went out or data last came, by {@link System#nanoTime()}. */
  private long lastActivity;
  /** True while the handler's onResponse or onBody runs: an error then waits for it to return. */
  private boolean inCallback;
  private Throwable deferredError;

  NettyCall(LoopPool pool, UpstreamHandler handler, HttpMethod method, String path, HttpHeaders headers,
      byte[] body, boolean https, String host, int port, String key, UpstreamRequest request) {
    this.pool = pool;
    this.handler = handler;
    this.method = method;
    this.path = path;
    this.headers = headers;
    this.body = body;
    this.https = https;
    this.host = host;
    this.port = port;
    this.key = key;
    this.connectTimeoutMillis = request.connectTimeoutMillis();
    this.readTimeoutMillis = request.readTimeoutMillis();
    this.readTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(request.readTimeoutMillis());
  }

  boolean https() {
    return https;
  }

  String host() {
    return host;
  }

  int port() {
    return port;
  }

  String key() {
    return key;
  }

  long connectTimeoutMillis() {
    return connectTimeoutMillis;
  }

  /** Starts the exchange: called on the loop (directly, or as the task {@code send} handed over). */
  void start() {
    if (cancelled) {
      done = true;
      return;
    }
    if (pool.isClosed()) {
      fail(NettyUpstreamTransport.closedException());
      return;
    }
    pool.started(this);
    Connection c = pool.acquire(key);
    if (c != null) {
      use(c, true);
    } else {
      connect();
    }
  }

  /** The loop refused the start task (its group is shut down); runs on the caller's thread. */
  void rejected(IOException reason) {
    done = true;
    if (!cancelled) {
      safeOnError(reason);
    }
  }

  @Override
  public void cancel() {
    if (cancelled) {
      return;
    }
    cancelled = true;
    EventLoop loop = pool.loop;
    if (loop.inEventLoop()) {
      cancelOnLoop();
    } else {
      try {
        loop.execute(this::cancelOnLoop);
      } catch (RejectedExecutionException e) {
        // the loop is gone, and its connections with it
      }
    }
  }

  /** Ends the exchange with {@code reason} (the transport closes). */
  void abort(IOException reason) {
    fail(reason);
  }

  // ---- connecting and sending ----

  private void connect() {
    ChannelFuture f;
    try {
      f = pool.connect(this);
    } catch (RuntimeException e) {
      fail(connectError(e));
      return;
    }
    connecting = f;
    f.addListener(future -> connected(f));
  }

  private void connected(ChannelFuture f) {
    if (f != connecting) {
      // cancelled or failed while connecting: this connection is not wanted
      if (f.isSuccess()) {
        f.channel().close();
      }
      return;
    }
    connecting = null;
    if (cancelled) {
      f.channel().close();
      cancelOnLoop();
      return;
    }
    if (!f.isSuccess()) {
      fail(connectError(f.cause()));
      return;
    }
    Connection c = f.channel().pipeline().get(Connection.class);
    if (done || c == null) {
      f.channel().close();
      return;
    }
    use(c, false);
  }

  private void use(Connection c, boolean fromPool) {
    conn = c;
    c.current = this;
    reused = fromPool;
    headReceived = false;
    informational = false;
    lastActivity = System.nanoTime();
    if (timer == null && !armTimer(readTimeoutNanos)) {
      return;
    }
    ByteBuf content = body.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
    DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path, content, headers,
        EmptyHttpHeaders.INSTANCE);
    c.channel.writeAndFlush(request).addListener(written -> {
      if (!written.isSuccess()) {
        connectionFailed(c, written.cause());
      }
    });
  }

  // ---- the response, from the connection's handler ----

  void onMessage(Connection c, HttpObject msg) {
    if (done || c != conn) {
      return;
    }
    if (cancelled) {
      cancelOnLoop();
      return;
    }
    DecoderResult result = msg.decoderResult();
    if (result.isFailure()) {
      Throwable cause = result.cause();
      if (cause instanceof PrematureChannelClosureException) {
        connectionFailed(c, null);
      } else {
        fail(new IOException("malformed response from the upstream: " + cause.getMessage(), cause));
      }
      return;
    }
    if (msg instanceof HttpResponse response) {
      int status = response.status().code();
      if (status >= 100 && status < 200 && status != 101) {
        informational = true; // 100 Continue, 103 Early Hints: the real head follows
      } else {
        informational = false;
        headReceived = true;
        lastActivity = System.nanoTime();
        keepAlive = HttpUtil.isKeepAlive(response);
        Map<String, List<String>> responseHeaders = lowerCase(response.headers());
        inCallback = true;
        Throwable thrown = null;
        try {
          handler.onResponse(status, responseHeaders);
        } catch (Throwable e) {
          thrown = e;
        } finally {
          inCallback = false;
        }
        if (afterCallback(thrown)) {
          return;
        }
      }
    }
    if (msg instanceof HttpContent content) {
      if (informational) {
        if (msg instanceof LastHttpContent) {
          informational = false;
        }
        return;
      }
      if (!headReceived) {
        fail(new IOException("malformed response from the upstream: a body without a head"));
        return;
      }
      ByteBuf data = content.content();
      if (data.isReadable()) {
        lastActivity = System.nanoTime();
        inCallback = true;
        Throwable thrown = null;
        try {
          handler.onBody(data.nioBuffer());
        } catch (Throwable e) {
          thrown = e;
        } finally {
          inCallback = false;
        }
        if (afterCallback(thrown)) {
          return;
        }
      }
      if (msg instanceof LastHttpContent) {
        complete();
      }
    }
  }

  /**
   * Settles what happened during a handler call: it threw (the exchange fails with that), or it
   * cancelled or closed the transport (an error that waited is delivered now).
   *
   * @return whether the exchange is over
   */
  private boolean afterCallback(Throwable thrown) {
    if (thrown != null) {
      fail(thrown);
    }
    Throwable deferred = deferredError;
    if (deferred != null) {
      deferredError = null;
      if (!cancelled) {
        safeOnError(deferred);
      }
    }
    if (!done && cancelled) {
      cancelOnLoop();
    }
    return done;
  }

  private void complete() {
    done = true;
    cancelTimer();
    pool.ended(this);
    Connection c = conn;
    conn = null;
    c.current = null;
    if (keepAlive) {
      pool.release(c); // before onComplete: a request the handler sends next may reuse it
    } else {
      c.channel.close();
    }
    if (cancelled) {
      return;
    }
    try {
      handler.onComplete();
    } catch (Throwable e) {
      LOG.log(System.Logger.Level.WARNING, "an upstream handler's onComplete threw", e);
    }
  }

  /**
   * The connection failed or closed ({@code cause} null) before the response ended. A reused
   * connection that fails before any byte of the response is taken for stale: the request goes once
   * more on a new connection.
   */
  void connectionFailed(Connection c, Throwable cause) {
    if (done || c != conn) {
      return;
    }
    if (cancelled) {
      cancelOnLoop();
      return;
    }
    conn = null;
    c.current = null;
    c.channel.close();
    if (reused && !headReceived && !retried && isStaleConnectionSign(cause)) {
      retried = true;
      reused = false;
      connect();
      return;
    }
    fail(ioError(cause));
  }

  // ---- timeouts ----

  /** Schedules the timeout check; false (and the exchange failed) if the loop is shutting down. */
  private boolean armTimer(long delayNanos) {
    try {
      timer = pool.loop.schedule(this::onTimer, delayNanos, TimeUnit.NANOSECONDS);
      return true;
    } catch (RejectedExecutionException e) {
      fail(NettyUpstreamTransport.closedException());
      return false;
    }
  }

  private void cancelTimer() {
    ScheduledFuture<?> t = timer;
    if (t != null) {
      timer = null;
      t.cancel(false);
    }
  }

  private void onTimer() {
    timer = null;
    if (done) {
      return;
    }
    if (cancelled) {
      cancelOnLoop();
      return;
    }
    if (conn == null) {
      armTimer(readTimeoutNanos); // reconnecting after a stale connection: the connect timeout rules
      return;
    }
    long silent = System.nanoTime() - lastActivity;
    if (silent < readTimeoutNanos) {
      armTimer(readTimeoutNanos - silent);
      return;
    }
    fail(new HttpTimeoutException(headReceived
        ? "no data from upstream for " + readTimeoutMillis + " ms"
        : "no response from upstream within " + readTimeoutMillis + " ms"));
  }

  // ---- endings ----

  private void cancelOnLoop() {
    if (done) {
      return;
    }
    done = true;
    release();
  }

  /** Ends the exchange with {@code error} to the handler, unless it already ended. */
  private void fail(Throwable error) {
    if (done) {
      return;
    }
    done = true;
    release();
    if (cancelled) {
      return;
    }
    if (inCallback) {
      deferredError = error; // closed from inside the handler: told once its call returns
      return;
    }
    safeOnError(error);
  }

  /** Stops the timer and closes the connection (the upstream sees the client go away). */
  private void release() {
    cancelTimer();
    pool.ended(this);
    Connection c = conn;
    conn = null;
    if (c != null) {
      c.current = null;
      c.channel.close();
    }
    ChannelFuture f = connecting;
    connecting = null;
    if (f != null) {
      f.channel().close();
    }
  }

  private void safeOnError(Throwable error) {
    try {
      handler.onError(error);
    } catch (Throwable e) {
      LOG.log(System.Logger.Level.WARNING, "an upstream handler's onError threw", e);
    }
  }

  // ---- helpers ----

  private static boolean isStaleConnectionSign(Throwable cause) {
    return cause == null || (cause instanceof IOException && !(cause instanceof SSLException));
  }

  private IOException ioError(Throwable cause) {
    if (cause == null) {
      return new IOException(headReceived
          ? "the upstream closed the connection before the response ended"
          : "the upstream closed the connection before responding");
    }
    Throwable t = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (t instanceof IOException io) {
      return io;
    }
    return new IOException("the upstream connection failed: " + t, t);
  }

  private IOException connectError(Throwable cause) {
    if (cause instanceof ConnectTimeoutException) {
      return new HttpConnectTimeoutException("connecting to " + host + ":" + port + " timed out after "
          + connectTimeoutMillis + " ms");
    }
    if (cause instanceof ConnectException e) {
      return e;
    }
    ConnectException e = new ConnectException("could not connect to " + host + ":" + port + ": " + cause);
    e.initCause(cause);
    return e;
  }

  static Map<String, List<String>> lowerCase(HttpHeaders headers) {
    Map<String, List<String>> result = new HashMap<>(Math.max(8, headers.size() * 2));
    for (Iterator<Map.Entry<String, String>> it = headers.iteratorAsString(); it.hasNext(); ) {
      Map.Entry<String, String> header = it.next();
      String name = header.getKey().toLowerCase(Locale.ROOT);
      result.computeIfAbsent(name, k -> new ArrayList<>(1)).add(header.getValue());
    }
    result.replaceAll((name, values) -> Collections.unmodifiableList(values));
    return Collections.unmodifiableMap(result);
  }
}
