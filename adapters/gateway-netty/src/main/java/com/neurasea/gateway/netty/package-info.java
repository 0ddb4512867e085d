/**
 * The event-loop binding of the NeuraSea gateway: {@link com.neurasea.gateway.netty.NettyGatewayServer},
 * a standalone HTTP/1.1 server on Netty 4.2 (epoll where available, else NIO) that serves the
 * OpenAI-compatible endpoints of {@link com.neurasea.routing.Gateway} — {@code /v1/chat/completions},
 * {@code /v1/completions}, {@code /v1/embeddings} and {@code /v1/models} — for hosts that want the
 * gateway's full speed. Servlet hosts use {@code com.neurasea.http.GatewayServlet} instead.
 *
 * <pre>{@code
 * NeuraSea platform = NeuraSea.builder()...build();
 * NettyGatewayServer server = NettyGatewayServer.start(platform, "0.0.0.0", 8080);
 * ...
 * server.close();
 * platform.close();
 * }</pre>
 */
package com.neurasea.gateway.netty;
