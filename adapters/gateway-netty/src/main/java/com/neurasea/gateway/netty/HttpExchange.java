package com.neurasea.gateway.netty;

import com.neurasea.routing.GatewayCall;
import com.neurasea.routing.GatewayEndpoint;
import com.neurasea.routing.GatewayResponder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request on a connection, from its head to the last byte of its answer; the gateway's
 * {@link GatewayResponder} for it. The responder methods may be called from any thread: each one
 * runs on the connection's event loop — at once when called there and nothing of this request is
 * still queued, else queued behind what is — so writes keep the order the gateway made them in.
 * Every other method and field is confined to the event loop, except {@link #call} and
 * {@link #gone}, which the gateway's threads read.
 */
final class HttpExchange implements GatewayResponder {
  private static final Logger LOG = LoggerFactory.getLogger(HttpExchange.class);
  private static final AsciiString EVENT_STREAM = AsciiString.cached("text/event-stream");
  private static final byte[] INTERNAL = ("{\"error\":{\"message\":\"internal error\",\"type\":\"server_error\","
      + "\"param\":null,\"code\":\"internal_error\"}}").getBytes(StandardCharsets.US_ASCII);

  /** What serves the request. */
  enum Target { GATEWAY, MODELS, FALLBACK }

  private final GatewayHandler handler;
  private final ChannelHandlerContext ctx;
  private final EventExecutor loop;
  private final boolean http11;
  private boolean keepAlive;
  private Target target;
  private GatewayEndpoint endpoint;
  private HttpRequest head;

  // body (event loop)
  private boolean accepting;
  private byte[] fixed;
  private CompositeByteBuf parts;
  private int received;
  private long discarded;
  private boolean requestDone;
  private boolean refused;

  // response (event loop)
  private boolean responseStarted;
  private boolean responseDone;
  private boolean closeAfter;
  private ChannelFuture lastWrite;

  // shared with the gateway's threads
  private final AtomicInteger queued = new AtomicInteger();
  private volatile GatewayCall call;
  private volatile boolean gone;

  HttpExchange(GatewayHandler handler, ChannelHandlerContext ctx, boolean keepAlive, HttpVersion version) {
    this.handler = handler;
    this.ctx = ctx;
    this.loop = ctx.executor();
    this.keepAlive = keepAlive;
    this.http11 = version.minorVersion() >= 1 || version.majorVersion() > 1;
  }

  // ------------------------------------------------------------------ request (event loop)

  void target(Target what, GatewayEndpoint which, HttpRequest request) {
    this.target = what;
    this.endpoint = which;
    this.head = request;
  }

  Target target() {
    return target;
  }

  GatewayEndpoint endpoint() {
    return endpoint;
  }

  HttpRequest head() {
    return head;
  }

  /** The body is to be kept: {@code length} bytes, or -1 when it comes chunked. */
  void accept(int length, ByteBufAllocator alloc) {
    accepting = true;
    if (length >= 0) {
      fixed = new byte[length];
    } else {
      parts = alloc.compositeHeapBuffer(Integer.MAX_VALUE);
    }
  }

  boolean accepting() {
    return accepting;
  }

  int received() {
    return received;
  }

  void append(ByteBuf bytes) {
    int n = bytes.readableBytes();
    if (n == 0) {
      return;
    }
    if (fixed != null) {
      // The decoder never delivers more than Content-Length.
      bytes.getBytes(bytes.readerIndex(), fixed, received, n);
    } else {
      parts.addComponent(true, bytes.retainedSlice());
    }
    received += n;
  }

  /** Counts dropped body bytes; returns the total dropped. */
  long discarded(int n) {
    discarded += n;
    return discarded;
  }

  /** Forgets what was kept of the body (it is refused, or the connection ended). */
  void dropBody() {
    accepting = false;
    fixed = null;
    if (parts != null) {
      parts.release();
      parts = null;
    }
  }

  /** The whole body, copied once. */
  byte[] takeBody() {
    if (fixed != null) {
      byte[] body = fixed;
      fixed = null;
      return body;
    }
    if (parts == null) {
      return new byte[0];
    }
    byte[] body = new byte[parts.readableBytes()];
    parts.getBytes(parts.readerIndex(), body);
    parts.release();
    parts = null;
    return body;
  }

  /** The request is answered by the binding (an error) rather than served; its body is dropped. */
  void refused() {
    refused = true;
    dropBody();
  }

  boolean isRefused() {
    return refused;
  }

  void bodyDone() {
    requestDone = true;
  }

  boolean requestDone() {
    return requestDone;
  }

  boolean responseStarted() {
    return responseStarted;
  }

  boolean responseDone() {
    return responseDone;
  }

  boolean keepAlive() {
    return keepAlive && !closeAfter;
  }

  /** The connection ends after this response. */
  void closeAfter() {
    closeAfter = true;
  }

  void closeWhenWritten() {
    if (lastWrite != null) {
      lastWrite.addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.close();
    }
  }

  // ------------------------------------------------------------------ the call

  /** The gateway's call for this request (any thread). */
  void attach(GatewayCall gatewayCall) {
    call = gatewayCall;
    if (gone) {
      cancel(gatewayCall);
    }
  }

  /** The connection closed (event loop): the gateway stops and settles the request, unless it ended. */
  void clientGone() {
    gone = true;
    if (responseDone) {
      return;
    }
    GatewayCall c = call;
    if (c != null) {
      cancel(c);
    }
  }

  private void cancel(GatewayCall c) {
    if (handler.executor() != null) {
      try {
        handler.executor().execute(c::cancel);
        return;
      } catch (RejectedExecutionException e) {
        // cancel here
      }
    }
    try {
      c.cancel();
    } catch (RuntimeException e) {
      LOG.warn("cancelling a gateway request failed", e);
    }
  }

  /** The request could not be served (a bug, or an executor that refused it): 500, or the connection ends. */
  void failed() {
    run(() -> {
      if (!responseStarted) {
        writeFull(500, Map.of(), INTERNAL);
      } else if (!responseDone) {
        responseDone = true;
        ctx.close();
      }
    });
  }

  // ------------------------------------------------------------------ responder (any thread)

  @Override
  public void sendFull(int status, Map<String, String> headers, byte[] body) {
    run(() -> writeFull(status, headers, body));
  }

  @Override
  public void startStream(Map<String, String> headers) {
    run(() -> writeStreamHead(headers));
  }

  @Override
  public void sendEvent(byte[] bytes) {
    run(() -> writeEvent(bytes));
  }

  @Override
  public void endStream() {
    run(this::writeStreamEnd);
  }

  /** The fallback's answer (any thread). */
  void sendResponse(FullHttpResponse response) {
    run(() -> writeResponse(response));
  }

  private void run(Runnable task) {
    if (queued.get() == 0 && loop.inEventLoop()) {
      task.run();
      return;
    }
    queued.incrementAndGet();
    try {
      loop.execute(() -> {
        queued.decrementAndGet();
        task.run();
      });
    } catch (RejectedExecutionException e) {
      // The server is shutting down; its connections are closed with it.
      queued.decrementAndGet();
    }
  }

  // ------------------------------------------------------------------ writes (event loop)

  private void writeFull(int status, Map<String, String> headers, byte[] body) {
    if (responseStarted) {
      LOG.warn("the gateway answered a request twice; the second answer is dropped");
      return;
    }
    responseStarted = true;
    if (!gone) {
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
      HttpHeaders h = response.headers();
      h.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
      h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
      headers.forEach(h::set);
      write(response, true);
    }
    done();
  }

  private void writeStreamHead(Map<String, String> headers) {
    if (responseStarted) {
      LOG.warn("the gateway answered a request twice; the second answer is dropped");
      return;
    }
    responseStarted = true;
    if (gone) {
      return;
    }
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    HttpHeaders h = response.headers();
    h.set(HttpHeaderNames.CONTENT_TYPE, EVENT_STREAM);
    h.set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
    if (http11) {
      h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    } else {
      keepAlive = false; // an HTTP/1.0 stream ends when the connection does
    }
    headers.forEach(h::set);
    write(response, false);
  }

  private void writeEvent(byte[] bytes) {
    if (gone || responseDone) {
      return;
    }
    ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)), ctx.voidPromise());
  }

  private void writeStreamEnd() {
    if (responseDone) {
      return;
    }
    if (!gone) {
      write(LastHttpContent.EMPTY_LAST_CONTENT, true);
    }
    done();
  }

  private void writeResponse(FullHttpResponse response) {
    if (responseStarted || gone) {
      ReferenceCountUtil.release(response);
      if (!responseStarted) {
        responseStarted = true;
        done();
      }
      return;
    }
    responseStarted = true;
    if (!response.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
    }
    write(response, true);
    done();
  }

  /** Writes and flushes; a response head gets its {@code Connection} header. */
  private void write(Object message, boolean last) {
    if (message instanceof HttpResponse response) {
      HttpHeaders h = response.headers();
      if (!keepAlive()) {
        h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      } else if (!http11) {
        h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      } else {
        h.remove(HttpHeaderNames.CONNECTION);
      }
    }
    if (last && (!keepAlive() || !requestDone)) {
      // The connection may close after this write: keep its future.
      lastWrite = ctx.writeAndFlush(message);
      lastWrite.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    } else {
      ctx.writeAndFlush(message, ctx.voidPromise());
    }
  }

  private void done() {
    responseDone = true;
    if (requestDone || closeAfter) {
      handler.finished(this);
    }
  }
}
