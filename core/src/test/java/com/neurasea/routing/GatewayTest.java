package com.neurasea.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.neurasea.Backends;
import com.neurasea.NeuraSea;
import com.neurasea.identity.PasswordPolicy;
import com.neurasea.model.AccountRef;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.Caller;
import com.neurasea.model.Channel;
import com.neurasea.model.ChannelStatus;
import com.neurasea.model.ChannelType;
import com.neurasea.model.CreateBinding;
import com.neurasea.model.CreateChannel;
import com.neurasea.model.CreateGroup;
import com.neurasea.model.CreateTenant;
import com.neurasea.model.CreateToken;
import com.neurasea.model.CreateUser;
import com.neurasea.model.Group;
import com.neurasea.model.LoginMethod;
import com.neurasea.model.Meter;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Principal;
import com.neurasea.model.ProcessingKind;
import com.neurasea.model.QuotaLimits;
import com.neurasea.model.ResetPeriod;
import com.neurasea.model.Scope;
import com.neurasea.model.SetModelPrice;
import com.neurasea.model.Subject;
import com.neurasea.model.Tenant;
import com.neurasea.model.UsageQuery;
import com.neurasea.model.UsageRecord;
import com.neurasea.model.UsageStatus;
import com.neurasea.model.User;
import com.neurasea.permissions.AccessCacheSettings;
import com.neurasea.privacy.LedgerRecord;
import com.neurasea.spi.UpstreamCall;
import com.neurasea.spi.UpstreamHandler;
import com.neurasea.spi.UpstreamRequest;
import com.neurasea.spi.UpstreamTransport;
import com.neurasea.tck.FreshStorage;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gateway driven directly through {@link Gateway#handle}, with an in-memory upstream transport
 * and a recording responder, on both storage backends.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"sqlite", "postgres"})
class GatewayTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "sk-upstream-key-0123456789";
  private static final String PASSWORD = "correct horse battery staple";
  /** Lenient breakers, no probes during a test, a 2 s retry wait, 3 attempts. */
  private static final GatewaySettings SETTINGS = GatewaySettings.DEFAULT.withRetries(3, 2_000)
      .withBreaker(30_000, 1_000, 100, 1_000, 30_000, 600_000);

  @RegisterExtension final FreshStorage fresh;
  @TempDir Path dir;
  final TickingClock clock = new TickingClock(Instant.parse("2026-01-01T00:00:00Z"));
  final FakeUpstream upstream = new FakeUpstream();
  NeuraSea platform;
  Caller admin;
  Tenant acme;
  User alice;
  User bob;
  User tadmin;
  Caller tenantAdmin;
  String aliceToken;

  GatewayTest(String backend) {
    this.fresh = Backends.fresh(backend);
  }

  // ------------------------------------------------------------------ platform set-up

  /** Builds the platform as {@code TestPlatform} does, with the gateway's settings and the fake upstream. */
  private void start(GatewaySettings settings) {
    platform = NeuraSea.builder()
        .storage(fresh.storage())
        .keyFile(dir.resolve("neurasea.key"))
        .clock(clock)
        .passwordPolicy(PasswordPolicy.forTests())
        .accessCache(AccessCacheSettings.DEFAULT)
        .gatewaySettings(settings)
        .upstreamTransport(upstream)
        .build();
    admin = Caller.platform(Principal.user(platform.bootstrap("admin", "platform").orElseThrow().admin().id()));
    acme = tenant("acme");
    alice = user(acme, "alice", BuiltInRole.MEMBER);
    bob = user(acme, "bob", BuiltInRole.MEMBER);
    tadmin = user(acme, "tadmin", BuiltInRole.TENANT_ADMIN);
    tenantAdmin = as(tadmin, acme);
    aliceToken = token(alice, acme, List.of());
  }

  private void start() {
    start(SETTINGS);
  }

  @AfterEach
  void tearDown() {
    if (platform != null) {
      platform.close();
    }
  }

  private Tenant tenant(String slug) {
    return platform.tenancy().createTenant(admin, new CreateTenant(slug, "Tenant " + slug, null));
  }

  private User user(Tenant tenant, String username, BuiltInRole role) {
    Caller inTenant = admin.inTenant(tenant.id());
    User user = platform.tenancy().createUser(inTenant,
        new CreateUser(username, null, username + "@example.com", null, LoginMethod.PASSWORD, PASSWORD));
    platform.permissions().createBinding(inTenant, new CreateBinding(Subject.user(user.id()), role.id(),
        Scope.tenant()));
    return user;
  }

  private static Caller as(User user, Tenant tenant) {
    return Caller.in(Principal.user(user.id()), tenant.id());
  }

  private String token(User user, Tenant tenant, List<String> models) {
    return platform.identity().createToken(as(user, tenant), new CreateToken("t-" + user.username(), null,
        List.of(), models)).secret();
  }

  /** A platform-wide price: 1 credit per prompt token, 2 per completion token, 0.5 per cached token. */
  private void price(String model) {
    platform.prices().setPrice(admin, new SetModelPrice(model, null, 1_000_000, 2_000_000, 500_000, 0, Map.of()));
  }

  /** A platform-wide OpenAI channel whose base URL names the fake upstream's host. */
  private Channel channel(String host, String model, int priority) {
    return platform.channels().create(admin, CreateChannel.of("c-" + host, ChannelType.OPENAI,
        "http://" + host + ".test/v1", KEY, List.of(model)).withRouting(priority, 1));
  }

  private List<UsageRecord> usage() {
    platform.quotaEngine().flush();
    return platform.quotas().usage(Caller.system(acme.id()), UsageQuery.of(acme.id()), PageRequest.first(100));
  }

  private UsageRecord onlyUsage() {
    List<UsageRecord> records = usage();
    assertThat(records).hasSize(1);
    return records.get(0);
  }

  private long used(AccountRef ref) {
    platform.quotaEngine().flush();
    return platform.quotas().account(tenantAdmin, ref).meters().stream().filter(m -> m.meter() == Meter.CREDITS)
        .findFirst().orElseThrow().used();
  }

  private static String chat(String model, String text) {
    return chat(model, text, false);
  }

  private static String chat(String model, String text, boolean stream) {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", model);
    body.putArray("messages").addObject().put("role", "user").put("content", text);
    if (stream) {
      body.put("stream", true);
    }
    body.put("max_tokens", 100);
    return body.toString();
  }

  private Recorder send(String token, String body) {
    Recorder recorder = new Recorder();
    recorder.call = platform.gateway().handle(request(token, body), recorder);
    return recorder;
  }

  private Recorder call(String token, String body) {
    return send(token, body).await();
  }

  private static GatewayRequest request(String token, String body) {
    return new GatewayRequest(GatewayEndpoint.CHAT_COMPLETIONS, "Bearer " + token, "203.0.113.7", "gateway-test/1",
        body.getBytes(StandardCharsets.UTF_8));
  }

  private static void eventually(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  // ------------------------------------------------------------------ settlement

  @Test
  void aReplyIsSettledOnTheProvidersUsageAtTheModelsPrice() throws Exception {
    start();
    price("gpt-4o-mini");
    Channel c = channel("alpha", "gpt-4o-mini", 0);
    AccountRef user = AccountRef.user(acme.id(), alice.id());
    platform.quotas().setLimits(tenantAdmin, user, QuotaLimits.budget(1_000_000, ResetPeriod.DAILY));
    AtomicInteger openDuringCall = new AtomicInteger(-1);
    upstream.on("alpha", (request, handler, call) -> {
      openDuringCall.set(platform.quotaEngine().openReservations());
      FakeUpstream.ok(80, 50, 20, "hi there").serve(request, handler, call);
    });

    Recorder r = call(aliceToken, chat("gpt-4o-mini", "hello"));

    assertThat(r.status).as(r.text()).isEqualTo(200);
    assertThat(r.json().path("choices").get(0).path("message").path("content").asText()).isEqualTo("hi there");
    assertThat(r.headers).containsKey("x-request-id");
    assertThat(openDuringCall.get()).isEqualTo(1);
    assertThat(platform.quotaEngine().openReservations()).isZero();
    FakeUpstream.Sent sent = upstream.only();
    assertThat(sent.request().uri().toString()).isEqualTo("http://alpha.test/v1/chat/completions");
    assertThat(sent.request().headers()).containsEntry("Authorization", "Bearer " + KEY);
    assertThat(sent.json().path("model").asText()).isEqualTo("gpt-4o-mini");
    // 80 uncached prompt tokens × 1 + 50 completion × 2 + 20 cached × 0.5
    UsageRecord record = onlyUsage();
    assertThat(record.requestId()).isEqualTo(r.headers.get("x-request-id"));
    assertThat(record.status()).isEqualTo(UsageStatus.SUCCEEDED);
    assertThat(record.promptTokens()).isEqualTo(80);
    assertThat(record.completionTokens()).isEqualTo(50);
    assertThat(record.cachedTokens()).isEqualTo(20);
    assertThat(record.cost()).isEqualTo(190);
    assertThat(record.channel()).isEqualTo(c.id().value());
    assertThat(record.model()).isEqualTo("gpt-4o-mini");
    assertThat(record.clientIp()).isEqualTo("203.0.113.7");
    // the worst case held while the call ran was given back: only the real cost is used
    assertThat(used(user)).isEqualTo(190);
  }

  @Test
  void aStreamIsRelayedAndSettledOnTheUsageTheGatewayAskedFor() throws Exception {
    start();
    price("gpt-4o-mini");
    channel("alpha", "gpt-4o-mini", 0);
    upstream.on("alpha", FakeUpstream.stream(List.of("Hel", "lo"), 11, 2));

    Recorder r = call(aliceToken, chat("gpt-4o-mini", "hi", true));

    assertThat(r.streamed).isTrue();
    assertThat(r.deltaText()).isEqualTo("Hello");
    assertThat(r.events).last().isEqualTo("data: [DONE]\n\n");
    // the client did not ask for usage: the gateway asked for it and kept it to itself
    assertThat(String.join("", r.events)).doesNotContain("\"usage\"");
    assertThat(upstream.only().json().path("stream_options").path("include_usage").asBoolean()).isTrue();
    UsageRecord record = onlyUsage();
    assertThat(record.status()).isEqualTo(UsageStatus.SUCCEEDED);
    assertThat(record.promptTokens()).isEqualTo(11);
    assertThat(record.completionTokens()).isEqualTo(2);
    assertThat(record.cost()).isEqualTo(15);
  }

  @Test
  void aStreamThatBreaksOffOnAnotherThreadIsSettledAsFailedOnCountedTokens() throws Exception {
    start();
    price("gpt-4o-mini");
    channel("alpha", "gpt-4o-mini", 0);
    upstream.on("alpha", (request, handler, call) -> new Thread(() -> {
      handler.onResponse(200, Map.of("content-type", List.of("text/event-stream")));
      handler.onBody(FakeUpstream.event(FakeUpstream.chunk("partial answer")));
      handler.onError(new IOException("connection reset"));
    }).start());

    Recorder r = call(aliceToken, chat("gpt-4o-mini", "hi", true));

    assertThat(r.deltaText()).isEqualTo("partial answer");
    assertThat(r.events).last().asString().contains("upstream_truncated");
    UsageRecord record = onlyUsage();
    assertThat(record.status()).isEqualTo(UsageStatus.FAILED);
    assertThat(record.errorCode()).isEqualTo("upstream_truncated");
    Encoding o200k = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    assertThat(record.completionTokens()).isEqualTo(o200k.countTokensOrdinary("partial answer"));
    assertThat(record.promptTokens()).isEqualTo(o200k.countTokensOrdinary("hi\n"));
  }

  @Test
  void aClientThatGoesAwayMidStreamIsChargedForWhatItWasSent() throws Exception {
    start();
    price("gpt-4o-mini");
    channel("alpha", "gpt-4o-mini", 0);
    CountDownLatch upstreamStopped = new CountDownLatch(1);
    upstream.on("alpha", (request, handler, call) -> new Thread(() -> {
      handler.onResponse(200, Map.of("content-type", List.of("text/event-stream")));
      handler.onBody(FakeUpstream.event(FakeUpstream.chunk("Once upon")));
      handler.onBody(FakeUpstream.event(FakeUpstream.chunk(" a time, in a galaxy")));
      try {
        call.cancelled.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      upstreamStopped.countDown();
    }).start());

    Recorder r = send(aliceToken, chat("gpt-4o-mini", "Tell me a story", true));
    eventually("two chunks", () -> r.events.size() >= 2);
    r.call.cancel();
    r.call.cancel();

    assertThat(upstreamStopped.await(10, TimeUnit.SECONDS)).as("the upstream call was cancelled").isTrue();
    assertThat(upstream.only().call().isCancelled()).isTrue();
    assertThat(r.ended.get()).isZero();
    Encoding o200k = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    long completion = o200k.countTokensOrdinary("Once upon a time, in a galaxy");
    long prompt = o200k.countTokensOrdinary("Tell me a story\n");
    UsageRecord record = onlyUsage();
    assertThat(record.status()).isEqualTo(UsageStatus.FAILED);
    assertThat(record.errorCode()).isEqualTo("client_disconnected");
    assertThat(record.completionTokens()).isEqualTo(completion);
    assertThat(record.promptTokens()).isEqualTo(prompt);
    assertThat(record.cost()).isEqualTo(prompt + 2 * completion);
  }

  // ------------------------------------------------------------------ failover

  @Test
  void channelsAreTriedTierByTierFromTheHighestPriority() throws Exception {
    start();
    price("m-fail");
    Channel low = channel("low", "m-fail", 0);
    channel("high", "m-fail", 10);
    channel("mid", "m-fail", 5);
    upstream.on("high", FakeUpstream.reply(500, Map.of(), "{\"error\":{\"message\":\"boom\"}}"));
    upstream.on("mid", FakeUpstream.error(new ConnectException("refused")));
    upstream.on("low", FakeUpstream.ok(3, 4, 0, "from low"));

    Recorder r = call(aliceToken, chat("m-fail", "x"));

    assertThat(r.status).as(r.text()).isEqualTo(200);
    assertThat(upstream.hosts()).containsExactly("high", "mid", "low");
    UsageRecord record = onlyUsage();
    assertThat(record.status()).isEqualTo(UsageStatus.SUCCEEDED);
    assertThat(record.channel()).isEqualTo(low.id().value());
    assertThat(platform.quotaEngine().openReservations()).isZero();
  }

  @Test
  void theRetryBudgetEndsTheRequestBeforeALowerTierIsReached() throws Exception {
    start();
    price("m-budget");
    channel("good", "m-budget", 0);
    for (String host : List.of("bad1", "bad2", "bad3")) {
      channel(host, "m-budget", 10);
      upstream.on(host, FakeUpstream.reply(503, Map.of(), "{\"error\":{\"message\":\"overloaded\"}}"));
    }
    upstream.on("good", FakeUpstream.ok(1, 1, 0, "never"));
    AccountRef user = AccountRef.user(acme.id(), alice.id());
    platform.quotas().setLimits(tenantAdmin, user, QuotaLimits.budget(1_000_000, ResetPeriod.DAILY));

    Recorder r = call(aliceToken, chat("m-budget", "x"));

    assertThat(r.status).as(r.text()).isEqualTo(502);
    assertThat(r.code()).isEqualTo("upstream_error");
    assertThat(upstream.hosts()).hasSize(3).containsExactlyInAnyOrder("bad1", "bad2", "bad3");
    UsageRecord record = onlyUsage();
    assertThat(record.status()).isEqualTo(UsageStatus.RELEASED);
    assertThat(record.cost()).isZero();
    assertThat(used(user)).isZero();
  }

  @Test
  void aShortRetryAfterIsWaitedAndTheSameChannelRetried() throws Exception {
    start();
    price("m-429");
    channel("alpha", "m-429", 0);
    upstream.on("alpha",
        FakeUpstream.reply(429, Map.of("retry-after-ms", "150"), "{\"error\":{\"message\":\"slow down\"}}"),
        FakeUpstream.ok(2, 2, 0, "after the wait"));

    long started = System.nanoTime();
    Recorder r = call(aliceToken, chat("m-429", "x"));
    long tookMillis = (System.nanoTime() - started) / 1_000_000;

    assertThat(r.status).as(r.text()).isEqualTo(200);
    assertThat(upstream.hosts()).containsExactly("alpha", "alpha");
    assertThat(tookMillis).isGreaterThanOrEqualTo(140);
    assertThat(onlyUsage().status()).isEqualTo(UsageStatus.SUCCEEDED);
  }

  @Test
  void aRetryAfterBeyondTheWaitLimitEndsWith429AndTheRetryAfter() throws Exception {
    start();
    price("m-429");
    channel("alpha", "m-429", 0);
    upstream.on("alpha", FakeUpstream.reply(429, Map.of("retry-after", "30"), "{\"error\":{\"message\":\"later\"}}"));

    Recorder r = call(aliceToken, chat("m-429", "x"));

    assertThat(r.status).as(r.text()).isEqualTo(429);
    assertThat(r.code()).isEqualTo("upstream_rate_limited");
    assertThat(r.json().path("error").path("type").asText()).isEqualTo("rate_limit_error");
    assertThat(r.headers).containsEntry("Retry-After", "30").containsKey("x-request-id");
    assertThat(upstream.hosts()).containsExactly("alpha");
    assertThat(onlyUsage().status()).isEqualTo(UsageStatus.RELEASED);
  }

  @Test
  void requestsDuringALongCoolDownAlsoGet429WithRetryAfter() throws Exception {
    start();
    price("m-429");
    channel("alpha", "m-429", 0);
    upstream.on("alpha", FakeUpstream.reply(429, Map.of("retry-after", "30"), "{\"error\":{\"message\":\"later\"}}"));
    assertThat(call(aliceToken, chat("m-429", "x")).status).isEqualTo(429);

    Recorder again = call(aliceToken, chat("m-429", "x"));

    assertThat(upstream.hosts()).containsExactly("alpha");
    assertThat(again.status).as(again.text()).isEqualTo(429);
    assertThat(again.headers).containsKey("Retry-After");
  }

  @Test
  void aValidRetryAfterIsHonouredWhenRetryAfterMsIsUnreadable() throws Exception {
    start();
    price("m-429");
    channel("alpha", "m-429", 0);
    upstream.on("alpha", FakeUpstream.reply(429, Map.of("retry-after-ms", "soon", "retry-after", "30"),
        "{\"error\":{\"message\":\"later\"}}"));

    Recorder r = call(aliceToken, chat("m-429", "x"));

    assertThat(r.status).isEqualTo(429);
    assertThat(r.headers).containsEntry("Retry-After", "30");
    assertThat(upstream.hosts()).containsExactly("alpha");
  }

  @Test
  void aClientThatGoesAwayDuringARetryWaitIsNotCharged() throws Exception {
    start();
    price("m-429");
    channel("alpha", "m-429", 0);
    upstream.on("alpha",
        FakeUpstream.reply(429, Map.of("retry-after-ms", "1500"), "{\"error\":{\"message\":\"slow down\"}}"),
        FakeUpstream.ok(2, 2, 0, "after the wait"));

    Recorder r = send(aliceToken, chat("m-429", "a prompt of several words"));
    // the fake answered at once: the gateway is now waiting out the Retry-After
    assertThat(upstream.hosts()).containsExactly("alpha");
    r.call.cancel();

    UsageRecord record = onlyUsage();
    assertThat(record.status()).isEqualTo(UsageStatus.RELEASED);
    assertThat(record.cost()).isZero();
  }

  @Test
  void usageBeyondAnyBudgetStillEndsTheReservation() throws Exception {
    start();
    price("m-huge");
    channel("alpha", "m-huge", 0);
    upstream.on("alpha", FakeUpstream.reply(200, Map.of(), "{\"choices\":[{\"message\":{\"content\":\"x\"}}],"
        + "\"usage\":{\"prompt_tokens\":2000000000000000000,\"completion_tokens\":1}}"));

    call(aliceToken, chat("m-huge", "x"));

    assertThat(platform.quotaEngine().openReservations()).isZero();
  }

  @Test
  void aRefusedCredentialDisablesTheChannel() throws Exception {
    start();
    price("m-401");
    Channel c = channel("alpha", "m-401", 0);
    upstream.on("alpha", FakeUpstream.reply(401, Map.of(),
        "{\"error\":{\"message\":\"Incorrect API key provided\",\"type\":\"invalid_request_error\"}}"));

    Recorder r = call(aliceToken, chat("m-401", "x"));

    assertThat(r.status).as(r.text()).isEqualTo(502);
    assertThat(r.code()).isEqualTo("upstream_auth_failed");
    eventually("the channel to be disabled", () -> fresh.storage().channels().findChannel(c.id()).orElseThrow()
        .channel().status() == ChannelStatus.AUTO_DISABLED);
    assertThat(fresh.storage().channels().findChannel(c.id()).orElseThrow().channel().statusReason())
        .contains("401");
    // once the registry re-read it, the model has no channel left
    eventually("the model to have no channel", () -> call(aliceToken, chat("m-401", "x")).status == 404);
    int calls = upstream.hosts().size();
    assertThat(call(aliceToken, chat("m-401", "x")).code()).isEqualTo("model_not_found");
    assertThat(upstream.hosts()).hasSize(calls);
    assertThat(usage()).allSatisfy(u -> assertThat(u.cost()).isZero());
  }

  @Test
  void aClientErrorFromTheProviderIsPassedOnWithoutRetryOrCharge() throws Exception {
    start();
    price("m-400");
    channel("alpha", "m-400", 1);
    channel("beta", "m-400", 0);
    String body = "{\"error\":{\"message\":\"messages is too long\",\"type\":\"invalid_request_error\","
        + "\"param\":\"messages\",\"code\":\"context_length_exceeded\"}}";
    upstream.on("alpha", FakeUpstream.reply(400, Map.of(), body));

    Recorder r = call(aliceToken, chat("m-400", "x"));

    assertThat(r.status).isEqualTo(400);
    assertThat(r.text()).isEqualTo(body);
    assertThat(upstream.hosts()).containsExactly("alpha");
    UsageRecord record = onlyUsage();
    assertThat(record.status()).isEqualTo(UsageStatus.RELEASED);
    assertThat(record.errorCode()).isEqualTo("upstream_400");
  }

  // ------------------------------------------------------------------ who may use what

  @Test
  void aGroupRestrictedChannelServesOnlyTheGroupsMembers() throws Exception {
    start();
    price("m-gpu");
    Group gpu = platform.groups().createGroup(tenantAdmin, new CreateGroup("gpu", null));
    platform.groups().addGroupMember(tenantAdmin, gpu.id(), bob.id());
    platform.channels().create(tenantAdmin, new CreateChannel("gpu-only", ChannelType.OPENAI,
        "http://gpu.test/v1", KEY, List.of("m-gpu"), null, null, null, List.of(gpu.id()), null, null, null, null,
        null));
    upstream.on("gpu", FakeUpstream.ok(1, 1, 0, "ok"));
    String bobToken = token(bob, acme, List.of());

    Recorder outsider = call(aliceToken, chat("m-gpu", "x"));
    assertThat(outsider.status).as(outsider.text()).isEqualTo(404);
    assertThat(outsider.code()).isEqualTo("model_not_found");
    assertThat(upstream.hosts()).isEmpty();

    Recorder member = call(bobToken, chat("m-gpu", "x"));
    assertThat(member.status).as(member.text()).isEqualTo(200);
    assertThat(upstream.hosts()).containsExactly("gpu");
  }

  @Test
  void theModelListLeavesOutModelsOfGroupsTheCallerIsNotIn() throws Exception {
    start();
    Group gpu = platform.groups().createGroup(tenantAdmin, new CreateGroup("gpu", null));
    platform.groups().addGroupMember(tenantAdmin, gpu.id(), bob.id());
    platform.channels().create(tenantAdmin, new CreateChannel("gpu-only", ChannelType.OPENAI,
        "http://gpu.test/v1", KEY, List.of("m-gpu"), null, null, null, List.of(gpu.id()), null, null, null, null,
        null));
    Recorder r = new Recorder();
    platform.gateway().models("Bearer " + aliceToken, "203.0.113.7", null, r);
    r.await();
    assertThat(r.status).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    r.json().path("data").forEach(m -> ids.add(m.path("id").asText()));
    assertThat(ids).doesNotContain("m-gpu");
  }

  @Test
  void aTokensModelAllowListRefusesOtherModelsBeforeAnyUpstreamCall() throws Exception {
    start();
    price("m-allowed");
    price("m-other");
    channel("allowed", "m-allowed", 0);
    channel("other", "m-other", 0);
    upstream.on("allowed", FakeUpstream.ok(1, 1, 0, "ok"));
    upstream.on("other", FakeUpstream.ok(1, 1, 0, "ok"));
    String limited = token(alice, acme, List.of("m-allowed"));

    Recorder refused = call(limited, chat("m-other", "x"));

    assertThat(refused.status).as(refused.text()).isEqualTo(403);
    assertThat(refused.code()).isEqualTo("model_not_allowed");
    assertThat(refused.json().path("error").path("param").asText()).isEqualTo("model");
    assertThat(upstream.hosts()).isEmpty();
    assertThat(usage()).isEmpty();
    assertThat(call(limited, chat("m-allowed", "x")).status).isEqualTo(200);
    assertThat(upstream.hosts()).containsExactly("allowed");
  }

  @Test
  void aTenantAliasHidesThePlatformAliasOfTheSameName() throws Exception {
    start();
    price("m-platform");
    price("m-tenant");
    channel("plat", "m-platform", 0);
    channel("own", "m-tenant", 0);
    upstream.on("plat", FakeUpstream.ok(1, 1, 0, "platform"));
    upstream.on("own", FakeUpstream.ok(1, 1, 0, "tenant"));
    platform.channels().putAlias(admin, "smart", "m-platform");
    platform.channels().putAlias(tenantAdmin, "smart", "m-tenant");
    Tenant beta = tenant("beta");
    User carol = user(beta, "carol", BuiltInRole.MEMBER);

    Recorder mine = call(aliceToken, chat("smart", "x"));
    assertThat(mine.status).as(mine.text()).isEqualTo(200);
    assertThat(upstream.sent.get(0).host()).isEqualTo("own");
    assertThat(upstream.sent.get(0).json().path("model").asText()).isEqualTo("m-tenant");

    Recorder theirs = call(token(carol, beta, List.of()), chat("smart", "x"));
    assertThat(theirs.status).as(theirs.text()).isEqualTo(200);
    assertThat(upstream.sent.get(1).host()).isEqualTo("plat");
    assertThat(upstream.sent.get(1).json().path("model").asText()).isEqualTo("m-platform");
    // the record names the model as the client did
    assertThat(onlyUsage().model()).isEqualTo("smart");
  }

  // ------------------------------------------------------------------ quota and prices

  @Test
  void aRequestOverBudgetIsRefusedWith429BeforeAnyUpstreamCall() throws Exception {
    start();
    price("m-dear");
    channel("alpha", "m-dear", 0);
    upstream.on("alpha", FakeUpstream.ok(1, 1, 0, "never"));
    platform.quotas().setLimits(tenantAdmin, AccountRef.user(acme.id(), alice.id()),
        QuotaLimits.budget(10, ResetPeriod.DAILY));

    Recorder r = call(aliceToken, chat("m-dear", "x"));

    assertThat(r.status).as(r.text()).isEqualTo(429);
    assertThat(r.code()).isEqualTo("insufficient_quota");
    assertThat(r.json().path("error").path("type").asText()).isEqualTo("insufficient_quota");
    assertThat(Long.parseLong(r.headers.get("Retry-After"))).isPositive();
    assertThat(upstream.hosts()).isEmpty();
    assertThat(platform.quotaEngine().openReservations()).isZero();
  }

  @Test
  void anUnpricedModelIsRefused() throws Exception {
    start();
    channel("alpha", "m-free", 0);
    upstream.on("alpha", FakeUpstream.ok(1, 1, 0, "never"));

    Recorder r = call(aliceToken, chat("m-free", "x"));

    assertThat(r.status).as(r.text()).isEqualTo(403);
    assertThat(r.code()).isEqualTo("model_not_priced");
    assertThat(upstream.hosts()).isEmpty();
  }

  @Test
  void anUnpricedModelIsServedAtNoChargeWhenPricesAreNotRequired() throws Exception {
    start(SETTINGS.withRequirePrice(false));
    channel("alpha", "m-free", 0);
    upstream.on("alpha", FakeUpstream.ok(40, 60, 0, "free"));

    Recorder r = call(aliceToken, chat("m-free", "x"));

    assertThat(r.status).as(r.text()).isEqualTo(200);
    UsageRecord record = onlyUsage();
    assertThat(record.status()).isEqualTo(UsageStatus.SUCCEEDED);
    assertThat(record.promptTokens()).isEqualTo(40);
    assertThat(record.completionTokens()).isEqualTo(60);
    assertThat(record.cost()).isZero();
  }

  // ------------------------------------------------------------------ privacy

  @Test
  void anExternalChannelIsRecordedAsADisclosureAndTheDemoChannelIsNot() throws Exception {
    start(SETTINGS.withDemoChannel(true));
    price("m-ext");
    channel("alpha", "m-ext", 0);
    upstream.on("alpha", FakeUpstream.ok(5, 5, 0, "external"));
    String bobToken = token(bob, acme, List.of());

    assertThat(call(aliceToken, chat("m-ext", "x")).status).isEqualTo(200);
    Recorder demo = call(bobToken, chat(DemoChannel.MODEL, "hello demo"));
    assertThat(demo.status).as(demo.text()).isEqualTo(200);
    assertThat(demo.json().path("choices").get(0).path("message").path("content").asText())
        .isEqualTo("echo: hello demo");
    assertThat(upstream.hosts()).containsExactly("alpha");
    platform.quotaEngine().flush();

    List<LedgerRecord> alices = platform.privacy().recordsOf(admin, alice.id(), 0, 1000);
    assertThat(alices).filteredOn(rec -> rec.kind() == ProcessingKind.DISCLOSURE).singleElement().satisfies(rec -> {
      assertThat(rec.module()).isEqualTo("routing");
      assertThat(rec.recipient()).isEqualTo("model_provider");
      assertThat(rec.tenantId()).isEqualTo(acme.id());
    });
    List<LedgerRecord> bobs = platform.privacy().recordsOf(admin, bob.id(), 0, 1000);
    // bob's request was recorded as usage, and nothing of it was disclosed
    assertThat(bobs).anySatisfy(rec -> assertThat(rec.module()).isEqualTo("quota"));
    assertThat(bobs).noneMatch(rec -> rec.kind() == ProcessingKind.DISCLOSURE);
    assertThat(usage()).anySatisfy(u -> assertThat(u.channel()).isEqualTo("local:demo"));
  }

  // ------------------------------------------------------------------ the fakes

  /** A clock that starts at a fixed instant and runs with real time (the gateway's retry waits are real). */
  static final class TickingClock extends Clock {
    private final long startMillis;
    private final long startNanos = System.nanoTime();

    TickingClock(Instant start) {
      this.startMillis = start.toEpochMilli();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public long millis() {
      return startMillis + (System.nanoTime() - startNanos) / 1_000_000;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis());
    }
  }

  /** Records what the gateway answers. */
  static final class Recorder implements GatewayResponder {
    final CountDownLatch done = new CountDownLatch(1);
    final AtomicInteger ended = new AtomicInteger();
    final List<String> events = new CopyOnWriteArrayList<>();
    volatile GatewayCall call;
    volatile int status;
    volatile Map<String, String> headers = Map.of();
    volatile byte[] body = new byte[0];
    volatile boolean streamed;

    @Override
    public void sendFull(int responseStatus, Map<String, String> responseHeaders, byte[] responseBody) {
      status = responseStatus;
      headers = Map.copyOf(responseHeaders);
      body = responseBody.clone();
      ended.incrementAndGet();
      done.countDown();
    }

    @Override
    public void startStream(Map<String, String> responseHeaders) {
      status = 200;
      headers = Map.copyOf(responseHeaders);
      streamed = true;
    }

    @Override
    public void sendEvent(byte[] bytes) {
      events.add(new String(bytes, StandardCharsets.UTF_8));
    }

    @Override
    public void endStream() {
      ended.incrementAndGet();
      done.countDown();
    }

    Recorder await() {
      try {
        assertThat(done.await(10, TimeUnit.SECONDS)).as("the gateway answered").isTrue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      assertThat(ended.get()).isEqualTo(1);
      return this;
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + text(), e);
      }
    }

    String code() {
      return json().path("error").path("code").asText();
    }

    /** The content of the streamed chunks' deltas. */
    String deltaText() throws IOException {
      StringBuilder text = new StringBuilder();
      for (String event : events) {
        String data = event.substring(event.indexOf("data: ") + 6).trim();
        if (!data.equals("[DONE]")) {
          JSON.readTree(data).path("choices").forEach(c -> text.append(c.path("delta").path("content").asText("")));
        }
      }
      return text.toString();
    }
  }

  /** An upstream in memory: each channel host has a script of behaviours, the last one repeating. */
  static final class FakeUpstream implements UpstreamTransport {
    interface Behavior {
      void serve(UpstreamRequest request, UpstreamHandler handler, Call call) throws Exception;
    }

    static final class Call implements UpstreamCall {
      final CountDownLatch cancelled = new CountDownLatch(1);

      @Override
      public void cancel() {
        cancelled.countDown();
      }

      boolean isCancelled() {
        return cancelled.getCount() == 0;
      }
    }

    record Sent(String host, UpstreamRequest request, Call call) {
      JsonNode json() {
        try {
          return JSON.readTree(request.body());
        } catch (IOException e) {
          throw new AssertionError(e);
        }
      }
    }

    final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<Behavior>> scripts = new HashMap<>();

    synchronized void on(String host, Behavior... behaviors) {
      scripts.put(host, new ArrayDeque<>(List.of(behaviors)));
    }

    private synchronized Behavior next(String host) {
      Deque<Behavior> script = scripts.get(host);
      if (script == null || script.isEmpty()) {
        return error(new ConnectException("no upstream at " + host));
      }
      return script.size() > 1 ? script.poll() : script.peek();
    }

    List<String> hosts() {
      return sent.stream().map(Sent::host).toList();
    }

    Sent only() {
      assertThat(sent).hasSize(1);
      return sent.get(0);
    }

    @Override
    public String name() {
      return "fake";
    }

    @Override
    public UpstreamCall send(UpstreamRequest request, UpstreamHandler handler) {
      String host = request.uri().getHost();
      host = host.substring(0, host.length() - ".test".length());
      Call call = new Call();
      sent.add(new Sent(host, request, call));
      try {
        next(host).serve(request, handler, call);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return call;
    }

    @Override
    public void close() {}

    static Behavior reply(int status, Map<String, String> headers, String body) {
      return (request, handler, call) -> {
        Map<String, List<String>> head = new HashMap<>();
        head.put("content-type", List.of("application/json"));
        headers.forEach((k, v) -> head.put(k, List.of(v)));
        handler.onResponse(status, head);
        handler.onBody(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)));
        handler.onComplete();
      };
    }

    /** An OpenAI chat completion with usage. */
    static Behavior ok(long prompt, long completion, long cached, String text) {
      ObjectNode out = JSON.createObjectNode();
      out.put("id", "chatcmpl-fake");
      out.put("object", "chat.completion");
      out.put("created", 1);
      out.put("model", "fake");
      ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
      choice.putObject("message").put("role", "assistant").put("content", text);
      choice.put("finish_reason", "stop");
      ObjectNode usage = out.putObject("usage");
      usage.put("prompt_tokens", prompt + cached);
      usage.put("completion_tokens", completion);
      usage.put("total_tokens", prompt + cached + completion);
      usage.putObject("prompt_tokens_details").put("cached_tokens", cached);
      return reply(200, Map.of(), out.toString());
    }

    static Behavior error(Throwable error) {
      return (request, handler, call) -> handler.onError(error);
    }

    /** A stream of content chunks, a usage chunk when the request asked for one, and [DONE]; synchronous. */
    static Behavior stream(List<String> parts, long prompt, long completion) {
      return (request, handler, call) -> {
        boolean usage = JSON.readTree(request.body()).path("stream_options").path("include_usage").asBoolean();
        handler.onResponse(200, Map.of("content-type", List.of("text/event-stream; charset=utf-8")));
        for (String part : parts) {
          handler.onBody(event(chunk(part)));
        }
        ObjectNode last = JSON.createObjectNode().put("id", "c").put("object", "chat.completion.chunk");
        last.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop").putObject("delta");
        handler.onBody(event(last.toString()));
        if (usage) {
          ObjectNode u = JSON.createObjectNode().put("id", "c").put("object", "chat.completion.chunk");
          u.putArray("choices");
          u.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion);
          handler.onBody(event(u.toString()));
        }
        // the end marker split over two reads, as a network would
        handler.onBody(ByteBuffer.wrap("data: [DO".getBytes(StandardCharsets.US_ASCII)));
        handler.onBody(ByteBuffer.wrap("NE]\n\n".getBytes(StandardCharsets.US_ASCII)));
        handler.onComplete();
      };
    }

    static String chunk(String content) {
      ObjectNode chunk = JSON.createObjectNode().put("id", "c").put("object", "chat.completion.chunk");
      ArrayNode choices = chunk.putArray("choices");
      choices.addObject().put("index", 0).putObject("delta").put("content", content);
      return chunk.toString();
    }

    static ByteBuffer event(String data) {
      return ByteBuffer.wrap(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
    }
  }
}
