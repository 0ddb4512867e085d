package com.neurasea.gateway.netty;

import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.NeuraSea;
import com.neurasea.gateway.netty.RawHttp.Response;
import com.neurasea.http.gateway.GatewayBindingContract;
import com.neurasea.tck.upstream.FakeUpstream;
import com.neurasea.tck.upstream.FakeUpstream.Wire;
import com.openai.client.OpenAIClient;
import io.netty.buffer.Unpooled;
import io.netty.channel.epoll.Epoll;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * The gateway over the Netty binding: the {@linkplain GatewayBindingContract binding contract}, plus
 * what an event-loop server must get right itself, seen on the wire — keep-alive, pipelining, early
 * 413s, {@code Expect: 100-continue}, HTTP/1.0, both transports and an offloading executor.
 */
class NettyGatewayTest extends GatewayBindingContract {
  private NettyGatewayServer server;

  /** As the sample host pairs them: Netty upstream calls on the server's own event loops. */
  @Override
  protected com.neurasea.spi.UpstreamTransport newTransport() {
    return com.neurasea.upstream.netty.NettyUpstreamTransport.create();
  }

  @Override
  protected Binding start(NeuraSea platform) {
    var upstream = (com.neurasea.upstream.netty.NettyUpstreamTransport) platform.gateway().transport().orElseThrow();
    server = NettyGatewayServer.start(platform, "127.0.0.1", 0,
        NettyGatewayServer.Options.DEFAULT.withEventLoopGroup(upstream.eventLoopGroup()));
    return Binding.of(URI.create("http://127.0.0.1:" + server.port()), server::close);
  }

  // ------------------------------------------------------------------ the connection

