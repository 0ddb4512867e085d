package com.neurasea.tck.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.neurasea.tck.upstream.HttpConnection.RawRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake upstream model provider for gateway tests: a real HTTP/1.1 server on {@code 127.0.0.1} that speaks
 * OpenAI's, Azure OpenAI's or Anthropic's wire format, answers deterministically and misbehaves on request.
 *
 * <pre>{@code
 * try (FakeUpstream upstream = FakeUpstream.start(Wire.OPENAI).expectKey("sk-test")) {
 *   upstream.behaveOnce(Behavior.status(429, "1"));   // the first request is rate limited, then normal replies
 *   // point a channel at upstream.baseUrl() ...
 *   assertThat(upstream.received().get(1).json().path("model").asText()).isEqualTo("gpt-4o");
 * }
 * }</pre>
 *
 * <p><b>Endpoints.</b> {@link Wire#OPENAI}: {@code POST /v1/chat/completions}, {@code POST /v1/completions},
 * {@code POST /v1/embeddings}, {@code GET /v1/models} (an OpenAI-compatible channel's base is {@code baseUrl() +
 * "/v1"}). {@link Wire#AZURE}: {@code POST /openai/deployments/{deployment}/chat/completions} (and {@code
 * /completions}, {@code /embeddings}) with a required {@code api-version} query parameter; replies name the
 * deployment as the model. {@link Wire#ANTHROPIC}: {@code POST /v1/messages} (requires {@code max_tokens} and the
 * {@code anthropic-version} header), {@code GET /v1/models}. Anything else gets 404 in the provider's error shape;
 * a body that is not a JSON object gets 400.
 *
 * <p><b>Replies.</b> The completion is {@code "echo: "} followed by the text of the last {@code user} message (text
 * parts joined with single spaces), or by the prompt of a text completion. Prompt tokens are the whitespace-separated
 * words of every message content (plus Anthropic's {@code system}), completion tokens the words of the completion;
 * see {@link #promptTokensOf}, {@link #completionOf}, {@link #completionTokensOf}. A stream sends one content event
 * per word, the whitespace after it included, so the pieces concatenate to the completion. OpenAI and Azure replies
 * also carry {@code "system_fingerprint": "fp_fake"} and the unknown field {@code "x_provider_extra": {"kept":
 * true}} (Anthropic replies carry the latter), so tests can check that unknown response fields pass through.
 *
 * <p><b>Errors.</b> OpenAI and Azure: {@code {"error":{"message","type","param","code"}}}, except that Azure answers a
 * missing or wrong {@code api-key} the way Azure does, {@code {"error":{"code":"401","message":...}}}. Anthropic:
 * {@code {"type":"error","error":{"type","message"}}}.
 *
 * <p>All methods are thread-safe. Requests are served concurrently, one thread per connection, with keep-alive.
 */
public final class FakeUpstream implements AutoCloseable {

  /** The wire format the fake speaks. */
  public enum Wire {
    /** OpenAI's API, also standing for OpenAI-compatible servers. */
    OPENAI,
    /** Azure OpenAI. */
    AZURE,
    /** Anthropic's Messages API. */
    ANTHROPIC
  }

  private static final Pattern AZURE_PATH =
      Pattern.compile("/openai/deployments/([^/]+)/(chat/completions|completions|embeddings)");
  private static final String GARBAGE = "<html><head><title>502 Bad Gateway</title></head>\n"
      + "<body><h1>Bad Gateway</h1> this is not what you asked for</body></html>\n";

  /** How long a truncated stream waits after its last event before cutting the connection. */
  private static final Duration CUT_DELAY = Duration.ofMillis(50);

  private enum Kind { CHAT, COMPLETIONS, EMBEDDINGS, MODELS, MESSAGES }

  /** A routed, validated request. */
  private record Call(Kind kind, JsonNode json, String model, boolean stream) {}

  /** A complete reply. */
  private record Reply(int status, String contentType, byte[] body, List<String[]> headers) {}

  /** The events of a stream: always-sent preamble, one content event per word, the tail, and a mid-stream error. */
  private record StreamPlan(List<byte[]> preamble, List<byte[]> content, List<byte[]> tail, byte[] error) {}

  private final Wire wire;
  private final ServerSocket server;
  private final ExecutorService threads;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final CountDownLatch closing = new CountDownLatch(1);
  private volatile boolean closed;

  private volatile String expectedKey;
  private volatile Behavior defaultBehavior = Behavior.normal();
  private final ConcurrentLinkedQueue<Behavior> queued = new ConcurrentLinkedQueue<>();
  private volatile List<String> models = List.of();

  private final List<Received> received = new ArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger openStreams = new AtomicInteger();
  private final AtomicInteger cancelledStreams = new AtomicInteger();
  private final AtomicLong replyIds = new AtomicLong();

  private FakeUpstream(Wire wire) throws IOException {
    this.wire = Objects.requireNonNull(wire, "wire");
    this.server = new ServerSocket(0, 128, InetAddress.getByName("127.0.0.1"));
    AtomicInteger threadNumber = new AtomicInteger();
    this.threads = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "fake-upstream-" + wire.name().toLowerCase(Locale.ROOT) + "-" + threadNumber.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    threads.execute(this::acceptLoop);
  }

  /** Starts a fake speaking {@code wire}, listening on {@code 127.0.0.1} on a free port. */
  public static FakeUpstream start(Wire wire) {
    try {
      return new FakeUpstream(wire);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the fake upstream", e);
    }
  }

  /** The wire format this fake speaks. */
  public Wire wire() {
    return wire;
  }

  /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  /** The port it listens on. */
  public int port() {
    return server.getLocalPort();
  }

  /**
   * Requires this key from now on: OpenAI {@code Authorization: Bearer KEY}, Azure {@code api-key: KEY}, Anthropic
   * {@code x-api-key: KEY}. Requests without it get 401 in the provider's error shape. Null stops checking.
   */
  public FakeUpstream expectKey(String key) {
    this.expectedKey = key;
    return this;
  }

  /** Answers every following request this way (after any sequence given to {@link #behaveOnce}). */
  public FakeUpstream behave(Behavior behavior) {
    this.defaultBehavior = Objects.requireNonNull(behavior, "behavior");
    return this;
  }

  /**
   * Answers the next requests with these behaviours, one each in order, then falls back to the one given to {@link
   * #behave} (normal by default). Calls add to the end of the sequence. A behaviour is taken when a request arrives,
   * whatever its path.
   */
  public FakeUpstream behaveOnce(Behavior... sequence) {
    for (Behavior behavior : sequence) {
      queued.add(Objects.requireNonNull(behavior, "behavior"));
    }
    return this;
  }

  /** The model ids {@code GET /v1/models} lists (replacing earlier ones); none by default. */
  public FakeUpstream models(String... ids) {
    this.models = List.of(ids);
    return this;
  }

  /** How many requests reached the fake (any path, any outcome). */
  public int requests() {
    return requests.get();
  }

  /** The requests that reached the fake, in arrival order. */
  public List<Received> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  /** The last request that reached the fake; fails when there was none. */
  public Received lastReceived() {
    synchronized (received) {
      if (received.isEmpty()) {
        throw new IllegalStateException("no request reached the fake upstream");
      }
      return received.get(received.size() - 1);
    }
  }

  /** Streamed responses being written right now. */
  public int openStreams() {
    return openStreams.get();
  }

  /**
   * Streamed responses whose client went away before their end (a write failed or the connection was closed by
   * the client). Counted after {@link #openStreams()} went down. Cuts made by {@link Behavior#truncateAfter} are not
   * counted.
   */
  public int cancelledStreams() {
    return cancelledStreams.get();
  }

  /** Waits until {@link #cancelledStreams()} reaches {@code atLeast}; true if it did within {@code timeout}. */
  public boolean awaitCancelledStreams(int atLeast, Duration timeout) {
    return await(cancelledStreams::get, atLeast, timeout);
  }

  /** Waits until {@link #requests()} reaches {@code atLeast}; true if it did within {@code timeout}. */
  public boolean awaitRequests(int atLeast, Duration timeout) {
    return await(requests::get, atLeast, timeout);
  }

  private static boolean await(IntSupplier value, int atLeast, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (value.getAsInt() < atLeast) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  /** Stops listening, ends every connection (hanging and streaming ones included) and its threads. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closing.countDown();
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
    threads.shutdownNow();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- the deterministic rule, for tests to compute expectations ----

  /**
   * Prompt tokens the fake reports for a request body: the whitespace-separated words of every message content (text
   * parts of arrays; roles count 0), plus Anthropic's {@code system}, a text completion's {@code prompt} and an
   * embedding request's {@code input}.
   */
  public static long promptTokensOf(String requestJson) {
    return FakeReplies.promptTokens(FakeReplies.parse(requestJson));
  }

  /**
   * The completion the fake answers a request body with: {@code "echo: "} and the text of the last {@code user}
   * message (text parts joined with single spaces), or {@code "echo: "} and the prompt of a text completion; {@code
   * ""} for embeddings.
   */
  public static String completionOf(String requestJson) {
    return FakeReplies.completion(FakeReplies.parse(requestJson));
  }

  /** The completion tokens the fake reports: the words of {@link #completionOf}. */
  public static long completionTokensOf(String requestJson) {
    return FakeReplies.words(completionOf(requestJson));
  }

  /** The content events a stream of this request carries: {@link #completionOf} split after each word's spaces. */
  public static List<String> completionPiecesOf(String requestJson) {
    return FakeReplies.pieces(completionOf(requestJson));
  }

  /** The 8-dimensional embedding the fake returns for an input text (derived from its SHA-256). */
  public static float[] embeddingOf(String input) {
    return FakeReplies.embedding(input);
  }

  // ---- serving ----

  private void acceptLoop() {
    while (!closed) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      sockets.add(socket);
      if (closed) {
        closeQuietly(socket);
        return;
      }
      try {
        threads.execute(() -> serve(socket));
      } catch (RejectedExecutionException e) {
        closeQuietly(socket);
        sockets.remove(socket);
      }
    }
  }

  private void serve(Socket socket) {
    try (HttpConnection connection = new HttpConnection(socket)) {
      while (!closed) {
        RawRequest request;
        try {
          request = connection.readRequest();
        } catch (HttpConnection.BadRequest e) {
          connection.sendFixed(400, List.<String[]>of(new String[] {"Content-Type", "text/plain"}),
              e.getMessage().getBytes(StandardCharsets.UTF_8), true);
          return;
        }
        if (request == null) {
          return;
        }
        if (!handle(connection, request) || !request.keepAlive()) {
          return;
        }
      }
    } catch (IOException e) {
      // the client went away, or the fake is closing
    } catch (RuntimeException e) {
      if (!closed) {
        System.err.println("FakeUpstream: failed to serve a request");
        e.printStackTrace();
      }
    } finally {
      sockets.remove(socket);
    }
  }

  /** Answers one request; false when the connection must not be reused. */
  private boolean handle(HttpConnection connection, RawRequest request) throws IOException {
    int number;
    synchronized (received) {
      received.add(new Received(request.method(), request.target(), request.headers(),
          new String(request.body(), StandardCharsets.UTF_8)));
      number = requests.incrementAndGet();
    }
    Behavior behavior = queued.poll();
    if (behavior == null) {
      behavior = defaultBehavior;
    }
    return respond(connection, request, number, behavior);
  }

  private boolean respond(HttpConnection connection, RawRequest request, int number, Behavior behavior)
      throws IOException {
    if (behavior instanceof Behavior.Hang) {
      connection.awaitClientGone();
      return false;
    }
    if (behavior instanceof Behavior.DelayHead delay) {
      if (pause(delay.delay())) {
        return false;
      }
      return respond(connection, request, number, delay.then());
    }
    Reply refused = checkAccess(request, number);
    if (refused != null) {
      return send(connection, request, refused);
    }
    if (behavior instanceof Behavior.Status status) {
      Reply reply = errorReply(status.status(), number);
      if (status.retryAfter() != null) {
        reply.headers().add(new String[] {"Retry-After", status.retryAfter()});
      }
      return send(connection, request, reply);
    }
    if (behavior instanceof Behavior.InsufficientQuota) {
      return send(connection, request, insufficientQuota(number));
    }
    Object routed = route(request, number);
    if (routed instanceof Reply reply) {
      return send(connection, request, reply);
    }
    Call call = (Call) routed;
    if (behavior instanceof Behavior.Garbage) {
      return sendGarbage(connection, request, call, number);
    }
    if (call.stream()) {
      return stream(connection, request, plan(call), number, behavior);
    }
    Reply reply = normalReply(call, number);
    if (behavior instanceof Behavior.TruncateAfter) {
      connection.sendTruncated(reply.status(), withContentType(reply), reply.body(), reply.body().length / 2);
      return false;
    }
    return send(connection, request, reply);
  }

  /** Waits, unless the fake closes first; true if it closed. */
  private boolean pause(Duration time) {
    try {
      return closing.await(time.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  private boolean send(HttpConnection connection, RawRequest request, Reply reply) throws IOException {
    boolean keepAlive = request.keepAlive();
    connection.sendFixed(reply.status(), withContentType(reply), reply.body(), !keepAlive);
    return keepAlive;
  }

  private static List<String[]> withContentType(Reply reply) {
    List<String[]> headers = new ArrayList<>();
    headers.add(new String[] {"Content-Type", reply.contentType()});
    headers.addAll(reply.headers());
    return headers;
  }

  private List<String[]> idHeaders(int number) {
    List<String[]> headers = new ArrayList<>();
    headers.add(new String[] {wire == Wire.ANTHROPIC ? "request-id" : "x-request-id", "req_fake_" + number});
    return headers;
  }

  private Reply json(int status, byte[] body, int number) {
    return new Reply(status, "application/json", body, idHeaders(number));
  }

  // ---- access, errors ----

  private Reply checkAccess(RawRequest request, int number) {
    String key = expectedKey;
    switch (wire) {
      case OPENAI: {
        if (key == null) {
          return null;
        }
        String authorization = request.header("authorization");
        if (authorization == null || authorization.isBlank()) {
          return json(401, FakeReplies.openAiError("You didn't provide an API key. You need to provide your API key"
              + " in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
              "invalid_request_error", null, null), number);
        }
        if (!authorization.equals("Bearer " + key)) {
          return json(401, FakeReplies.openAiError("Incorrect API key provided.", "invalid_request_error", null,
              "invalid_api_key"), number);
        }
        return null;
      }
      case AZURE: {
        if (key == null || key.equals(request.header("api-key"))) {
          return null;
        }
        return json(401, FakeReplies.azureError("401", "Access denied due to invalid subscription key or wrong API"
            + " endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API"
            + " endpoint for your resource."), number);
      }
      case ANTHROPIC: {
        if (key != null) {
          String given = request.header("x-api-key");
          if (given == null || given.isBlank()) {
            return json(401, FakeReplies.anthropicError("authentication_error", "x-api-key header is required"),
                number);
          }
          if (!given.equals(key)) {
            return json(401, FakeReplies.anthropicError("authentication_error", "invalid x-api-key"), number);
          }
        }
        String version = request.header("anthropic-version");
        if (version == null || version.isBlank()) {
          return json(400, FakeReplies.anthropicError("invalid_request_error",
              "anthropic-version: header is required"), number);
        }
        return null;
      }
      default:
        throw new IllegalStateException(wire.name());
    }
  }

  private Reply errorReply(int status, int number) {
    if (wire == Wire.ANTHROPIC) {
      return json(status, FakeReplies.anthropicError(FakeReplies.anthropicTypeFor(status),
          FakeReplies.anthropicMessageFor(status)), number);
    }
    return json(status, FakeReplies.openAiError(FakeReplies.openAiMessageFor(status), FakeReplies.openAiTypeFor(status),
        null, FakeReplies.openAiCodeFor(status)), number);
  }

  private Reply insufficientQuota(int number) {
    if (wire == Wire.ANTHROPIC) {
      return json(400, FakeReplies.anthropicError("invalid_request_error", "Your credit balance is too low to access"
          + " the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."), number);
    }
    return json(429, FakeReplies.openAiError("You exceeded your current quota, please check your plan and billing"
        + " details.", "insufficient_quota", null, "insufficient_quota"), number);
  }

  private Reply invalidRequest(String message, String param, int number) {
    if (wire == Wire.ANTHROPIC) {
      return json(400, FakeReplies.anthropicError("invalid_request_error", message), number);
    }
    return json(400, FakeReplies.openAiError(message, "invalid_request_error", param, null), number);
  }

  private Reply notFound(RawRequest request, int number) {
    if (wire == Wire.ANTHROPIC) {
      return json(404, FakeReplies.anthropicError("not_found_error", "Not Found"), number);
    }
    return json(404, FakeReplies.openAiError("Invalid URL (" + request.method() + " " + request.path() + ")",
        "invalid_request_error", null, null), number);
  }

  // ---- routing ----

  /** A {@link Call}, or the {@link Reply} refusing the request. */
  private Object route(RawRequest request, int number) {
    String method = request.method();
    String path = request.path();
    Kind kind = null;
    String deployment = null;
    if (wire == Wire.AZURE) {
      Matcher matcher = AZURE_PATH.matcher(path);
      if (matcher.matches() && method.equals("POST")) {
        deployment = URLDecoder.decode(matcher.group(1), StandardCharsets.UTF_8);
        kind = matcher.group(2).equals("chat/completions") ? Kind.CHAT
            : matcher.group(2).equals("completions") ? Kind.COMPLETIONS : Kind.EMBEDDINGS;
        if (!hasQueryParameter(request.query(), "api-version")) {
          return json(400, FakeReplies.openAiError("Missing required query parameter: api-version",
              "invalid_request_error", "api-version", "missing_required_parameter"), number);
        }
      }
    } else if (method.equals("GET") && path.equals("/v1/models")) {
      kind = Kind.MODELS;
    } else if (method.equals("POST") && wire == Wire.OPENAI) {
      kind = path.equals("/v1/chat/completions") ? Kind.CHAT
          : path.equals("/v1/completions") ? Kind.COMPLETIONS
          : path.equals("/v1/embeddings") ? Kind.EMBEDDINGS : null;
    } else if (method.equals("POST") && path.equals("/v1/messages")) {
      kind = Kind.MESSAGES;
    }
    if (kind == null) {
      return notFound(request, number);
    }
    if (kind == Kind.MODELS) {
      return new Call(kind, FakeReplies.JSON.createObjectNode(), null, false);
    }
    JsonNode json;
    try {
      json = FakeReplies.parse(new String(request.body(), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      return invalidRequest(wire == Wire.ANTHROPIC ? "There was an error parsing the body of your request: it is not"
          + " a JSON object." : "We could not parse the JSON body of your request. The OpenAI API expects a JSON"
          + " payload, but what was sent was not valid JSON.", null, number);
    }
    JsonNode model = json.get("model");
    if (deployment == null && (model == null || !model.isTextual() || model.asText().isEmpty())) {
      return invalidRequest(wire == Wire.ANTHROPIC ? "model: Field required"
          : "you must provide a model parameter", "model", number);
    }
    String required = kind == Kind.CHAT || kind == Kind.MESSAGES ? "messages"
        : kind == Kind.COMPLETIONS ? "prompt" : "input";
    if (!json.has(required) || json.get(required).isNull()
        || (required.equals("messages") && !json.get(required).isArray())) {
      return invalidRequest(wire == Wire.ANTHROPIC ? required + ": Field required"
          : "Missing required parameter: '" + required + "'.", required, number);
    }
    if (kind == Kind.MESSAGES && !json.path("max_tokens").isIntegralNumber()) {
      return invalidRequest("max_tokens: Field required", "max_tokens", number);
    }
    boolean stream = kind != Kind.EMBEDDINGS && json.path("stream").asBoolean(false);
    return new Call(kind, json, deployment != null ? deployment : model.asText(), stream);
  }

  private static boolean hasQueryParameter(String query, String name) {
    for (String pair : query.split("&")) {
      int equals = pair.indexOf('=');
      String key = equals < 0 ? pair : pair.substring(0, equals);
      if (key.equals(name) && equals >= 0 && equals < pair.length() - 1) {
        return true;
      }
    }
    return false;
  }

  // ---- normal replies ----

  private Reply normalReply(Call call, int number) {
    long created = Instant.now().getEpochSecond();
    JsonNode json = call.json();
    switch (call.kind()) {
      case MODELS:
        return json(200, FakeReplies.bytes(wire == Wire.ANTHROPIC ? FakeReplies.anthropicModels(models)
            : FakeReplies.openAiModels(models)), number);
      case EMBEDDINGS:
        return json(200, FakeReplies.bytes(FakeReplies.embeddings(call.model(),
            FakeReplies.inputsOf(json.get("input")), "base64".equals(json.path("encoding_format").asText()))),
            number);
      case CHAT: {
        String text = FakeReplies.completion(json);
        return json(200, FakeReplies.bytes(FakeReplies.chatCompletion("chatcmpl-fake-" + replyIds.incrementAndGet(),
            created, call.model(), text, FakeReplies.promptTokens(json), FakeReplies.words(text))), number);
      }
      case COMPLETIONS: {
        String text = FakeReplies.completion(json);
        long prompt = FakeReplies.promptTokens(json);
        long completion = FakeReplies.words(text);
        return json(200, FakeReplies.bytes(FakeReplies.textCompletion("cmpl-fake-" + replyIds.incrementAndGet(),
            created, call.model(), text, "stop", FakeReplies.usage(prompt, completion), false)), number);
      }
      case MESSAGES: {
        String text = FakeReplies.completion(json);
        return json(200, FakeReplies.bytes(FakeReplies.anthropicMessage("msg_fake_" + replyIds.incrementAndGet(),
            call.model(), text, FakeReplies.promptTokens(json), FakeReplies.words(text))), number);
      }
      default:
        throw new IllegalStateException(call.kind().name());
    }
  }

  private boolean sendGarbage(HttpConnection connection, RawRequest request, Call call, int number)
      throws IOException {
    byte[] body = GARBAGE.getBytes(StandardCharsets.UTF_8);
    if (!call.stream()) {
      return send(connection, request, json(200, body, number));
    }
    boolean keepAlive = request.keepAlive();
    List<String[]> headers = sseHeaders(number);
    connection.startChunked(200, headers, !keepAlive);
    connection.writeChunk(body);
    connection.endChunked();
    return keepAlive;
  }

  // ---- streams ----

  private List<String[]> sseHeaders(int number) {
    List<String[]> headers = new ArrayList<>();
    headers.add(new String[] {"Content-Type", "text/event-stream; charset=utf-8"});
    headers.add(new String[] {"Cache-Control", "no-cache"});
    headers.addAll(idHeaders(number));
    return headers;
  }

  private StreamPlan plan(Call call) {
    JsonNode json = call.json();
    String text = FakeReplies.completion(json);
    List<String> pieces = FakeReplies.pieces(text);
    long prompt = FakeReplies.promptTokens(json);
    long completion = pieces.size();
    String model = call.model();
    long created = Instant.now().getEpochSecond();
    List<byte[]> preamble = new ArrayList<>();
    List<byte[]> content = new ArrayList<>();
    List<byte[]> tail = new ArrayList<>();
    if (call.kind() == Kind.MESSAGES) {
      String id = "msg_fake_" + replyIds.incrementAndGet();
      ObjectNode message = FakeReplies.anthropicMessage(id, model, "", prompt, 1);
      message.putArray("content");
      message.putNull("stop_reason");
      message.remove("x_provider_extra");
      ObjectNode start = FakeReplies.JSON.createObjectNode();
      start.put("type", "message_start");
      start.set("message", message);
      preamble.add(FakeReplies.event("message_start", start));
      ObjectNode blockStart = FakeReplies.JSON.createObjectNode();
      blockStart.put("type", "content_block_start");
      blockStart.put("index", 0);
      ObjectNode block = blockStart.putObject("content_block");
      block.put("type", "text");
      block.put("text", "");
      preamble.add(FakeReplies.event("content_block_start", blockStart));
      preamble.add(FakeReplies.event("ping", FakeReplies.JSON.createObjectNode().put("type", "ping")));
      for (String piece : pieces) {
        ObjectNode delta = FakeReplies.JSON.createObjectNode();
        delta.put("type", "content_block_delta");
        delta.put("index", 0);
        delta.putObject("delta").put("type", "text_delta").put("text", piece);
        content.add(FakeReplies.event("content_block_delta", delta));
      }
      tail.add(FakeReplies.event("content_block_stop",
          FakeReplies.JSON.createObjectNode().put("type", "content_block_stop").put("index", 0)));
      ObjectNode messageDelta = FakeReplies.JSON.createObjectNode();
      messageDelta.put("type", "message_delta");
      messageDelta.putObject("delta").put("stop_reason", "end_turn").putNull("stop_sequence");
      messageDelta.putObject("usage").put("output_tokens", completion);
      messageDelta.set("x_provider_extra", FakeReplies.JSON.createObjectNode().put("kept", true));
      tail.add(FakeReplies.event("message_delta", messageDelta));
      tail.add(FakeReplies.event("message_stop", FakeReplies.JSON.createObjectNode().put("type", "message_stop")));
      byte[] error = FakeReplies.event("error", FakeReplies.anthropicErrorNode("overloaded_error", "Overloaded"));
      return new StreamPlan(preamble, content, tail, error);
    }
    boolean includeUsage = json.path("stream_options").path("include_usage").asBoolean(false);
    if (call.kind() == Kind.CHAT) {
      String id = "chatcmpl-fake-" + replyIds.incrementAndGet();
      for (int i = 0; i < pieces.size(); i++) {
        ObjectNode delta = FakeReplies.JSON.createObjectNode();
        if (i == 0) {
          delta.put("role", "assistant");
        }
        delta.put("content", pieces.get(i));
        content.add(FakeReplies.data(FakeReplies.chatChunk(id, created, model, delta, null, includeUsage)));
      }
      tail.add(FakeReplies.data(FakeReplies.chatChunk(id, created, model, FakeReplies.JSON.createObjectNode(), "stop",
          includeUsage)));
      if (includeUsage) {
        tail.add(FakeReplies.data(FakeReplies.usageChunk(id, created, model, "chat.completion.chunk", prompt,
            completion)));
      }
    } else {
      String id = "cmpl-fake-" + replyIds.incrementAndGet();
      for (String piece : pieces) {
        content.add(FakeReplies.data(FakeReplies.textCompletion(id, created, model, piece, null, null,
            includeUsage)));
      }
      tail.add(FakeReplies.data(FakeReplies.textCompletion(id, created, model, "", "stop", null, includeUsage)));
      if (includeUsage) {
        tail.add(FakeReplies.data(FakeReplies.usageChunk(id, created, model, "text_completion", prompt,
            completion)));
      }
    }
    tail.add("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
    byte[] error = FakeReplies.data(FakeReplies.openAiErrorNode(
        "The server had an error while processing your request. Sorry about that!", "server_error", null, null));
    return new StreamPlan(preamble, content, tail, error);
  }

  private boolean stream(HttpConnection connection, RawRequest request, StreamPlan plan, int number,
      Behavior behavior) throws IOException {
    int limit = Integer.MAX_VALUE;
    boolean truncate = false;
    boolean midError = false;
    Duration gap = Duration.ZERO;
    if (behavior instanceof Behavior.TruncateAfter truncateAfter) {
      limit = truncateAfter.events();
      truncate = true;
    } else if (behavior instanceof Behavior.MidStreamError midStreamError) {
      limit = midStreamError.events();
      midError = true;
    } else if (behavior instanceof Behavior.SlowStream slowStream) {
      gap = slowStream.perEvent();
    }
    boolean keepAlive = request.keepAlive();
    boolean cancelled = false;
    openStreams.incrementAndGet();
    try {
      connection.startChunked(200, sseHeaders(number), !keepAlive);
      Emitter emitter = new Emitter(connection, gap);
      for (byte[] event : plan.preamble()) {
        emitter.emit(event);
      }
      int sent = 0;
      for (byte[] event : plan.content()) {
        if (sent >= limit) {
          break;
        }
        emitter.emit(event);
        sent++;
      }
      if (truncate) {
        // like a provider dying a moment after its last event: clients get to read the events before the cut
        pause(CUT_DELAY);
        connection.cut();
        return false;
      }
      if (midError) {
        emitter.emit(plan.error());
      } else {
        for (byte[] event : plan.tail()) {
          emitter.emit(event);
        }
      }
      connection.endChunked();
      return keepAlive;
    } catch (IOException e) {
      cancelled = !closed;
      return false;
    } finally {
      openStreams.decrementAndGet();
      if (cancelled) {
        cancelledStreams.incrementAndGet();
      }
    }
  }

  /** Writes events, pausing (and watching for the client leaving) between them. */
  private final class Emitter {
    private final HttpConnection connection;
    private final Duration gap;
    private boolean first = true;

    Emitter(HttpConnection connection, Duration gap) {
      this.connection = connection;
      this.gap = gap;
    }

    void emit(byte[] event) throws IOException {
      if (!first && !gap.isZero() && connection.clientGoneWithin(gap)) {
        throw new IOException(closed ? "the fake upstream closed" : "the client went away");
      }
      first = false;
      connection.writeChunk(event);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }

  @Override
  public String toString() {
    return "FakeUpstream[" + wire + " " + baseUrl() + (closed ? " closed" : "") + "]";
  }
}
