package com.neurasea.upstream.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of one upstream connection: passes what the connection reads to the exchange
 * using it, and tells its pool when it closes while idle. Runs on the connection's loop only.
 */
final class Connection extends ChannelInboundHandlerAdapter {
  final LoopPool pool;
  final Channel channel;
  /** Scheme, host and port: the pool the connection goes back to. */
  final String key;
  /** The exchange using the connection, or null while it is idle (or being closed). */
  NettyCall current;
  /** When the connection went back to the pool, by {@link System#nanoTime()}. */
  long idleSince;

  Connection(LoopPool pool, Channel channel, String key) {
    this.pool = pool;
    this.channel = channel;
    this.key = key;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      NettyCall call = current;
      if (call == null || !(msg instanceof HttpObject object)) {
        // Nothing was asked: an upstream that talks out of turn cannot be trusted with the next request.
        ctx.close();
        return;
      }
      call.onMessage(this, object);
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    NettyCall call = current;
    if (call != null) {
      call.connectionFailed(this, null);
    } else {
      pool.removeIdle(this);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    NettyCall call = current;
    if (call != null) {
      call.connectionFailed(this, cause);
    }
    ctx.close();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
      NettyCall call = current;
      if (call != null) {
        call.connectionFailed(this, done.cause());
      }
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }
}
