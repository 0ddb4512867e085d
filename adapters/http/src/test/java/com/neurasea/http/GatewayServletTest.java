package com.neurasea.http;

import static com.neurasea.http.ApiServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.neurasea.http.ApiServer.Reply;
import com.neurasea.model.AccountRef;
import com.neurasea.model.Caller;
import com.neurasea.model.Channel;
import com.neurasea.model.ChannelStatus;
import com.neurasea.model.ChannelType;
import com.neurasea.model.CreateChannel;
import com.neurasea.model.Meter;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Principal;
import com.neurasea.model.QuotaLimits;
import com.neurasea.model.ResetPeriod;
import com.neurasea.model.SetModelPrice;
import com.neurasea.model.TenantId;
import com.neurasea.model.UsageQuery;
import com.neurasea.model.UsageRecord;
import com.neurasea.model.UsageStatus;
import com.neurasea.routing.BreakerState;
import com.neurasea.routing.ChannelState;
import com.neurasea.routing.GatewaySettings;
import com.neurasea.tck.upstream.Behavior;
import com.neurasea.tck.upstream.FakeUpstream;
import com.neurasea.tck.upstream.FakeUpstream.Wire;
import com.neurasea.upstream.jdk.JdkUpstreamTransport;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway over the servlet binding, driven by the official OpenAI Java SDK against fake
 * upstreams on loopback that speak OpenAI's, Azure's and Anthropic's wire formats.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayServletTest {
  private static final String KEY = "sk-upstream-key-0123456789";
  private static final AtomicInteger MODELS = new AtomicInteger();
  ApiServer api;
  JdkUpstreamTransport transport;
  String tenant;
  TenantId tenantId;
  Caller system;
  /** Channels are platform-wide so that the tests' other tenants reach them too. */
  final Caller platform = Caller.platform(Principal.system());
  String aliceToken;
  OpenAIClient client;
  final List<FakeUpstream> upstreams = new ArrayList<>();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    transport = new JdkUpstreamTransport();
    GatewaySettings settings = GatewaySettings.DEFAULT.withMaxRequestBytes(64 * 1024).withRetries(3, 300)
        .withBreaker(10_000, 4, 50, 3, 60_000, 60_000).withDemoChannel(true);
    api = ApiServer.start(dir, List.of(), b -> b.upstreamTransport(transport).gatewaySettings(settings));
    tenant = api.post("/admin/v1/tenants", api.admin, json("slug", "gateway-co", "name", "Gateway")).id();
    tenantId = TenantId.of(tenant);
    system = Caller.system(tenantId);
    api.passwordUser(tenant, "alice", "rol_member");
    aliceToken = token(json("name", "sdk"));
    client = sdk(aliceToken);
  }

  @AfterAll
  void stop() {
    upstreams.forEach(FakeUpstream::close);
    api.close();
    transport.close();
  }

  private String token(String body) {
    Reply issued = api.post("/admin/v1/tenants/" + tenant + "/tokens", ApiServer.basic("alice", ApiServer.PASSWORD),
        body);
    assertThat(issued.status()).as(issued.text()).isEqualTo(201);
    return issued.field("secret");
  }

  private OpenAIClient sdk(String token) {
    return OpenAIOkHttpClient.builder().baseUrl(api.base() + "/v1").apiKey(token).maxRetries(0)
        .timeout(Duration.ofSeconds(20)).build();
  }

  private FakeUpstream upstream(Wire wire) {
    FakeUpstream fake = FakeUpstream.start(wire).expectKey(KEY);
    upstreams.add(fake);
    return fake;
  }

  /** A fresh priced model name, so tests do not share channels. */
  private String model() {
    String name = "gpt-4o-mini-t" + MODELS.incrementAndGet();
    api.platform.prices().setPrice(Caller.platform(Principal.system()),
        new SetModelPrice(name, Instant.now().minusSeconds(60), 1_000_000, 2_000_000, 500_000, 0, Map.of()));
    return name;
  }

  private Channel channel(FakeUpstream fake, String model, int priority) {
    ChannelType type = switch (fake.wire()) {
      case OPENAI -> ChannelType.OPENAI;
      case AZURE -> ChannelType.AZURE_OPENAI;
      case ANTHROPIC -> ChannelType.ANTHROPIC;
    };
    return api.platform.channels().create(platform, CreateChannel.of("c-" + MODELS.incrementAndGet(), type,
        fake.baseUrl(), KEY, List.of(model)).withRouting(priority, 1).withTimeouts(2_000, 2_000));
  }

  private List<UsageRecord> usage(String model) {
    api.platform.quotaEngine().flush();
    return api.platform.quotas().usage(system, new UsageQuery(tenantId, null, null, model, null, null, null),
        PageRequest.first(500));
  }

  private static ChatCompletionCreateParams chat(String model, String text) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage(text).build();
  }

  // ------------------------------------------------------------------ happy paths

  @Test
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
    List<UsageRecord> records = usage(model);
    assertThat(records).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(UsageStatus.SUCCEEDED);
      assertThat(r.promptTokens()).isEqualTo(prompt);
      assertThat(r.completionTokens()).isEqualTo(completion);
      assertThat(r.channel()).isEqualTo(channel.id().value());
      assertThat(r.cost()).isEqualTo(prompt + 2 * completion);
    });
  }

  @Test
  void aStreamIsPassedChunkByChunkAndSettledOnTheUsageTheGatewayAskedFor() throws Exception {
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
    // the client did not ask for usage: the gateway asked the provider and kept it for itself
    assertThat(chunks).noneMatch(c -> c.usage().isPresent());
    assertThat(fake.lastReceived().json().path("stream_options").path("include_usage").asBoolean()).isTrue();
    String sent = fake.lastReceived().body();
    assertThat(usage(model)).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(UsageStatus.SUCCEEDED);
      assertThat(r.promptTokens()).isEqualTo(FakeUpstream.promptTokensOf(sent));
      assertThat(r.completionTokens()).isEqualTo(FakeUpstream.completionTokensOf(sent));
    });
    // asked for, the usage chunk reaches the client
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
    List<String> ids = client.models().list().data().stream().map(Model::id).toList();
    assertThat(ids).contains(model, "demo-echo");
    // a token limited to some models lists only those, and may call no other
    String limited = token(json("name", "limited", "modelAllowList", List.of("demo-*")));
    OpenAIClient narrow = sdk(limited);
    assertThat(narrow.models().list().data().stream().map(Model::id).toList()).containsExactly("demo-echo");
    int before = fake.requests();
    assertThatThrownBy(() -> narrow.chat().completions().create(chat(model, "hi")))
        .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("may not use the model");
    assertThat(fake.requests()).isEqualTo(before);
  }

  @Test
  void azureAndAnthropicChannelsSpeakTheirProvidersFormats() {
    FakeUpstream azure = upstream(Wire.AZURE);
    String azureModel = model();
    api.platform.channels().create(platform, CreateChannel.of("azure-" + MODELS.incrementAndGet(),
        ChannelType.AZURE_OPENAI, azure.baseUrl(), KEY, List.of(azureModel))
        .withModelMapping(Map.of(azureModel, "my-deployment")).withOptions(Map.of("api-version", "2024-06-01")));
    ChatCompletion viaAzure = client.chat().completions().create(chat(azureModel, "azure says hi"));
    assertThat(viaAzure.choices().get(0).message().content()).hasValue("echo: azure says hi");
    assertThat(azure.lastReceived().path()).isEqualTo("/openai/deployments/my-deployment/chat/completions");
    assertThat(azure.lastReceived().query()).contains("api-version=2024-06-01");
    assertThat(azure.lastReceived().header("api-key")).isEqualTo(KEY);

    FakeUpstream anthropic = upstream(Wire.ANTHROPIC);
    String claude = model();
    channel(anthropic, claude, 0);
    ChatCompletion viaClaude = client.chat().completions().create(ChatCompletionCreateParams.builder().model(claude)
        .addSystemMessage("be brief").addUserMessage("claude says hi").build());
    assertThat(viaClaude.choices().get(0).message().content()).hasValue("echo: claude says hi");
    JsonNode sent = anthropic.lastReceived().json();
    assertThat(sent.path("system").asText()).isEqualTo("be brief");
    assertThat(sent.path("max_tokens").asInt()).isPositive();
    StringBuilder streamed = new StringBuilder();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions()
        .createStreaming(chat(claude, "stream from claude"))) {
      stream.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(streamed::append)));
    }
    assertThat(streamed.toString()).isEqualTo("echo: stream from claude");
    assertThat(usage(claude)).hasSize(2).allSatisfy(r -> {
      assertThat(r.status()).isEqualTo(UsageStatus.SUCCEEDED);
      assertThat(r.completionTokens()).isPositive();
    });
  }

  @Test
  void theDemoChannelAnswersWithoutAProviderAndDisclosesNothing() {
    ChatCompletion reply = client.chat().completions().create(chat("demo-echo", "first call"));
    assertThat(reply.choices().get(0).message().content()).hasValue("echo: first call");
    assertThat(usage("demo-echo")).isNotEmpty().allSatisfy(r -> assertThat(r.channel()).isEqualTo("local:demo"));
  }

  // ------------------------------------------------------------------ bad input: no upstream call, no charge

  @Test
  void badRequestsGetOpenAiErrorsAndNeverReachTheUpstream() throws Exception {
    FakeUpstream fake = upstream(Wire.OPENAI);
    String model = model();
    channel(fake, model, 0);
    assertThatThrownBy(() -> client.chat().completions().create(chat("no-such-model", "hi")))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("does not exist");
    assertThatThrownBy(() -> sdk("nsk_not-a-real-token-000000000000000000000000").chat().completions()
        .create(chat(model, "hi"))).isInstanceOf(UnauthorizedException.class);
    String expired = token(json("name", "soon", "expiresAt", Instant.now().plusSeconds(1).toString()));
    Thread.sleep(1_200);
    assertThatThrownBy(() -> sdk(expired).chat().completions().create(chat(model, "hi")))
        .isInstanceOf(UnauthorizedException.class);
    String elsewhere = token(json("name", "office-only", "ipAllowList", List.of("10.1.0.0/16")));
    assertThatThrownBy(() -> sdk(elsewhere).chat().completions().create(chat(model, "hi")))
        .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("address");
    Raw malformed = raw("/v1/chat/completions", aliceToken, "{\"model\": \"" + model + "\", \"messages\": [");
    assertThat(malformed.status).isEqualTo(400);
    assertThat(malformed.json.path("error").path("type").asText()).isEqualTo("invalid_request_error");
    Raw missing = raw("/v1/chat/completions", aliceToken, "{\"messages\": []}");
    assertThat(missing.status).isEqualTo(400);
    assertThat(missing.json.path("error").path("param").asText()).isEqualTo("model");
    Raw huge = raw("/v1/chat/completions", aliceToken, "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\","
        + "\"content\":\"" + "x".repeat(70_000) + "\"}]}");
    assertThat(huge.status).isEqualTo(413);
    assertThat(huge.json.path("error").path("code").asText()).isEqualTo("request_too_large");
    assertThat(raw("/v1/nothing-here", aliceToken, "{}").status).isEqualTo(404);
    assertThat(fake.requests()).isZero();
    assertThat(usage(model)).isEmpty();
  }

  @Test
  void aSuspendedTenantAndAnExhaustedBudgetAreRefusedBeforeAnyUpstreamCall() {
    FakeUpstream fake = upstream(Wire.OPENAI);
    String model = model();
    channel(fake, model, 0);
    String other = api.post("/admin/v1/tenants", api.admin, json("slug", "gw-broke", "name", "Broke")).id();
    api.passwordUser(other, "bert", "rol_member");
    Reply issued = api.post("/admin/v1/tenants/" + other + "/tokens", ApiServer.basic("bert", ApiServer.PASSWORD),
        json("name", "t"));
    OpenAIClient bert = sdk(issued.field("secret"));
    api.platform.quotas().setLimits(Caller.system(TenantId.of(other)), AccountRef.tenant(TenantId.of(other)),
        QuotaLimits.budget(10, ResetPeriod.MONTHLY));
    assertThatThrownBy(() -> bert.chat().completions().create(chat(model, "too expensive")))
        .isInstanceOf(RateLimitException.class);
    Reply suspended = api.put("/admin/v1/tenants/" + other + "/status", api.admin, json("status", "SUSPENDED"));
    assertThat(suspended.status()).as(suspended.text()).isEqualTo(200);
    assertThatThrownBy(() -> bert.chat().completions().create(chat(model, "hi")))
        .isInstanceOf(PermissionDeniedException.class);
    assertThat(fake.requests()).isZero();
  }

  // ------------------------------------------------------------------ upstream faults

  @Test
  void aFailingChannelFailsOverToTheNextTierAndTheRecordNamesTheChannelThatServed() {
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
  void aClientErrorIsNeverRetriedAndNotCharged() {
    FakeUpstream first = upstream(Wire.OPENAI).behave(Behavior.status(422));
    FakeUpstream second = upstream(Wire.OPENAI);
    String model = model();
    channel(first, model, 10);
    channel(second, model, 0);
    assertThatThrownBy(() -> client.chat().completions().create(chat(model, "bad")))
        .isInstanceOf(OpenAIServiceException.class)
        .satisfies(e -> assertThat(((OpenAIServiceException) e).statusCode()).isEqualTo(422));
    assertThat(second.requests()).isZero();
    assertThat(usage(model)).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(UsageStatus.RELEASED);
      assertThat(r.cost()).isZero();
    });
  }

  @Test
  void aRateLimitedProviderIsAnswered429WithItsRetryAfter() throws Exception {
    FakeUpstream limited = upstream(Wire.OPENAI).behave(Behavior.status(429, "30"));
    String model = model();
    channel(limited, model, 0);
    Raw reply = raw("/v1/chat/completions", aliceToken, "{\"model\":\"" + model
        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(reply.status).isEqualTo(429);
    assertThat(reply.retryAfter).isEqualTo("30");
    assertThat(limited.requests()).isEqualTo(1);
  }

  @Test
  void rejectedCredentialsDisableTheChannelAndAProbeEnablesItAgain() {
    FakeUpstream fake = upstream(Wire.OPENAI).expectKey("sk-the-right-key-000000");
    FakeUpstream backup = upstream(Wire.OPENAI);
    String model = model();
    Channel bad = channel(fake, model, 10);
    channel(backup, model, 0);
    ChatCompletion reply = client.chat().completions().create(chat(model, "who answers"));
    assertThat(reply.choices().get(0).message().content()).hasValue("echo: who answers");
    Channel after = awaitStatus(bad, ChannelStatus.AUTO_DISABLED);
    assertThat(after.statusReason()).contains("401");
    // the operator fixes the key at the provider: the next probe re-enables the channel
    fake.expectKey(KEY);
    awaitStatus(bad, ChannelStatus.ENABLED);
  }

  private Channel awaitStatus(Channel channel, ChannelStatus status) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      Channel now = api.platform.channels().get(platform, channel.id());
      if (now.status() == status || System.currentTimeMillis() > deadline) {
        assertThat(now.status()).isEqualTo(status);
        return now;
      }
      if (status == ChannelStatus.ENABLED) {
        api.platform.channels().probeNow(platform);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void repeatedFailuresOpenTheBreakerAndTheAdminViewShowsIt() {
    FakeUpstream down = upstream(Wire.OPENAI).behave(Behavior.status(503));
    String model = model();
    Channel channel = channel(down, model, 0);
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> client.chat().completions().create(chat(model, "x")))
          .isInstanceOf(OpenAIServiceException.class);
    }
    int seen = down.requests();
    assertThatThrownBy(() -> client.chat().completions().create(chat(model, "x")))
        .isInstanceOf(OpenAIServiceException.class)
        .satisfies(e -> assertThat(((OpenAIServiceException) e).statusCode()).isEqualTo(503));
    assertThat(down.requests()).as("an open breaker sends nothing").isEqualTo(seen);
    ChannelState state = api.platform.channels().states(platform).stream()
        .filter(s -> s.channel().id().equals(channel.id())).findFirst().orElseThrow();
    assertThat(state.breaker()).isEqualTo(BreakerState.OPEN);
    assertThat(state.recentErrors()).isNotEmpty().allSatisfy(e -> assertThat(e.status()).isEqualTo(503));
    Reply view = api.get("/admin/v1/channels/health", api.admin);
    assertThat(view.status()).as(view.text()).isEqualTo(200);
    assertThat(view.text()).contains("\"open\"").doesNotContain(KEY);
  }

  @Test
  void garbageAndTruncatedRepliesEndWithTheRightErrors() {
    FakeUpstream garbage = upstream(Wire.OPENAI).behave(Behavior.garbage());
    String model = model();
    channel(garbage, model, 0);
    assertThatThrownBy(() -> client.chat().completions().create(chat(model, "x")))
        .isInstanceOf(OpenAIServiceException.class)
        .satisfies(e -> assertThat(((OpenAIServiceException) e).statusCode()).isEqualTo(502));
    FakeUpstream truncating = upstream(Wire.OPENAI).behave(Behavior.truncateAfter(2));
    String cut = model();
    channel(truncating, cut, 0);
    StringBuilder text = new StringBuilder();
    assertThatThrownBy(() -> {
      try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions()
          .createStreaming(chat(cut, "a b c d e f g"))) {
        stream.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(text::append)));
      }
    }).hasMessageContaining("ended before it was complete");
    assertThat(usage(cut)).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(UsageStatus.FAILED);
      assertThat(r.errorCode()).isEqualTo("upstream_truncated");
      assertThat(r.completionTokens()).isPositive();
    });
  }

  @Test
  void aMidStreamErrorEndsTheStreamWithAnErrorEventAndSettlesWhatWasDelivered() {
    FakeUpstream fake = upstream(Wire.OPENAI).behave(Behavior.midStreamError(2));
    String model = model();
    channel(fake, model, 0);
    assertThatThrownBy(() -> {
      try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions()
          .createStreaming(chat(model, "a b c d e f g"))) {
        stream.stream().forEach(c -> { });
      }
    }).isInstanceOf(RuntimeException.class);
    assertThat(usage(model)).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(UsageStatus.FAILED);
      assertThat(r.completionTokens()).isPositive();
    });
  }

  @Test
  void aClientThatGoesAwayCancelsTheUpstreamAndIsChargedForWhatItReceived() throws Exception {
    FakeUpstream slow = upstream(Wire.OPENAI).behave(Behavior.slowStream(Duration.ofMillis(150)));
    String model = model();
    channel(slow, model, 0);
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest request = HttpRequest.newBuilder(URI.create(api.base() + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + aliceToken).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"stream\":true,\"messages\":"
            + "[{\"role\":\"user\",\"content\":\"one two three four five six seven eight nine ten\"}]}"))
        .build();
    HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      byte[] first = body.readNBytes(200);
      assertThat(new String(first)).contains("data:");
    }
    assertThat(slow.awaitCancelledStreams(1, Duration.ofSeconds(10))).isTrue();
    long deadline = System.currentTimeMillis() + 10_000;
    List<UsageRecord> records = usage(model);
    while (records.isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
      records = usage(model);
    }
    assertThat(records).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(UsageStatus.FAILED);
      assertThat(r.errorCode()).isEqualTo("client_disconnected");
      assertThat(r.promptTokens()).isPositive();
    });
  }

  @Test
  void afterARandomizedFaultRunTheUsageRecordsAddUpToTheQuotaConsumed() {
    Behavior[] faults = {Behavior.normal(), Behavior.status(500), Behavior.status(429, null), Behavior.garbage(),
        Behavior.truncateAfter(1), Behavior.midStreamError(1), Behavior.status(400), Behavior.normal()};
    FakeUpstream a = upstream(Wire.OPENAI);
    FakeUpstream b = upstream(Wire.OPENAI);
    String model = model();
    channel(a, model, 5);
    channel(b, model, 0);
    String other = api.post("/admin/v1/tenants", api.admin, json("slug", "gw-books", "name", "Books")).id();
    TenantId otherId = TenantId.of(other);
    api.passwordUser(other, "carl", "rol_member");
    Reply issued = api.post("/admin/v1/tenants/" + other + "/tokens", ApiServer.basic("carl", ApiServer.PASSWORD),
        json("name", "t"));
    OpenAIClient carl = sdk(issued.field("secret"));
    api.platform.quotas().setLimits(Caller.system(otherId), AccountRef.tenant(otherId),
        QuotaLimits.budget(1_000_000_000L, ResetPeriod.NONE));
    Random random = new Random(42);
    int ok = 0;
    for (int i = 0; i < 40; i++) {
      a.behaveOnce(faults[random.nextInt(faults.length)]);
      b.behaveOnce(faults[random.nextInt(faults.length)]);
      try {
        if (random.nextBoolean()) {
          carl.chat().completions().create(chat(model, "request " + i));
        } else {
          try (StreamResponse<ChatCompletionChunk> stream = carl.chat().completions()
              .createStreaming(chat(model, "streamed request " + i))) {
            stream.stream().forEach(c -> { });
          }
        }
        ok++;
      } catch (RuntimeException expected) {
        // faults surface as SDK errors
      }
    }
    assertThat(ok).isPositive();
    api.platform.quotaEngine().flush();
    List<UsageRecord> records = api.platform.quotas().usage(Caller.system(otherId),
        new UsageQuery(otherId, null, null, model, null, null, null), PageRequest.first(500));
    assertThat(records).hasSize(40);
    long charged = records.stream().mapToLong(UsageRecord::cost).sum();
    long spent = api.platform.quotas().account(Caller.system(otherId), AccountRef.tenant(otherId)).meters().stream()
        .filter(m -> m.meter() == Meter.CREDITS).findFirst().orElseThrow().used();
    assertThat(spent).isEqualTo(charged);
    assertThat(records.stream().collect(Collectors.groupingBy(UsageRecord::status, Collectors.counting())))
        .containsKey(UsageStatus.SUCCEEDED);
  }

  // ------------------------------------------------------------------ admin API

  @Test
  void channelsAreAdministeredOverHttpAndTheirKeysNeverComeBack() {
    String auth = api.admin;
    Reply created = api.post("/admin/v1/channels", auth, json("name", "platform-openai", "type", "openai",
        "baseUrl", "https://api.openai.com", "apiKey", "sk-secret-value-123456789", "models", List.of("gpt-x"),
        "priority", 5));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    assertThat(created.text()).doesNotContain("sk-secret-value-123456789").contains("…6789");
    String id = created.id();
    Reply bad = api.post("/admin/v1/channels", auth, json("name", "", "type", "openai", "baseUrl", "ftp://x",
        "models", List.of(), "weight", 0));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.text()).contains("name").contains("baseUrl").contains("models").contains("weight");
    Reply patched = api.patch("/admin/v1/channels/" + id, auth, json("status", "disabled", "weight", 3));
    assertThat(patched.status()).as(patched.text()).isEqualTo(200);
    assertThat(patched.json().path("status").asText()).isEqualTo("disabled");
    assertThat(api.put("/admin/v1/model-aliases/fast", auth, json("model", "gpt-x")).status()).isEqualTo(200);
    assertThat(api.get("/admin/v1/model-aliases", auth).text()).contains("\"fast\"");
    assertThat(api.delete("/admin/v1/channels/" + id, auth).status()).isEqualTo(204);
    assertThat(api.get("/admin/v1/channels/" + id, auth).status()).isEqualTo(404);
    // a tenant's members cannot administer channels
    Reply member = api.get("/admin/v1/tenants/" + tenant + "/channels", ApiServer.basic("alice", ApiServer.PASSWORD));
    assertThat(member.status()).isEqualTo(403);
  }

  @Test
  void anAliasMapsToTheRealModelAndThePriceOfTheNameUsed() {
    FakeUpstream fake = upstream(Wire.OPENAI);
    String model = model();
    channel(fake, model, 0);
    String alias = "fast-" + MODELS.incrementAndGet();
    api.platform.channels().putAlias(system, alias, model);
    ChatCompletion reply = client.chat().completions().create(chat(alias, "aliased"));
    assertThat(reply.choices().get(0).message().content()).hasValue("echo: aliased");
    assertThat(fake.lastReceived().json().path("model").asText()).isEqualTo(model);
    assertThat(usage(alias)).singleElement().satisfies(r -> assertThat(r.cost()).isPositive());
  }

  private record Raw(int status, JsonNode json, String retryAfter) {}

  private Raw raw(String path, String token, String body) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api.base()
        + path)).header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = ApiServer.JSON.readTree(response.body().isEmpty() ? "{}" : response.body());
    return new Raw(response.statusCode(), json, response.headers().firstValue("Retry-After").orElse(null));
  }
}