  @Test
  void oneConnectionServesManyRequestsInOrderPipelinedOrNot() {
    FakeUpstream fake = upstream(Wire.OPENAI);
    String model = model();
    channel(fake, model, 0);
    try (RawHttp wire = new RawHttp(server.port())) {
      Response models = wire.send(RawHttp.get("/v1/models", aliceToken)).read();
      assertThat(models.status()).isEqualTo(200);
      assertThat(models.header("content-type")).isEqualTo("application/json");
      assertThat(models.header("connection")).isNull();
      assertThat(models.body()).contains("demo-echo", model);

      Response reply = wire.send(RawHttp.post("/v1/chat/completions", aliceToken,
          chatBody(model, "over the wire", false))).read();
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.header("x-request-id")).startsWith("req_");
      assertThat(reply.body()).contains("echo: over the wire").contains("x_provider_extra");

      Response stream = wire.send(RawHttp.post("/v1/chat/completions", aliceToken,
          chatBody(model, "a stream", true))).read();
      assertThat(stream.status()).isEqualTo(200);
      assertThat(stream.header("transfer-encoding")).isEqualTo("chunked");
      assertThat(stream.header("cache-control")).isEqualTo("no-cache");
      assertThat(stream.body()).contains("data: ").endsWith("data: [DONE]\n\n");

      assertThat(wire.send(RawHttp.get("/v1/nope", aliceToken)).read().status()).isEqualTo(404);

      // a body over the limit is refused at its head; the rest is read and dropped, the connection stays
      Response tooLarge = wire.send(RawHttp.post("/v1/chat/completions", aliceToken,
          chatBody(model, "y".repeat(100_000), false))).read();
      assertThat(tooLarge.status()).isEqualTo(413);
      assertThat(tooLarge.body()).contains("request_too_large");
      StringBuilder chunked = new StringBuilder("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\n"
          + "Authorization: Bearer " + aliceToken + "\r\nTransfer-Encoding: chunked\r\n\r\n");
      for (int i = 0; i < 6; i++) {
        chunked.append(Integer.toHexString(16_384)).append("\r\n").append("z".repeat(16_384)).append("\r\n");
      }
      chunked.append("0\r\n\r\n");
      assertThat(wire.send(chunked.toString()).read().status()).isEqualTo(413);

      // pipelined: three requests in one write come back in order
      wire.send(RawHttp.post("/v1/chat/completions", aliceToken, chatBody(model, "first", false))
          + RawHttp.post("/v1/chat/completions", aliceToken, chatBody("demo-echo", "second", true))
          + RawHttp.get("/v1/models", aliceToken));
      assertThat(wire.read().body()).contains("echo: first");
      assertThat(wire.read().body()).contains("echo: ").contains("second").endsWith("data: [DONE]\n\n");
      assertThat(wire.read().body()).contains("\"object\":\"list\"");

      Response last = wire.send(RawHttp.get("/v1/models", aliceToken, "Connection: close\r\n")).read();
      assertThat(last.status()).isEqualTo(200);
      assertThat(last.header("connection")).isEqualTo("close");
      assertThat(wire.closedByServer()).isTrue();
    }
    assertThat(fake.requests()).isEqualTo(3);
  }

  @Test
  void expectContinueAndBrokenRequestsAreHandledOnTheWire() {
    try (RawHttp wire = new RawHttp(server.port())) {
      String body = chatBody("demo-echo", "after continue", false);
      wire.send("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer " + aliceToken
          + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " + body.length()
          + "\r\n\r\n");
      assertThat(wire.read().status()).isEqualTo(100);
      Response reply = wire.send(body).read();
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body()).contains("echo: after continue");
      // too large with Expect: the body is never asked for, and the connection ends
      Response refused = wire.send("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer "
          + aliceToken + "\r\nExpect: 100-continue\r\nContent-Length: 1000000\r\n\r\n").read();
      assertThat(refused.status()).isEqualTo(413);
      assertThat(refused.header("connection")).isEqualTo("close");
      assertThat(wire.closedByServer()).isTrue();
    }
    try (RawHttp wire = new RawHttp(server.port())) {
      Response broken = wire.send("THIS IS NOT HTTP\r\n\r\n").read();
      assertThat(broken.status()).isEqualTo(400);
      assertThat(wire.closedByServer()).isTrue();
    }
    try (RawHttp wire = new RawHttp(server.port())) {
      Response old = wire.send("GET /v1/models HTTP/1.0\r\nAuthorization: Bearer " + aliceToken + "\r\n\r\n").read();
      assertThat(old.status()).isEqualTo(200);
      assertThat(wire.closedByServer()).isTrue();
    }
  }

  @Test
  void nioWithAnOffloadingExecutorAndAnAdminFallbackServeTheSame() throws Exception {
    if (Epoll.isAvailable()) {
      assertThat(server.transport()).isEqualTo("epoll");
    }
    FakeUpstream fake = upstream(Wire.OPENAI);
    String model = model();
    channel(fake, model, 0);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    NettyGatewayServer.Fallback health = (request, ip, reply) -> {
      boolean ok = request.uri().equals("/healthz");
      byte[] text = (ok ? "ok from " + ip : "no").getBytes(StandardCharsets.UTF_8);
      reply.accept(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, ok ? HttpResponseStatus.OK
          : HttpResponseStatus.NOT_FOUND, Unpooled.wrappedBuffer(text)));
    };
    try (NettyGatewayServer nio = NettyGatewayServer.start(platform, "127.0.0.1", 0,
        NettyGatewayServer.Options.DEFAULT.withNativeTransport(false).withEventLoopThreads(1)
            .withHandlerExecutor(pool).withAdminFallback(health))) {
      assertThat(nio.transport()).isEqualTo("nio");
      OpenAIClient viaNio = sdk(URI.create("http://127.0.0.1:" + nio.port()), aliceToken);
      assertThat(viaNio.chat().completions().create(chat(model, "via nio")).choices().get(0).message().content())
          .hasValue("echo: via nio");
      assertThat(streamed(viaNio, chat("demo-echo", "offloaded stream"))).isEqualTo("echo: offloaded stream");
      try (RawHttp wire = new RawHttp(nio.port())) {
        Response healthz = wire.send(RawHttp.get("/healthz", null)).read();
        assertThat(healthz.status()).isEqualTo(200);
        assertThat(healthz.body()).isEqualTo("ok from 127.0.0.1");
        assertThat(wire.send(RawHttp.get("/admin/v1/other", null)).read().status()).isEqualTo(404);
        Response gatewayPath = wire.send(RawHttp.get("/v1/unknown", aliceToken)).read();
        assertThat(gatewayPath.status()).isEqualTo(404);
        assertThat(gatewayPath.body()).contains("unknown_url");
        assertThat(wire.send(RawHttp.get("/v1/models", aliceToken)).read().body()).contains(model);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
