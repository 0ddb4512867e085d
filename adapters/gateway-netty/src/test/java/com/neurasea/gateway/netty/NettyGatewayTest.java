package com.neurasea.gateway.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.neurasea.NeuraSea;
import com.neurasea.gateway.netty.RawHttp.Response;
import com.neurasea.identity.BootstrapResult;
import com.neurasea.identity.PasswordPolicy;
import com.neurasea.model.Caller;
import com.neurasea.model.Channel;
import com.neurasea.model.ChannelType;
import com.neurasea.model.CreateChannel;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Principal;
import com.neurasea.model.SetModelPrice;
import com.neurasea.model.TenantId;
import com.neurasea.model.UsageQuery;
import com.neurasea.model.UsageRecord;
import com.neurasea.model.UsageStatus;
import com.neurasea.routing.GatewaySettings;
import com.neurasea.spi.Storage;
import com.neurasea.store.sqlite.SqliteStorage;
import com.neurasea.tck.upstream.Behavior;
import com.neurasea.tck.upstream.FakeUpstream;
import com.neurasea.tck.upstream.FakeUpstream.Wire;
import com.neurasea.upstream.jdk.JdkUpstreamTransport;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import io.netty.buffer.Unpooled;
import io.netty.channel.epoll.Epoll;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway over the Netty binding, driven by the official OpenAI Java SDK (and by hand, on the
 * wire) against fake upstreams on loopback: the behaviours the servlet binding's tests cover, plus
 * what an event-loop server must get right itself — keep-alive, pipelining, early 413s, client
 * disconnects, both transports and an offloading executor.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NettyGatewayTest {
  private static final String KEY = "sk-upstream-key-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger MODELS = new AtomicInteger();
  private final Caller platformCaller = Caller.platform(Principal.system());
  private final List<FakeUpstream> upstreams = new ArrayList<>();
  private Storage storage;
  private NeuraSea platform;
  private JdkUpstreamTransport transport;
  private NettyGatewayServer server;
  private String token;
  private TenantId tenantId;
  private OpenAIClient client;

  @BeforeAll
  void start(@TempDir Path dir) {
    transport = new JdkUpstreamTransport();
    GatewaySettings settings = GatewaySettings.DEFAULT.withMaxRequestBytes(64 * 1024).withRetries(3, 300)
        .withBreaker(10_000, 4, 50, 3, 60_000, 60_000).withDemoChannel(true);
    storage = SqliteStorage.builder().path(dir.resolve("t.db")).build();
    platform = NeuraSea.builder().storage(storage).keyFile(dir.resolve("k")).passwordPolicy(PasswordPolicy.forTests())
        .upstreamTransport(transport).gatewaySettings(settings).build();
    BootstrapResult boot = platform.bootstrap("admin", "platform").orElseThrow();
    token = boot.token().secret();
    tenantId = boot.tenant().id();
    server = NettyGatewayServer.start(platform, "127.0.0.1", 0,
        NettyGatewayServer.Options.DEFAULT.withEventLoopThreads(2));
    client = sdk(server, token);
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
    upstreams.forEach(FakeUpstream::close);
    if (platform != null) {
      platform.close();
    }
    if (storage != null) {
      storage.close();
    }
    if (transport != null) {
      transport.close();
    }
  }

  private static OpenAIClient sdk(NettyGatewayServer on, String apiKey) {
    return OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + on.port() + "/v1").apiKey(apiKey)
        .maxRetries(0).timeout(Duration.ofSeconds(20)).build();
  }

  private FakeUpstream upstream(Wire wire) {
    FakeUpstream fake = FakeUpstream.start(wire).expectKey(KEY);
    upstreams.add(fake);
    return fake;
  }

  /** A fresh priced model name, so tests do not share channels. */
  private String model() {
    String name = "gpt-4o-mini-n" + MODELS.incrementAndGet();
    platform.prices().setPrice(platformCaller,
        new SetModelPrice(name, Instant.now().minusSeconds(60), 1_000_000, 2_000_000, 500_000, 0, Map.of()));
    return name;
  }

  private Channel channel(FakeUpstream fake, String model, int priority) {
    return platform.channels().create(platformCaller, CreateChannel.of("n-" + MODELS.incrementAndGet(),
        ChannelType.OPENAI, fake.baseUrl(), KEY, List.of(model)).withRouting(priority, 1).withTimeouts(2_000, 2_000));
  }

  private List<UsageRecord> usage(String model) {
    platform.quotaEngine().flush();
    return platform.quotas().usage(Caller.system(tenantId), new UsageQuery(tenantId, null, null, model, null, null,
        null), PageRequest.first(100));
  }

  private List<UsageRecord> awaitUsage(String model) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    List<UsageRecord> records = usage(model);
    while (records.isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
      records = usage(model);
    }
    return records;
  }

  private static ChatCompletionCreateParams chat(String model, String text) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage(text).build();
  }

  private static String chatBody(String model, String text, boolean stream) {
    return "{\"model\":\"" + model + "\"," + (stream ? "\"stream\":true," : "")
        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
  }

  private record Raw(int status, JsonNode json, Map<String, List<String>> headers) {}

  private Raw raw(String method, String path, String apiKey, HttpRequest.BodyPublisher body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(10)).method(method, body).header("Content-Type", "application/json");
    if (apiKey != null) {
      request.header("Authorization", "Bearer " + apiKey);
    }
    HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
        HttpResponse.BodyHandlers.ofString());
    JsonNode json = JSON.readTree(response.body().isEmpty() ? "{}" : response.body());
    return new Raw(response.statusCode(), json, response.headers().map());
  }

  private Raw post(String path, String body) throws Exception {
    return raw("POST", path, token, HttpRequest.BodyPublishers.ofString(body));
  }

  // ------------------------------------------------------------------ happy paths

  @Test
  @SuppressWarnings("deprecation") // _additionalProperties(): the SDK's view of fields it does not model
  void chatPassesUnknownFieldsBothWaysAndIsMeteredOnTheProvidersUsage() {
    FakeUpstream fake = upstream(Wire.OPENAI);
    String model = model();
    Channel channel = channel(fake, model, 0);
    ChatCompletion reply = client.chat().completions().create(chat(model, "hello there world").toBuilder()
        .putAdditionalBodyProperty("x_vendor_flag", JsonValue.from(Map.of("keep", true))).build());
    assertThat(reply.choices().get(0).message().content()).hasValue("echo: hello there world");
    assertThat(reply._additionalProperties()).containsKey("x_provider_extra");
    JsonNode sent = fake.lastReceived().json();
    assertThat(sent.path("x_vendor_flag").path("keep").asBoolean()).isTrue();
    assertThat(sent.path("model").asText()).isEqualTo(model);
    assertThat(fake.lastReceived().header("authorization")).isEqualTo("Bearer " + KEY);
    long prompt = reply.usage().orElseThrow().promptTokens();
    long completion = reply.usage().orElseThrow().completionTokens();
    assertThat(usage(model)).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(UsageStatus.SUCCEEDED);
      assertThat(r.promptTokens()).isEqualTo(prompt);
      assertThat(r.completionTokens()).isEqualTo(completion);
      assertThat(r.channel()).isEqualTo(channel.id().value());
      assertThat(r.cost()).isEqualTo(prompt + 2 * completion);
      assertThat(r.clientIp()).isEqualTo("127.0.0.1");
    });
  }

  @Test
  void aStreamIsPassedChunkByChunkAndTheUsageChunkOnlyWhenAskedFor() {
    FakeUpstream fake = upstream(Wire.OPENAI);
    String model = model();
    channel(fake, model, 0);
    StringBuilder text = new StringBuilder();
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions()
        .createStreaming(chat(model, "one two three four"))) {
      stream.stream().forEach(chunk -> {
        chunks.add(chunk);
        chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append));
      });
    }
    assertThat(text.toString()).isEqualTo("echo: one two three four");
    assertThat(chunks).hasSizeGreaterThan(2).noneMatch(c -> c.usage().isPresent());
    assertThat(fake.lastReceived().json().path("stream_options").path("include_usage").asBoolean()).isTrue();
    String sent = fake.lastReceived().body();
    assertThat(usage(model)).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(UsageStatus.SUCCEEDED);
      assertThat(r.promptTokens()).isEqualTo(FakeUpstream.promptTokensOf(sent));
      assertThat(r.completionTokens()).isEqualTo(FakeUpstream.completionTokensOf(sent));
    });
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
        chat(model, "five six").toBuilder().streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true)
            .build()).build())) {
      assertThat(stream.stream().filter(c -> c.usage().isPresent()).count()).isEqualTo(1);
    }
  }

  @Test
  void embeddingsAndTheModelListWork() {
    FakeUpstream fake = upstream(Wire.OPENAI);
    String model = model();
    channel(fake, model, 0);
    CreateEmbeddingResponse reply = client.embeddings().create(EmbeddingCreateParams.builder().model(model)
        .input("some text to embed").build());
    assertThat(reply.data()).hasSize(1);
    assertThat(reply.data().get(0).embedding()).hasSize(8);
    assertThat(usage(model)).singleElement().satisfies(r -> assertThat(r.promptTokens()).isPositive());
    assertThat(client.models().list().data().stream().map(Model::id).toList()).contains(model, "demo-echo");
  }

  @Test
  void theDemoChannelAnswersWithoutAProvider() {
    ChatCompletion reply = client.chat().completions().create(chat("demo-echo", "first call"));
    assertThat(reply.choices().get(0).message().content()).hasValue("echo: first call");
    StringBuilder streamed = new StringBuilder();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions()
        .createStreaming(chat("demo-echo", "streamed in process"))) {
      stream.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(streamed::append)));
    }
    assertThat(streamed.toString()).isEqualTo("echo: streamed in process");
    assertThat(usage("demo-echo")).hasSizeGreaterThanOrEqualTo(2)
        .allSatisfy(r -> assertThat(r.channel()).isEqualTo("local:demo"));
  }

  @Test
  void concurrentStreamsOnManyConnectionsDoNotMix() throws Exception {
    FakeUpstream fake = upstream(Wire.OPENAI);
    String model = model();
    channel(fake, model, 0);
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<String>> replies = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        String words = "caller " + i + " says " + "w" + i + " " + "v" + i;
        String target = i % 4 == 0 ? "demo-echo" : model;
        replies.add(callers.submit(() -> {
          StringBuilder text = new StringBuilder();
          try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions()
              .createStreaming(chat(target, words))) {
            stream.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(text::append)));
          }
          return text.toString();
        }));
      }
      for (int i = 0; i < replies.size(); i++) {
        assertThat(replies.get(i).get(20, java.util.concurrent.TimeUnit.SECONDS))
            .isEqualTo("echo: caller " + i + " says w" + i + " v" + i);
      }
    } finally {
      callers.shutdownNow();
    }
    assertThat(usage(model)).hasSize(12).allSatisfy(r -> assertThat(r.status()).isEqualTo(UsageStatus.SUCCEEDED));
  }

  // ------------------------------------------------------------------ bad input: no upstream call, no charge

  @Test
  void badRequestsGetOpenAiErrorsAndNeverReachTheUpstream() throws Exception {
    FakeUpstream fake = upstream(Wire.OPENAI);
    String model = model();
    channel(fake, model, 0);
    assertThatThrownBy(() -> client.chat().completions().create(chat("no-such-model", "hi")))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("does not exist");
    assertThatThrownBy(() -> sdk(server, "nsk_not-a-real-token-000000000000000000000000").chat().completions()
        .create(chat(model, "hi"))).isInstanceOf(UnauthorizedException.class);
    Raw anonymous = raw("POST", "/v1/chat/completions", null,
        HttpRequest.BodyPublishers.ofString(chatBody(model, "hi", false)));
    assertThat(anonymous.status).isEqualTo(401);
    assertThat(anonymous.json.path("error").path("code").asText()).isEqualTo("missing_api_key");

    Raw malformed = post("/v1/chat/completions", "{\"model\": \"" + model + "\", \"messages\": [");
    assertThat(malformed.status).isEqualTo(400);
    assertThat(malformed.json.path("error").path("type").asText()).isEqualTo("invalid_request_error");
    Raw missing = post("/v1/chat/completions", "{\"messages\": []}");
    assertThat(missing.status).isEqualTo(400);
    assertThat(missing.json.path("error").path("param").asText()).isEqualTo("model");

    String huge = chatBody(model, "x".repeat(70_000), false);
    Raw tooLarge = post("/v1/chat/completions", huge);
    assertThat(tooLarge.status).isEqualTo(413);
    assertThat(tooLarge.json.path("error").path("code").asText()).isEqualTo("request_too_large");
    // the same body without a Content-Length (chunked) is cut off at the limit
    Raw chunked = raw("POST", "/v1/chat/completions", token, HttpRequest.BodyPublishers.ofInputStream(
        () -> new java.io.ByteArrayInputStream(huge.getBytes(StandardCharsets.UTF_8))));
    assertThat(chunked.status).isEqualTo(413);
    assertThat(chunked.json.path("error").path("code").asText()).isEqualTo("request_too_large");

    Raw unknown = post("/v1/nothing-here", "{}");
    assertThat(unknown.status).isEqualTo(404);
    assertThat(unknown.json.path("error").path("code").asText()).isEqualTo("unknown_url");
    Raw getChat = raw("GET", "/v1/chat/completions", token, HttpRequest.BodyPublishers.noBody());
    assertThat(getChat.status).isEqualTo(405);
    assertThat(getChat.json.path("error").path("code").asText()).isEqualTo("method_not_allowed");
    assertThat(post("/v1/models", "{}").status).isEqualTo(405);
    assertThat(raw("GET", "/somewhere/else", token, HttpRequest.BodyPublishers.noBody()).status).isEqualTo(404);

    assertThat(fake.requests()).isZero();
    assertThat(usage(model)).isEmpty();
  }

  // ------------------------------------------------------------------ upstream faults

  @Test
  void aFailingChannelFailsOverToTheNextTier() {
    FakeUpstream broken = upstream(Wire.OPENAI).behave(Behavior.status(500));
    FakeUpstream good = upstream(Wire.OPENAI);
    String model = model();
    channel(broken, model, 10);
    Channel backup = channel(good, model, 0);
    ChatCompletion reply = client.chat().completions().create(chat(model, "fail over"));
    assertThat(reply.choices().get(0).message().content()).hasValue("echo: fail over");
    assertThat(broken.requests()).isEqualTo(1);
    assertThat(usage(model)).singleElement().satisfies(r -> assertThat(r.channel()).isEqualTo(backup.id().value()));
  }

  @Test
  void aMidStreamErrorEndsTheStreamWithAnErrorEventAndSettlesWhatWasDelivered() throws Exception {
    FakeUpstream fake = upstream(Wire.OPENAI).behave(Behavior.midStreamError(2));
    String model = model();
    channel(fake, model, 0);
    assertThatThrownBy(() -> {
      try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions()
          .createStreaming(chat(model, "a b c d e f g"))) {
        stream.stream().forEach(c -> { });
      }
    }).isInstanceOf(RuntimeException.class);
    // on the wire: a complete chunked response whose last event is the error
    try (RawHttp wire = new RawHttp(server.port())) {
      Response response = wire.send(RawHttp.post("/v1/chat/completions", token, chatBody(model, "h i j k", true)))
          .read();
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.header("content-type")).startsWith("text/event-stream");
      assertThat(response.body()).contains("\"error\"");
    }
    assertThat(usage(model)).hasSize(2).allSatisfy(r -> {
      assertThat(r.status()).isEqualTo(UsageStatus.FAILED);
      assertThat(r.completionTokens()).isPositive();
    });
  }

  @Test
  void aClientThatGoesAwayCancelsTheUpstreamAndIsChargedForWhatItReceived() throws Exception {
    FakeUpstream slow = upstream(Wire.OPENAI).behave(Behavior.slowStream(Duration.ofMillis(150)));
    String model = model();
    channel(slow, model, 0);
    try (RawHttp wire = new RawHttp(server.port())) {
      wire.send(RawHttp.post("/v1/chat/completions", token,
          chatBody(model, "one two three four five six seven eight nine ten", true)));
      StringBuilder seen = new StringBuilder();
      while (!seen.toString().contains("data:")) {
        seen.append(wire.readSome(512));
      }
      assertThat(seen.toString()).startsWith("HTTP/1.1 200");
    }
    assertThat(slow.awaitCancelledStreams(1, Duration.ofSeconds(10))).isTrue();
    assertThat(awaitUsage(model)).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(UsageStatus.FAILED);
      assertThat(r.errorCode()).isEqualTo("client_disconnected");
      assertThat(r.promptTokens()).isPositive();
    });
  }

  // ------------------------------------------------------------------ the connection

  @Test
  void oneConnectionServesManyRequestsInOrderPipelinedOrNot() {
    FakeUpstream fake = upstream(Wire.OPENAI);
    String model = model();
    channel(fake, model, 0);
    try (RawHttp wire = new RawHttp(server.port())) {
      Response models = wire.send(RawHttp.get("/v1/models", token)).read();
      assertThat(models.status()).isEqualTo(200);
      assertThat(models.header("content-type")).isEqualTo("application/json");
      assertThat(models.header("connection")).isNull();
      assertThat(models.body()).contains("demo-echo", model);

      Response reply = wire.send(RawHttp.post("/v1/chat/completions", token, chatBody(model, "over the wire", false)))
          .read();
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.header("x-request-id")).startsWith("req_");
      assertThat(reply.body()).contains("echo: over the wire").contains("x_provider_extra");

      Response stream = wire.send(RawHttp.post("/v1/chat/completions", token, chatBody(model, "a stream", true)))
          .read();
      assertThat(stream.status()).isEqualTo(200);
      assertThat(stream.header("transfer-encoding")).isEqualTo("chunked");
      assertThat(stream.header("cache-control")).isEqualTo("no-cache");
      assertThat(stream.body()).contains("data: ").endsWith("data: [DONE]\n\n");

      assertThat(wire.send(RawHttp.get("/v1/nope", token)).read().status()).isEqualTo(404);

      // a body over the limit is refused at its head; the rest is read and dropped, the connection stays
      Response tooLarge = wire.send(RawHttp.post("/v1/chat/completions", token,
          chatBody(model, "y".repeat(100_000), false))).read();
      assertThat(tooLarge.status()).isEqualTo(413);
      assertThat(tooLarge.body()).contains("request_too_large");
      StringBuilder chunked = new StringBuilder("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\n"
          + "Authorization: Bearer " + token + "\r\nTransfer-Encoding: chunked\r\n\r\n");
      for (int i = 0; i < 6; i++) {
        chunked.append(Integer.toHexString(16_384)).append("\r\n").append("z".repeat(16_384)).append("\r\n");
      }
      chunked.append("0\r\n\r\n");
      assertThat(wire.send(chunked.toString()).read().status()).isEqualTo(413);

      // pipelined: three requests in one write come back in order
      wire.send(RawHttp.post("/v1/chat/completions", token, chatBody(model, "first", false))
          + RawHttp.post("/v1/chat/completions", token, chatBody("demo-echo", "second", true))
          + RawHttp.get("/v1/models", token));
      assertThat(wire.read().body()).contains("echo: first");
      assertThat(wire.read().body()).contains("echo: ").contains("second").endsWith("data: [DONE]\n\n");
      assertThat(wire.read().body()).contains("\"object\":\"list\"");

      Response last = wire.send(RawHttp.get("/v1/models", token, "Connection: close\r\n")).read();
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
      wire.send("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer " + token
          + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " + body.length()
          + "\r\n\r\n");
      assertThat(wire.read().status()).isEqualTo(100);
      Response reply = wire.send(body).read();
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body()).contains("echo: after continue");
      // too large with Expect: the body is never asked for, and the connection ends
      Response refused = wire.send("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer "
          + token + "\r\nExpect: 100-continue\r\nContent-Length: 1000000\r\n\r\n").read();
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
      Response old = wire.send("GET /v1/models HTTP/1.0\r\nAuthorization: Bearer " + token + "\r\n\r\n").read();
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
      OpenAIClient viaNio = sdk(nio, token);
      assertThat(viaNio.chat().completions().create(chat(model, "via nio")).choices().get(0).message().content())
          .hasValue("echo: via nio");
      StringBuilder streamed = new StringBuilder();
      try (StreamResponse<ChatCompletionChunk> stream = viaNio.chat().completions()
          .createStreaming(chat("demo-echo", "offloaded stream"))) {
        stream.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(streamed::append)));
      }
      assertThat(streamed.toString()).isEqualTo("echo: offloaded stream");
      try (RawHttp wire = new RawHttp(nio.port())) {
        Response healthz = wire.send(RawHttp.get("/healthz", null)).read();
        assertThat(healthz.status()).isEqualTo(200);
        assertThat(healthz.body()).isEqualTo("ok from 127.0.0.1");
        assertThat(wire.send(RawHttp.get("/admin/v1/other", null)).read().status()).isEqualTo(404);
        Response gatewayPath = wire.send(RawHttp.get("/v1/unknown", token)).read();
        assertThat(gatewayPath.status()).isEqualTo(404);
        assertThat(gatewayPath.body()).contains("unknown_url");
        assertThat(wire.send(RawHttp.get("/v1/models", token)).read().body()).contains(model);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
