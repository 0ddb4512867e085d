package com.neurasea.http.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.neurasea.NeuraSea;
import com.neurasea.identity.BootstrapResult;
import com.neurasea.identity.PasswordPolicy;
import com.neurasea.model.AccountRef;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.Caller;
import com.neurasea.model.Channel;
import com.neurasea.model.ChannelStatus;
import com.neurasea.model.ChannelType;
import com.neurasea.model.CreateBinding;
import com.neurasea.model.CreateChannel;
import com.neurasea.model.CreateTenant;
import com.neurasea.model.CreateToken;
import com.neurasea.model.CreateUser;
import com.neurasea.model.LoginMethod;
import com.neurasea.model.Meter;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Principal;
import com.neurasea.model.QuotaLimits;
import com.neurasea.model.ResetPeriod;
import com.neurasea.model.Scope;
import com.neurasea.model.SetModelPrice;
import com.neurasea.model.Subject;
import com.neurasea.model.TenantId;
import com.neurasea.model.TenantStatus;
import com.neurasea.model.UsageQuery;
import com.neurasea.model.UsageRecord;
import com.neurasea.model.UsageStatus;
import com.neurasea.model.User;
import com.neurasea.routing.BreakerState;
import com.neurasea.routing.ChannelState;
import com.neurasea.routing.GatewaySettings;
import com.neurasea.spi.Storage;
import com.neurasea.store.sqlite.SqliteStorage;
import com.neurasea.tck.upstream.Behavior;
import com.neurasea.tck.upstream.FakeUpstream;
import com.neurasea.tck.upstream.FakeUpstream.Wire;
import com.neurasea.spi.UpstreamTransport;
import com.neurasea.upstream.jdk.JdkUpstreamTransport;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
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
import java.io.ByteArrayInputStream;
import java.io.InputStream;
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
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway tests every host binding passes: the OpenAI-compatible API driven by the official
 * OpenAI Java SDK (and by a plain HTTP client) against fake upstreams on loopback that speak
 * OpenAI's, Azure's and Anthropic's wire formats.
 *
 * <p>The contract owns the platform (SQLite in a temporary directory, the JDK upstream transport,
 * small breaker timings and the demo channel) and sets it up through the Java API only: a tenant
 * with a member, {@link #aliceToken}, whose usage the tests read back. A binding's test class
 * extends it and serves that platform's gateway from {@link #start(NeuraSea)}; it adds the tests
 * only its binding can pass (an admin API, keep-alive on the wire, ...).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class GatewayBindingContract {
  /** The key every fake upstream expects. */
  protected static final String KEY = "sk-upstream-key-0123456789";
  protected static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger NAMES = new AtomicInteger();

  /** A running binding of the gateway. */
  protected interface Binding extends AutoCloseable {
    /** Where the binding listens, e.g. {@code http://127.0.0.1:1234}; the gateway is under {@code /v1/}. */
    URI baseUri();

    /** Stops the binding; the platform stays open. */
    @Override
    void close();

    /** A binding at a base URI, stopped by {@code stop}. */
    static Binding of(URI baseUri, Runnable stop) {
      return new Binding() {
        @Override
        public URI baseUri() {
          return baseUri;
        }

        @Override
        public void close() {
          stop.run();
        }
      };
    }
  }

  /** Channels are platform-wide, so that the tests' other tenants reach them too. */
  protected final Caller platformCaller = Caller.platform(Principal.system());
  private final List<FakeUpstream> upstreams = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private Storage storage;
  private UpstreamTransport transport;
  private Binding binding;
  protected NeuraSea platform;
  protected BootstrapResult bootstrap;
  /** The platform administrator, acting at platform level. */
  protected Caller admin;
  /** The tests' tenant ({@code gateway-co}), its member {@code alice} and her token. */
  protected TenantId tenantId;
  protected Caller system;
  protected Caller alice;
  protected String aliceToken;
  /** The SDK on the binding with {@link #aliceToken}. */
  protected OpenAIClient client;

  /**
   * Serves {@code platform}'s gateway.
   *
   * @param platform the platform, set up and open (it is the contract's to close)
   * @return the running binding
   */
  protected abstract Binding start(NeuraSea platform) throws Exception;

  /** The upstream transport the platform is built with (the JDK's unless a binding pairs with another). */
  protected UpstreamTransport newTransport() {
    return new JdkUpstreamTransport();
  }

  @BeforeAll
  void startPlatformAndBinding(@TempDir Path dir) throws Exception {
    transport = newTransport();
    GatewaySettings settings = GatewaySettings.DEFAULT.withMaxRequestBytes(64 * 1024).withRetries(3, 300)
        .withBreaker(10_000, 4, 50, 3, 60_000, 60_000).withDemoChannel(true);
    storage = SqliteStorage.builder().path(dir.resolve("t.db")).build();
    platform = NeuraSea.builder().storage(storage).keyFile(dir.resolve("k")).passwordPolicy(PasswordPolicy.forTests())
        .upstreamTransport(transport).gatewaySettings(settings).build();
    bootstrap = platform.bootstrap("admin", "platform").orElseThrow();
    admin = Caller.platform(Principal.user(bootstrap.admin().id()));
    Member member = member("gateway-co", "alice");
    tenantId = member.tenant();
    system = Caller.system(tenantId);
    alice = member.caller();
    aliceToken = member.token();
    binding = start(platform);
    client = sdk(aliceToken);
  }

  @AfterAll
  void stopBindingAndPlatform() {
    try {
      if (binding != null) {
        binding.close();
      }
    } finally {
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
  }

  // ------------------------------------------------------------------ fixtures

  /** A member of a new tenant, with an API token. */
  protected record Member(TenantId tenant, Caller caller, String token) {}

  /** Creates a tenant with one member (role {@code member}) holding an API token. */
  protected Member member(String slug, String username) {
    TenantId tenant = platform.tenancy().createTenant(admin, new CreateTenant(slug, slug, null)).id();
    Caller inTenant = admin.inTenant(tenant);
    User user = platform.tenancy().createUser(inTenant, new CreateUser(username, null, username + "@example.com",
        null, LoginMethod.TOKEN_ONLY, null));
    platform.permissions().createBinding(inTenant, new CreateBinding(Subject.user(user.id()),
        BuiltInRole.MEMBER.id(), Scope.tenant()));
    Caller caller = Caller.in(Principal.user(user.id()), tenant);
    return new Member(tenant, caller, token(caller, new CreateToken("sdk", null, null, null)));
  }

  /** Issues an API token as {@code owner}; answers its secret. */
  protected String token(Caller owner, CreateToken command) {
    return platform.identity().createToken(owner, command).secret();
  }

  /** The binding's base URI. */
  protected URI base() {
    return binding.baseUri();
  }

  /** The SDK on this binding with a token. */
  protected OpenAIClient sdk(String token) {
    return sdk(base(), token);
  }

  /** The SDK on a server at {@code base} with a token. */
  protected static OpenAIClient sdk(URI base, String token) {
    return OpenAIOkHttpClient.builder().baseUrl(base + "/v1").apiKey(token).maxRetries(0)
        .timeout(Duration.ofSeconds(20)).build();
  }

  /** A fake upstream, closed after the class, that expects {@link #KEY}. */
  protected FakeUpstream upstream(Wire wire) {
    FakeUpstream fake = FakeUpstream.start(wire).expectKey(KEY);
    upstreams.add(fake);
    return fake;
  }

  /** A fresh priced model name, so tests do not share channels. */
  protected String model() {
    String name = "gpt-4o-mini-t" + NAMES.incrementAndGet();
    platform.prices().setPrice(platformCaller,
        new SetModelPrice(name, Instant.now().minusSeconds(60), 1_000_000, 2_000_000, 500_000, 0, Map.of()));
    return name;
  }

  /** A platform channel to a fake upstream serving one model. */
  protected Channel channel(FakeUpstream fake, String model, int priority) {
    ChannelType type = switch (fake.wire()) {
      case OPENAI -> ChannelType.OPENAI;
      case AZURE -> ChannelType.AZURE_OPENAI;
      case ANTHROPIC -> ChannelType.ANTHROPIC;
    };
    return platform.channels().create(platformCaller, CreateChannel.of("c-" + NAMES.incrementAndGet(), type,
        fake.baseUrl(), KEY, List.of(model)).withRouting(priority, 1).withTimeouts(2_000, 2_000));
  }

  /** The usage records of the tests' tenant for a model, after a flush. */
  protected List<UsageRecord> usage(String model) {
    return usage(tenantId, model);
  }

  protected List<UsageRecord> usage(TenantId tenant, String model) {
    platform.quotaEngine().flush();
    return platform.quotas().usage(Caller.system(tenant), new UsageQuery(tenant, null, null, model, null, null, null),
        PageRequest.first(500));
  }

  /** The usage records for a model once there are any (a request settled after its answer). */
  protected List<UsageRecord> awaitUsage(String model) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    List<UsageRecord> records = usage(model);
    while (records.isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
      records = usage(model);
    }
    return records;
  }

  protected static ChatCompletionCreateParams chat(String model, String text) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage(text).build();
  }

  protected static String chatBody(String model, String text, boolean stream) {
    return "{\"model\":\"" + model + "\"," + (stream ? "\"stream\":true," : "")
        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
  }

  /** The text a stream delivers. */
  protected static String streamed(OpenAIClient sdk, ChatCompletionCreateParams params) {
    StringBuilder text = new StringBuilder();
    try (StreamResponse<ChatCompletionChunk> stream = sdk.chat().completions().createStreaming(params)) {
      stream.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(text::append)));
    }
    return text.toString();
  }

  /** An answer read by a plain HTTP client: status, body (as JSON when it is) and headers. */
  protected record Raw(int status, String body, JsonNode json, HttpResponse<String> response) {
    public String header(String name) {
      return response.headers().firstValue(name).orElse(null);
    }

    public String errorCode() {
      return json.path("error").path("code").asText();
    }
  }

  /** A request to the binding by a plain HTTP/1.1 client; {@code token} may be null. */
  protected Raw raw(String method, String path, String token, HttpRequest.BodyPublisher body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(10))
        .method(method, body).header("Content-Type", "application/json");
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json;
    try {
      json = JSON.readTree(response.body().isEmpty() ? "{}" : response.body());
    } catch (com.fasterxml.jackson.core.JsonProcessingException notJson) {
      json = JSON.createObjectNode();
    }
    return new Raw(response.statusCode(), response.body(), json, response);
  }

  /** A POST with {@link #aliceToken}. */
  protected Raw post(String path, String body) throws Exception {
    return raw("POST", path, aliceToken, HttpRequest.BodyPublishers.ofString(body));
  }

  /**
   * Checks what a binding's admin API shows of a channel whose breaker the contract just opened;
   * bindings without an admin API check nothing.
   */
  protected void checkAdminViewOfOpenBreaker(Channel channel) {}

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
  void aStreamIsPassedChunkByChunkAndSettledOnTheUsageTheGatewayAskedFor() {
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
    assertThat(chunks).hasSizeGreaterThan(2).noneMatch(c -> c.usage().isPresent());
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
    OpenAIClient narrow = sdk(token(alice, new CreateToken("limited", null, null, List.of("demo-*"))));
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
    platform.channels().create(platformCaller, CreateChannel.of("azure-" + NAMES.incrementAndGet(),
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
    assertThat(streamed(client, chat(claude, "stream from claude"))).isEqualTo("echo: stream from claude");
    assertThat(usage(claude)).hasSize(2).allSatisfy(r -> {
      assertThat(r.status()).isEqualTo(UsageStatus.SUCCEEDED);
      assertThat(r.completionTokens()).isPositive();
    });
  }

  @Test
  void theDemoChannelAnswersWithoutAProvider() {
    ChatCompletion reply = client.chat().completions().create(chat("demo-echo", "first call"));
    assertThat(reply.choices().get(0).message().content()).hasValue("echo: first call");
    assertThat(streamed(client, chat("demo-echo", "streamed in process"))).isEqualTo("echo: streamed in process");
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
      List<Future<String>> replies = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        String words = "caller " + i + " says " + "w" + i + " " + "v" + i;
        String target = i % 4 == 0 ? "demo-echo" : model;
        replies.add(callers.submit(() -> streamed(client, chat(target, words))));
      }
      for (int i = 0; i < replies.size(); i++) {
        assertThat(replies.get(i).get(20, TimeUnit.SECONDS)).isEqualTo("echo: caller " + i + " says w" + i + " v" + i);
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
    // issued first, tried last: the checks in between use up most of its second
    Instant soon = Instant.now().plusSeconds(1);
    String expiring = token(alice, new CreateToken("soon", soon, null, null));

    assertThatThrownBy(() -> client.chat().completions().create(chat("no-such-model", "hi")))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("does not exist");
    assertThatThrownBy(() -> sdk("nsk_not-a-real-token-000000000000000000000000").chat().completions()
        .create(chat(model, "hi"))).isInstanceOf(UnauthorizedException.class);
    Raw anonymous = raw("POST", "/v1/chat/completions", null,
        HttpRequest.BodyPublishers.ofString(chatBody(model, "hi", false)));
    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(anonymous.errorCode()).isEqualTo("missing_api_key");
    String elsewhere = token(alice, new CreateToken("office-only", null, List.of("10.1.0.0/16"), null));
    assertThatThrownBy(() -> sdk(elsewhere).chat().completions().create(chat(model, "hi")))
        .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("address");

    Raw malformed = post("/v1/chat/completions", "{\"model\": \"" + model + "\", \"messages\": [");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json().path("error").path("type").asText()).isEqualTo("invalid_request_error");
    Raw missing = post("/v1/chat/completions", "{\"messages\": []}");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().path("error").path("param").asText()).isEqualTo("model");

    String huge = chatBody(model, "x".repeat(70_000), false);
    Raw tooLarge = post("/v1/chat/completions", huge);
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.errorCode()).isEqualTo("request_too_large");
    // the same body without a Content-Length (chunked) is cut off at the limit
    Raw chunked = raw("POST", "/v1/chat/completions", aliceToken, HttpRequest.BodyPublishers.ofInputStream(
        () -> new ByteArrayInputStream(huge.getBytes(StandardCharsets.UTF_8))));
    assertThat(chunked.status()).isEqualTo(413);
    assertThat(chunked.errorCode()).isEqualTo("request_too_large");

    Raw unknown = post("/v1/nothing-here", "{}");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.errorCode()).isEqualTo("unknown_url");
    Raw getChat = raw("GET", "/v1/chat/completions", aliceToken, HttpRequest.BodyPublishers.noBody());
    assertThat(getChat.status()).isEqualTo(405);
    assertThat(getChat.errorCode()).isEqualTo("method_not_allowed");
    assertThat(post("/v1/models", "{}").status()).isEqualTo(405);
    assertThat(raw("GET", "/somewhere/else", aliceToken, HttpRequest.BodyPublishers.noBody()).status())
        .isEqualTo(404);

    long left = Duration.between(Instant.now(), soon).toMillis() + 100;
    if (left > 0) {
      Thread.sleep(left);
    }
    assertThatThrownBy(() -> sdk(expiring).chat().completions().create(chat(model, "hi")))
        .isInstanceOf(UnauthorizedException.class);
    assertThat(fake.requests()).isZero();
    assertThat(usage(model)).isEmpty();
  }

  @Test
  void aSuspendedTenantAndAnExhaustedBudgetAreRefusedBeforeAnyUpstreamCall() {
    FakeUpstream fake = upstream(Wire.OPENAI);
    String model = model();
    channel(fake, model, 0);
    Member bert = member("gw-broke", "bert");
    OpenAIClient sdk = sdk(bert.token());
    platform.quotas().setLimits(Caller.system(bert.tenant()), AccountRef.tenant(bert.tenant()),
        QuotaLimits.budget(10, ResetPeriod.MONTHLY));
    assertThatThrownBy(() -> sdk.chat().completions().create(chat(model, "too expensive")))
        .isInstanceOf(RateLimitException.class);
    platform.tenancy().setTenantStatus(admin, bert.tenant(), TenantStatus.SUSPENDED);
    assertThatThrownBy(() -> sdk.chat().completions().create(chat(model, "hi")))
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
    Raw reply = post("/v1/chat/completions", chatBody(model, "hi", false));
    assertThat(reply.status()).isEqualTo(429);
    assertThat(reply.header("Retry-After")).isEqualTo("30");
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
      Channel now = platform.channels().get(platformCaller, channel.id());
      if (now.status() == status || System.currentTimeMillis() > deadline) {
        assertThat(now.status()).isEqualTo(status);
        return now;
      }
      if (status == ChannelStatus.ENABLED) {
        platform.channels().probeNow(platformCaller);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void repeatedFailuresOpenTheBreaker() {
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
    ChannelState state = platform.channels().states(platformCaller).stream()
        .filter(s -> s.channel().id().equals(channel.id())).findFirst().orElseThrow();
    assertThat(state.breaker()).isEqualTo(BreakerState.OPEN);
    assertThat(state.recentErrors()).isNotEmpty().allSatisfy(e -> assertThat(e.status()).isEqualTo(503));
    checkAdminViewOfOpenBreaker(channel);
  }

  @Test
  void aHangingOrSlowUpstreamTimesOutAndFailsOverOrAnswers504() {
    FakeUpstream hanging = upstream(Wire.OPENAI).behave(Behavior.hang());
    FakeUpstream good = upstream(Wire.OPENAI);
    String model = model();
    platform.channels().create(platformCaller, CreateChannel.of("hang-" + NAMES.incrementAndGet(), ChannelType.OPENAI,
        hanging.baseUrl(), KEY, List.of(model)).withRouting(10, 1).withTimeouts(2_000, 300));
    Channel backup = channel(good, model, 0);
    ChatCompletion reply = client.chat().completions().create(chat(model, "after a timeout"));
    assertThat(reply.choices().get(0).message().content()).hasValue("echo: after a timeout");
    assertThat(usage(model)).singleElement().satisfies(r -> assertThat(r.channel()).isEqualTo(backup.id().value()));

    FakeUpstream slow = upstream(Wire.OPENAI).behave(Behavior.delayHead(java.time.Duration.ofSeconds(3)));
    String alone = model();
    platform.channels().create(platformCaller, CreateChannel.of("slow-" + NAMES.incrementAndGet(), ChannelType.OPENAI,
        slow.baseUrl(), KEY, List.of(alone)).withTimeouts(2_000, 300));
    assertThatThrownBy(() -> client.chat().completions().create(chat(alone, "too slow")))
        .isInstanceOf(OpenAIServiceException.class)
        .satisfies(e -> assertThat(((OpenAIServiceException) e).statusCode()).isEqualTo(504));
    assertThat(usage(alone)).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(UsageStatus.RELEASED);
      assertThat(r.cost()).isZero();
    });
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
    assertThatThrownBy(() -> streamed(client, chat(cut, "a b c d e f g")))
        .hasMessageContaining("ended before it was complete");
    assertThat(usage(cut)).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(UsageStatus.FAILED);
      assertThat(r.errorCode()).isEqualTo("upstream_truncated");
      assertThat(r.completionTokens()).isPositive();
    });
  }

  @Test
  void aMidStreamErrorEndsTheStreamWithAnErrorEventAndSettlesWhatWasDelivered() throws Exception {
    FakeUpstream fake = upstream(Wire.OPENAI).behave(Behavior.midStreamError(2));
    String model = model();
    channel(fake, model, 0);
    assertThatThrownBy(() -> streamed(client, chat(model, "a b c d e f g"))).isInstanceOf(RuntimeException.class);
    // on the wire: a complete response whose last event is the error
    Raw response = post("/v1/chat/completions", chatBody(model, "h i j k", true));
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header("Content-Type")).startsWith("text/event-stream");
    assertThat(response.body()).contains("\"error\"");
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
    HttpRequest request = HttpRequest.newBuilder(URI.create(base() + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + aliceToken).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(chatBody(model,
            "one two three four five six seven eight nine ten", true)))
        .build();
    HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    try (InputStream body = response.body()) {
      StringBuilder seen = new StringBuilder();
      byte[] buffer = new byte[256];
      while (!seen.toString().contains("data:")) {
        int read = body.read(buffer);
        assertThat(read).as("the stream ended early: " + seen).isPositive();
        seen.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
      }
    }
    assertThat(slow.awaitCancelledStreams(1, Duration.ofSeconds(10))).isTrue();
    assertThat(awaitUsage(model)).singleElement().satisfies(r -> {
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
    Member carl = member("gw-books", "carl");
    TenantId books = carl.tenant();
    OpenAIClient sdk = sdk(carl.token());
    platform.quotas().setLimits(Caller.system(books), AccountRef.tenant(books),
        QuotaLimits.budget(1_000_000_000L, ResetPeriod.NONE));
    Random random = new Random(42);
    int ok = 0;
    for (int i = 0; i < 40; i++) {
      a.behaveOnce(faults[random.nextInt(faults.length)]);
      b.behaveOnce(faults[random.nextInt(faults.length)]);
      try {
        if (random.nextBoolean()) {
          sdk.chat().completions().create(chat(model, "request " + i));
        } else {
          streamed(sdk, chat(model, "streamed request " + i));
        }
        ok++;
      } catch (RuntimeException expected) {
        // faults surface as SDK errors
      }
    }
    assertThat(ok).isPositive();
    List<UsageRecord> records = usage(books, model);
    assertThat(records).hasSize(40);
    long charged = records.stream().mapToLong(UsageRecord::cost).sum();
    long spent = platform.quotas().account(Caller.system(books), AccountRef.tenant(books)).meters().stream()
        .filter(m -> m.meter() == Meter.CREDITS).findFirst().orElseThrow().used();
    assertThat(spent).isEqualTo(charged);
    assertThat(records.stream().collect(Collectors.groupingBy(UsageRecord::status, Collectors.counting())))
        .containsKey(UsageStatus.SUCCEEDED);
  }

  @Test
  void anAliasMapsToTheRealModelAndThePriceOfTheNameUsed() {
    FakeUpstream fake = upstream(Wire.OPENAI);
    String model = model();
    channel(fake, model, 0);
    String alias = "fast-" + NAMES.incrementAndGet();
    platform.channels().putAlias(system, alias, model);
    ChatCompletion reply = client.chat().completions().create(chat(alias, "aliased"));
    assertThat(reply.choices().get(0).message().content()).hasValue("echo: aliased");
    assertThat(fake.lastReceived().json().path("model").asText()).isEqualTo(model);
    assertThat(usage(alias)).singleElement().satisfies(r -> assertThat(r.cost()).isPositive());
  }
}
