package com.neurasea.sample;

import com.neurasea.gateway.netty.NettyGatewayServer;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Serves the admin API on the event-loop gateway's port: requests outside {@code /v1/} are passed to
 * the admin servlet's Jetty connector, which listens on loopback only and takes the client's address
 * from {@code X-Forwarded-For} (set here, replacing whatever the client sent), so sign-in records keep
 * the real address. The admin API is not a hot path; one extra loopback hop is its only cost.
 */
final class AdminProxy implements NettyGatewayServer.Fallback {
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
      "transfer-encoding", "te", "trailer", "upgrade", "host", "content-length", "expect", "x-forwarded-for",
      "forwarded", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-real-ip");
  private final URI admin;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();

  AdminProxy(int adminPort) {
    this.admin = URI.create("http://127.0.0.1:" + adminPort);
  }

  @Override
  public void serve(FullHttpRequest request, String clientIp, Consumer<FullHttpResponse> reply) {
    HttpRequest.Builder forward;
    try {
      byte[] body = ByteBufUtil.getBytes(request.content());
      forward = HttpRequest.newBuilder(admin.resolve(request.uri())).timeout(Duration.ofSeconds(60))
          .method(request.method().name(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(body));
      for (Map.Entry<String, String> header : request.headers()) {
        if (!HOP_BY_HOP.contains(header.getKey().toLowerCase(Locale.ROOT))) {
          forward.header(header.getKey(), header.getValue());
        }
      }
      forward.header("X-Forwarded-For", clientIp);
    } catch (RuntimeException e) {
      reply.accept(error(HttpResponseStatus.BAD_REQUEST, "the request cannot be passed on: " + e.getMessage()));
      return;
    }
    client.sendAsync(forward.build(), HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, failure) -> {
      if (failure != null) {
        reply.accept(error(HttpResponseStatus.BAD_GATEWAY, "the admin API is not answering"));
        return;
      }
      FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.valueOf(response.statusCode()), Unpooled.wrappedBuffer(response.body()));
      response.headers().map().forEach((name, values) -> {
        if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
          out.headers().add(name, values);
        }
      });
      reply.accept(out);
    });
  }

  private static FullHttpResponse error(HttpResponseStatus status, String message) {
    String json = "{\"error\":{\"message\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"")
        + "\",\"type\":\"api_error\",\"code\":\"UNAVAILABLE\"}}";
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
    response.headers().set("Content-Type", "application/json");
    return response;
  }
}
