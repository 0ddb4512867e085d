package com.neurasea.gateway.netty;

import com.neurasea.routing.Gateway;
import com.neurasea.routing.GatewayEndpoint;
import com.neurasea.routing.GatewayRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection: reads requests (head, then body up to the gateway's limit), routes them, hands
 * them to the gateway, and holds pipelined requests until the one in flight is answered. Every
 * field is confined to the connection's event loop; the request in flight is an {@link HttpExchange}.
 */
final class GatewayHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayHandler.class);
  private final Gateway gateway;
  private final int limit;
  /** How much of a refused body is read and dropped to keep the connection, before it is closed instead. */
  private final long drainLimit;
  private final Executor executor;
  private final NettyGatewayServer.Fallback fallback;
  private ChannelHandlerContext ctx;
  private String clientIp = "unknown";
  /** The request being read or answered, or null between requests. */
  private HttpExchange current;
  /** Messages of requests that arrived while {@link #current} was being answered (pipelining). */
  private ArrayDeque<Object> backlog;
  /** Reading was turned off because of the backlog. */
  private boolean paused;
  private boolean resumeScheduled;
  /** The connection is closing after its last response: nothing more is read. */
  private boolean closing;

  GatewayHandler(Gateway gateway, NettyGatewayServer.Options options) {
    this.gateway = gateway;
    this.limit = gateway.settings().maxRequestBytes();
    this.drainLimit = 4L * limit + (1 << 20);
    this.executor = options.handlerExecutor();
    this.fallback = options.adminFallback();
  }

  Executor executor() {
    return executor;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext context) {
    this.ctx = context;
  }

  @Override
  public void channelActive(ChannelHandlerContext context) throws Exception {
    SocketAddress remote = context.channel().remoteAddress();
    if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
      clientIp = inet.getAddress().getHostAddress();
    }
    super.channelActive(context);
  }

  @Override
  public void channelRead(ChannelHandlerContext context, Object msg) {
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    boolean busy = current != null && current.requestDone();
    if (busy || (backlog != null && !backlog.isEmpty())) {
      hold(msg);
      return;
    }
    read(msg);
  }

  /** Keeps a pipelined message for later and stops reading until the request in flight is answered. */
  private void hold(Object msg) {
    if (backlog == null) {
      backlog = new ArrayDeque<>(4);
    }
    backlog.add(msg);
    if (!paused) {
      paused = true;
      ctx.channel().config().setAutoRead(false);
    }
  }

  private void read(Object msg) {
    try {
      if (msg instanceof HttpRequest head) {
        start(head);
        if (head.decoderResult().isFailure()) {
          return;
        }
      }
      if (msg instanceof HttpContent content) {
        body(content);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  // ------------------------------------------------------------------ request head

  private void start(HttpRequest head) {
    if (head.decoderResult().isFailure()) {
      // The decoder cannot find the next request after a broken one: answer and close.
      HttpExchange broken = new HttpExchange(this, ctx, false, head.protocolVersion());
      current = broken;
      broken.refused();
      broken.closeAfter();
      broken.bodyDone();
      gateway.reject(broken, 400, "malformed HTTP request");
      return;
    }
    HttpExchange exchange = new HttpExchange(this, ctx, HttpUtil.isKeepAlive(head), head.protocolVersion());
    current = exchange;
    String path = path(head.uri());
    HttpMethod method = head.method();
    if (path.equals("/v1/models")) {
      if (!HttpMethod.GET.equals(method)) {
        refuse(head, exchange, 405, "use GET for /v1/models");
        return;
      }
      exchange.target(HttpExchange.Target.MODELS, null, head);
      return;
    }
    GatewayEndpoint endpoint = GatewayEndpoint.ofPath(path);
    if (endpoint != null) {
      if (!HttpMethod.POST.equals(method)) {
        refuse(head, exchange, 405, "use POST for " + path);
        return;
      }
      exchange.target(HttpExchange.Target.GATEWAY, endpoint, head);
    } else if (fallback != null && !path.equals("/v1") && !path.startsWith("/v1/")) {
      exchange.target(HttpExchange.Target.FALLBACK, null, head);
    } else {
      refuse(head, exchange, 404, "unknown URL " + path);
      return;
    }
    long length;
    try {
      length = HttpUtil.getContentLength(head, -1L);
    } catch (NumberFormatException e) {
      length = -1;
    }
    if (length > limit) {
      if (length > drainLimit) {
        exchange.closeAfter(); // not worth reading to keep the connection
      }
      refuse(head, exchange, 413, "too large");
      return;
    }
    if (unsupportedExpectation(head)) {
      refuse(head, exchange, 417, "unsupported Expect header");
      return;
    }
    if (HttpUtil.is100ContinueExpected(head)) {
      ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
          Unpooled.EMPTY_BUFFER), ctx.voidPromise());
    }
    exchange.accept(length >= 0 ? (int) length : -1, ctx.alloc());
  }

  /** Answers a request before its body is read; the body is then read and dropped. */
  private void refuse(HttpRequest head, HttpExchange exchange, int status, String message) {
    if (HttpUtil.is100ContinueExpected(head) || unsupportedExpectation(head)) {
      // The client may or may not send the body now; the decoder cannot tell, so the connection ends.
      exchange.closeAfter();
    }
    exchange.refused();
    gateway.reject(exchange, status, message);
  }

  // ------------------------------------------------------------------ request body

  private void body(HttpContent content) {
    HttpExchange exchange = current;
    if (exchange == null || exchange.requestDone()) {
      return; // nothing left of a request we closed on
    }
    if (content.decoderResult().isFailure()) {
      boolean answered = exchange.isRefused();
      exchange.refused();
      exchange.closeAfter();
      exchange.bodyDone();
      if (!answered) {
        gateway.reject(exchange, 400, "malformed HTTP request body");
      } else if (exchange.responseDone()) {
        finished(exchange);
      }
      return;
    }
    ByteBuf bytes = content.content();
    if (exchange.accepting()) {
      if (exchange.received() + bytes.readableBytes() > limit) {
        exchange.refused();
        exchange.discarded(bytes.readableBytes());
        gateway.reject(exchange, 413, "too large");
      } else {
        exchange.append(bytes);
      }
    } else if (exchange.discarded(bytes.readableBytes()) > drainLimit) {
      ctx.close();
      return;
    }
    if (content instanceof LastHttpContent) {
      exchange.bodyDone();
      if (!exchange.isRefused()) {
        dispatch(exchange);
      } else if (exchange.responseDone()) {
        finished(exchange);
      }
    }
  }

  // ------------------------------------------------------------------ serving

  private void dispatch(HttpExchange exchange) {
    byte[] body = exchange.takeBody();
    HttpRequest head = exchange.head();
    String authorization = head.headers().get(HttpHeaderNames.AUTHORIZATION);
    String agent = head.headers().get(HttpHeaderNames.USER_AGENT);
    String ip = clientIp;
    Runnable work = switch (exchange.target()) {
      case MODELS -> () -> gateway.models(authorization, ip, agent, exchange);
      case GATEWAY -> () -> exchange.attach(gateway.handle(new GatewayRequest(exchange.endpoint(), authorization,
          ip, agent, body), exchange));
      case FALLBACK -> () -> {
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(head.protocolVersion(), head.method(),
            head.uri(), Unpooled.wrappedBuffer(body));
        request.headers().set(head.headers());
        fallback.serve(request, ip, exchange::sendResponse);
      };
    };
    Runnable guarded = () -> {
      try {
        work.run();
      } catch (RuntimeException | Error e) {
        LOG.error("gateway request failed", e);
        exchange.failed();
      }
    };
    if (executor == null) {
      guarded.run();
      return;
    }
    try {
      executor.execute(guarded);
    } catch (RejectedExecutionException e) {
      LOG.warn("the gateway's handler executor refused a request: {}", e.toString());
      exchange.failed();
    }
  }

  /** The request was read and answered (called on the event loop). */
  void finished(HttpExchange exchange) {
    if (current != exchange) {
      return;
    }
    current = null;
    if (!exchange.keepAlive()) {
      closing = true;
      ctx.channel().config().setAutoRead(false);
      exchange.closeWhenWritten();
      return;
    }
    if (backlog != null && !backlog.isEmpty()) {
      // Serve the next pipelined request from a fresh task: a request answered at once must not
      // recurse into the next one.
      if (!resumeScheduled) {
        resumeScheduled = true;
        ctx.executor().execute(this::resume);
      }
      return;
    }
    if (paused) {
      paused = false;
      ctx.channel().config().setAutoRead(true);
    }
  }

  private void resume() {
    resumeScheduled = false;
    if (!ctx.channel().isActive()) {
      return;
    }
    while (!closing && backlog != null && !backlog.isEmpty() && (current == null || !current.requestDone())) {
      read(backlog.poll());
    }
    if (!closing && (backlog == null || backlog.isEmpty()) && paused) {
      paused = false;
      ctx.channel().config().setAutoRead(true);
    }
  }

  // ------------------------------------------------------------------ connection events

  @Override
  public void channelInactive(ChannelHandlerContext context) throws Exception {
    HttpExchange exchange = current;
    current = null;
    if (exchange != null) {
      exchange.dropBody();
      exchange.clientGone();
    }
    if (backlog != null) {
      Object msg;
      while ((msg = backlog.poll()) != null) {
        ReferenceCountUtil.release(msg);
      }
    }
    super.channelInactive(context);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext context) {
    HttpExchange exchange = current;
    if (exchange != null) {
      exchange.dropBody();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext context, Object event) throws Exception {
    if (event instanceof IdleStateEvent) {
      if (current == null && (backlog == null || backlog.isEmpty())) {
        context.close();
      }
      return;
    }
    super.userEventTriggered(context, event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
    LOG.debug("gateway connection from {} failed: {}", clientIp, cause.toString());
    context.close();
  }

  /** An {@code Expect} header other than {@code 100-continue}. */
  private static boolean unsupportedExpectation(HttpRequest head) {
    String expect = head.headers().get(HttpHeaderNames.EXPECT);
    return expect != null && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect);
  }

  /** The path of a request target: origin-form or absolute-form, without query or fragment. */
  static String path(String uri) {
    int end = uri.length();
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c == '?' || c == '#') {
        end = i;
        break;
      }
    }
    String path = uri.substring(0, end);
    if (!path.startsWith("/")) {
      int scheme = path.indexOf("://");
      if (scheme > 0) {
        int slash = path.indexOf('/', scheme + 3);
        path = slash < 0 ? "/" : path.substring(slash);
      }
    }
    return path;
  }
}
