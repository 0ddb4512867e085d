package com.neurasea.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.neurasea.model.ChannelType;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.UsageStatus;
import com.neurasea.quota.Chain;
import com.neurasea.quota.PriceTable;
import com.neurasea.quota.Reservation;
import com.neurasea.quota.Usage;
import com.neurasea.spi.UpstreamCall;
import com.neurasea.spi.UpstreamHandler;
import com.neurasea.spi.UpstreamRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request from reservation to settlement: picks channels, forwards, fails over, relays the reply
 * and settles exactly once.
 */
final class Exchange implements GatewayCall {
  private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);
  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
  private final Gateway gateway;
  private final GatewayRequest request;
  private final GatewayResponder responder;
  private final RequestScan scan;
  private final String publicName;
  private final String model;
  private final Chain chain;
  private final PriceTable.Quote quote;
  private final List<Route> routes;
  private final boolean[] tried;
  private final Map<String, String> headers;
  private final AtomicBoolean finished = new AtomicBoolean();
  private Reservation reservation;
  private int attempts;
  private long waitedMillis;
  private volatile Attempt current;
  private volatile boolean streaming;
  private JsonNode tree;

  Exchange(Gateway gateway, GatewayRequest request, GatewayResponder responder, RequestScan scan, String publicName,
      String model, Chain chain, PriceTable.Quote quote, List<Route> routes, String requestId) {
    this.gateway = gateway;
    this.request = request;
    this.responder = responder;
    this.scan = scan;
    this.publicName = publicName;
    this.model = model;
    this.chain = chain;
    this.quote = quote;
    this.routes = routes;
    this.tried = new boolean[routes.size()];
    this.headers = Map.of("x-request-id", requestId);
  }

  void start(Reservation held) {
    this.reservation = held;
    next(new OpenAiErrors.GatewayError(503, "upstream_error", "no_channel_available",
        null, "no channel for model " + publicName + " is available now", -1));
  }

  // ------------------------------------------------------------------ routing

  /** Starts the next attempt, or ends the request with the last error when the budget is spent. */
  private void next(OpenAiErrors.GatewayError lastError) {
    if (finished.get()) {
      return;
    }
    if (attempts >= gateway.settings.maxAttempts()) {
      fail(lastError);
      return;
    }
    long now = gateway.clock.millis();
    while (true) {
      int index = pick(now);
      if (index < 0) {
        break;
      }
      Route route = routes.get(index);
      tried[index] = true;
      int admitted = route.health.tryAcquire(now, route.channel.maxConcurrency(), route.channel.requestsPerMinute());
      if (admitted == ChannelHealth.REFUSED) {
        continue;
      }
      attempts++;
      send(route, admitted == ChannelHealth.TRIAL);
      return;
    }
    long wait = soonestCoolDown(now);
    if (wait >= 0 && waitedMillis + wait <= gateway.settings.maxRetryWaitMillis()) {
      waitedMillis += wait;
      gateway.scheduler.schedule(() -> next(lastError), Math.max(1, wait), TimeUnit.MILLISECONDS);
      return;
    }
    if (wait >= 0 && lastError.retryAfterSeconds() < 0) {
      // Every channel is cooling down after its provider's Retry-After: say when to come back.
      fail(new OpenAiErrors.GatewayError(429, "rate_limit_error", "upstream_rate_limited", null,
          "the model's providers are rate limiting; retry later", Math.max(1, (wait + 999) / 1000)));
      return;
    }
    fail(lastError);
  }

  /** The next untried available route of the highest tier that has one, by the routing strategy. */
  private int pick(long now) {
    int i = 0;
    while (i < routes.size()) {
      int priority = routes.get(i).channel.priority();
      int end = i;
      int available = 0;
      int only = -1;
      for (; end < routes.size() && routes.get(end).channel.priority() == priority; end++) {
        if (usable(end, now)) {
          available++;
          only = end;
        }
      }
      if (available == 1) {
        return only;  // the usual case: no list, no strategy call
      }
      if (available > 1) {
        List<Route> tier = new ArrayList<>(available);
        int[] indexes = new int[available];
        for (int k = i; k < end; k++) {
          if (usable(k, now)) {
            indexes[tier.size()] = k;
            tier.add(routes.get(k));
          }
        }
        // Health may change between the passes: pick among what is still usable.
        if (tier.size() == 1) {
          return indexes[0];
        }
        if (!tier.isEmpty()) {
          return indexes[gateway.strategy.pick(tier)];
        }
      }
      i = end;
    }
    return -1;
  }

  private boolean usable(int index, long now) {
    Route route = routes.get(index);
    return !tried[index] && route.health.available(now, route.channel.maxConcurrency());
  }


  /** Milliseconds until the first cooling route (untried or retried after its Retry-After) is back, or -1. */
  private long soonestCoolDown(long now) {
    long best = -1;
    int bestIndex = -1;
    for (int i = 0; i < routes.size(); i++) {
      java.time.Instant until = routes.get(i).health.coolingUntil(now);
      if (until != null) {
        long wait = until.toEpochMilli() - now;
        if (best < 0 || wait < best) {
          best = wait;
          bestIndex = i;
        }
      }
    }
    if (bestIndex >= 0) {
      tried[bestIndex] = false;
    }
    return best;
  }

  private void send(Route route, boolean trial) {
    Attempt attempt = new Attempt(route, trial);
    synchronized (this) {
      if (finished.get()) {
        // The client went away while this attempt was being chosen: it never starts.
        attempt.endHealth(0);
        return;
      }
      current = attempt;
    }
    if (route.transport == null) {
      attempt.failed(0, "connect", "no upstream transport is configured", 503, "upstream_unavailable", -1);
      return;
    }
    UpstreamRequest upstream;
    try {
      upstream = upstreamRequest(route);
    } catch (NeuraSeaException e) {
      // This channel's protocol cannot carry the request (an Anthropic channel and n > 1, say): another may.
      attempt.over = true;
      attempt.endHealth(0);
      next(OpenAiErrors.of(e));
      return;
    } catch (RuntimeException e) {
      // The channel's settings make no valid request (UpstreamRequest refused them): its fault, not the client's.
      attempt.failed(0, "request", "the channel's settings make no valid request: " + e.getMessage(), 502,
          "channel_misconfigured", -1);
      return;
    }
    try {
      attempt.call = route.transport.send(upstream, attempt);
    } catch (RuntimeException e) {
      attempt.onError(e);
    }
    if (finished.get() && attempt.call != null && attempt.abandoned) {
      attempt.call.cancel();
    }
  }

  private UpstreamRequest upstreamRequest(Route route) {
    String upstreamModel = route.channel.upstreamModel(model);
    byte[] body;
    if (route.channel.type() == ChannelType.ANTHROPIC) {
      body = AnthropicTranslator.request(tree(), upstreamModel, scan.stream,
          gateway.settings.defaultMaxOutputTokens());
    } else {
      body = scan.forUpstream(upstreamModel, route.channel.type() != ChannelType.AZURE_OPENAI);
    }
    return route.request(request.endpoint(), upstreamModel, body, scan.stream);
  }

  private JsonNode tree() {
    if (tree == null) {
      try {
        tree = RequestScan.MAPPER.readTree(request.body());
      } catch (IOException e) {
        throw NeuraSeaException.invalid("body", "the request body is not valid JSON");
      }
    }
    return tree;
  }

  // ------------------------------------------------------------------ endings

  private void fail(OpenAiErrors.GatewayError error) {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    release(error.code());
    if (streaming) {
      responder.sendEvent(error.event());
      responder.endStream();
    } else {
      responder.sendFull(error.status(), withRetryAfter(error.retryAfterSeconds()), error.body());
    }
  }

  private Map<String, String> withRetryAfter(long seconds) {
    if (seconds < 0) {
      return headers;
    }
    Map<String, String> h = new HashMap<>(headers);
    h.put("Retry-After", Long.toString(seconds));
    return h;
  }

  private void release(String code) {
    Attempt attempt = current;
    try {
      gateway.engine.release(reservation, publicName, attempt == null ? null : attempt.route.usageName, code);
    } catch (RuntimeException e) {
      LOG.warn("request {}: release failed: {}", reservation.requestId(), e.toString());
    }
  }

  private void settle(Route route, long prompt, long completion, long cached, UsageStatus status, String code) {
    try {
      long cost = quote == null ? 0 : quote.cost(prompt, completion, cached);
      gateway.engine.settle(reservation, new Usage(publicName, route.usageName, prompt, completion, cached, cost,
          status, code, request.clientIp(), request.userAgent()));
    } catch (NeuraSeaException e) {
      // Usage no budget can hold (a provider reporting absurd counts): the reservation must still end.
      LOG.warn("request {}: the reported usage cannot be settled ({}); released instead", reservation.requestId(),
          e.getMessage());
      try {
        gateway.engine.release(reservation, publicName, route.usageName, "usage_unsettleable");
      } catch (RuntimeException again) {
        LOG.warn("request {}: release failed: {}", reservation.requestId(), again.toString());
      }
    } catch (RuntimeException e) {
      LOG.warn("request {}: settle failed: {}", reservation.requestId(), e.toString());
    }
  }

  /** Settles on the provider's usage when it reported one, else on counted tokens (the disconnect policy). */
  private void settleCounted(Route route, ReplyUsage reported, StringBuilder delivered, String code) {
    if (reported != null && reported.known()) {
      settle(route, reported.promptTokens, reported.completionTokens, reported.cachedTokens, UsageStatus.FAILED, code);
      return;
    }
    long prompt = gateway.tokens.count(model, promptText());
    long completion = delivered == null ? 0 : gateway.tokens.count(model, delivered);
    settle(route, prompt, completion, 0, UsageStatus.FAILED, code);
  }

  private String promptText() {
    try {
      JsonNode body = tree();
      StringBuilder text = new StringBuilder();
      for (JsonNode message : body.path("messages")) {
        JsonNode content = message.path("content");
        if (content.isTextual()) {
          text.append(content.asText()).append('\n');
        } else {
          for (JsonNode part : content) {
            text.append(part.path("text").asText("")).append('\n');
          }
        }
      }
      for (String field : new String[] {"prompt", "input"}) {
        JsonNode value = body.path(field);
        if (value.isTextual()) {
          text.append(value.asText());
        } else {
          value.forEach(v -> text.append(v.asText("")).append('\n'));
        }
      }
      return text.toString();
    } catch (RuntimeException e) {
      return new String(request.body(), StandardCharsets.UTF_8);
    }
  }

  @Override
  public void cancel() {
    Attempt attempt;
    synchronized (this) {
      if (!finished.compareAndSet(false, true)) {
        return;
      }
      attempt = current;
    }
    if (attempt == null || attempt.over) {
      // Between attempts (waiting out a Retry-After): nothing was served, nothing is charged.
      release("client_disconnected");
      return;
    }
    attempt.abandoned = true;
    UpstreamCall call = attempt.call;
    if (call != null) {
      call.cancel();
    }
    attempt.endHealth(0);
    ReplyUsage reported;
    StringBuilder delivered;
    synchronized (attempt) {
      reported = attempt.reported;
      delivered = attempt.delivered == null ? null : new StringBuilder(attempt.delivered);
    }
    settleCounted(attempt.route, reported, delivered, "client_disconnected");
  }

  // ------------------------------------------------------------------ one attempt

  /** One try on one channel; receives its response. */
  private final class Attempt implements UpstreamHandler, SseParser.Listener {
    final Route route;
    final boolean trial;
    final long startNanos = System.nanoTime();
    volatile UpstreamCall call;
    volatile boolean abandoned;
    /** The exchange moved on from this attempt (it failed and another may follow). */
    volatile boolean over;
    private final AtomicBoolean healthEnded = new AtomicBoolean();
    private int status;
    private Map<String, List<String>> responseHeaders = Map.of();
    private ByteArrayOutputStream buffer;
    private SseParser parser;
    private AnthropicStreamTranslator translator;
    private long latencyNanos;
    private boolean done;
    private boolean errorForwarded;
    ReplyUsage reported;
    StringBuilder delivered;

    Attempt(Route route, boolean trial) {
      this.route = route;
      this.trial = trial;
    }

    @Override
    public void onResponse(int responseStatus, Map<String, List<String>> responseHead) {
      if (abandoned) {
        return;
      }
      status = responseStatus;
      responseHeaders = responseHead;
      latencyNanos = System.nanoTime() - startNanos;
      String type = first("content-type");
      if (status / 100 == 2 && scan.stream && type != null && type.startsWith("text/event-stream")) {
        parser = new SseParser(this, gateway.settings.maxResponseBytes());
        delivered = new StringBuilder();
        if (route.channel.type() == ChannelType.ANTHROPIC) {
          translator = new AnthropicStreamTranslator(publicName, "chatcmpl-" + reservation.requestId(),
              gateway.clock.millis() / 1000, scan.includeUsage);
        }
        streaming = true;
        responder.startStream(headers);
      } else {
        buffer = new ByteArrayOutputStream(status / 100 == 2 ? 1024 : 256);
      }
    }

    @Override
    public void onBody(ByteBuffer chunk) {
      if (abandoned) {
        return;
      }
      if (parser != null) {
        try {
          parser.feed(chunk);
        } catch (RuntimeException e) {
          abandon();
          streamFailed("upstream_unreadable", "the upstream stream is unreadable");
        }
        return;
      }
      if (buffer.size() + chunk.remaining() > gateway.settings.maxResponseBytes()) {
        abandon();
        failed(status, "unreadable", "reply larger than " + gateway.settings.maxResponseBytes() + " bytes", 502,
            "upstream_reply_too_large", -1);
        return;
      }
      if (chunk.hasArray()) {
        buffer.write(chunk.array(), chunk.arrayOffset() + chunk.position(), chunk.remaining());
        chunk.position(chunk.limit());
      } else {
        byte[] copy = new byte[chunk.remaining()];
        chunk.get(copy);
        buffer.writeBytes(copy);
      }
    }

    @Override
    public synchronized void onEvent(String event, String data) {
      if (abandoned || finished.get()) {
        return;
      }
      if (translator != null) {
        byte[] out = translator.onEvent(event, data);
        if (translator.error() != null) {
          abandon();
          streamFailed("upstream_stream_error", "the upstream failed mid-stream: " + translator.error());
          return;
        }
        if (out.length > 0) {
          responder.sendEvent(out);
        }
        if (translator.finished()) {
          done = true;
        }
        return;
      }
      if (data.equals("[DONE]")) {
        done = true;
        responder.sendEvent(DONE);
        return;
      }
      byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
      ReplyUsage chunkUsage;
      try {
        chunkUsage = ReplyUsage.read(bytes, 0, bytes.length, delivered);
      } catch (IOException e) {
        abandon();
        streamFailed("upstream_unreadable", "the upstream sent an unreadable event");
        return;
      }
      if (chunkUsage.known()) {
        reported = chunkUsage;
      }
      boolean usageOnly = chunkUsage.known() && chunkUsage.hasChoices && chunkUsage.emptyChoices;
      if (usageOnly && !scan.includeUsage) {
        return;
      }
      responder.sendEvent(event(event, bytes));
      if (chunkUsage.error) {
        errorForwarded = true;
      }
    }

    @Override
    public void onComplete() {
      if (abandoned || finished.get()) {
        return;
      }
      if (parser != null) {
        if (done) {
          endHealth(1);
          if (finished.compareAndSet(false, true)) {
            settleStream(UsageStatus.SUCCEEDED, null);
            responder.endStream();
          }
        } else if (errorForwarded) {
          endHealth(-1);
          if (finished.compareAndSet(false, true)) {
            settleStream(UsageStatus.FAILED, "upstream_stream_error");
            responder.endStream();
          }
        } else {
          streamFailed("upstream_truncated", "the upstream stream ended before it was complete");
        }
        return;
      }
      byte[] body = buffer.toByteArray();
      if (status / 100 == 2) {
        completeBuffered(body);
      } else {
        classify(body);
      }
    }

    @Override
    public void onError(Throwable error) {
      if (abandoned || finished.get()) {
        return;
      }
      if (parser != null) {
        if (done) {
          onCompleteAfterError();
        } else {
          streamFailed("upstream_truncated", "the upstream stream ended before it was complete: the connection "
              + (error instanceof java.io.InterruptedIOException ? "timed out" : "broke"));
        }
        return;
      }
      boolean timeout = error instanceof java.io.InterruptedIOException
          || error instanceof java.net.http.HttpTimeoutException;
      String kind = timeout ? "timeout" : "connect";
      String message = timeout ? "upstream timed out" : "upstream unreachable: " + error.getClass().getSimpleName();
      failed(0, kind, message, timeout ? 504 : 502, timeout ? "upstream_timeout" : "upstream_unreachable", -1);
    }

    /** The connection failed after the stream's end marker: the stream was complete. */
    private void onCompleteAfterError() {
      endHealth(1);
      if (finished.compareAndSet(false, true)) {
        settleStream(UsageStatus.SUCCEEDED, null);
        responder.endStream();
      }
    }

    private void completeBuffered(byte[] body) {
      long prompt;
      long completion;
      long cached;
      byte[] reply = body;
      try {
        if (route.channel.type() == ChannelType.ANTHROPIC) {
          AnthropicTranslator.Reply translated = AnthropicTranslator.response(body, publicName,
              "chatcmpl-" + reservation.requestId(), gateway.clock.millis() / 1000);
          reply = translated.body();
          prompt = translated.promptTokens();
          completion = translated.completionTokens();
          cached = translated.cachedTokens();
        } else {
          ReplyUsage usage = ReplyUsage.read(body, 0, body.length, null);
          if (usage.error) {
            throw new IOException("an error object in a success reply");
          }
          prompt = Math.max(0, usage.promptTokens);
          completion = usage.completionTokens;
          cached = usage.cachedTokens;
        }
      } catch (IOException | RuntimeException e) {
        failed(status, "unreadable", "upstream returned an unreadable reply", 502, "upstream_unreadable", -1);
        return;
      }
      endHealth(1);
      if (finished.compareAndSet(false, true)) {
        // Settled before the client sees the reply: what a client saw is always on the books.
        settle(route, prompt, completion, cached, UsageStatus.SUCCEEDED, null);
        responder.sendFull(200, headers, reply);
      }
    }

    /** A non-2xx reply: retry elsewhere when the channel is at fault, else hand the error to the client. */
    private void classify(byte[] body) {
      String text = new String(body, 0, Math.min(body.length, 4096), StandardCharsets.UTF_8);
      String message = upstreamMessage(body);
      long retryAfter = retryAfterMillis();
      if (status == 401 || status == 403 || (status == 429 && text.contains("insufficient_quota"))
          || (status == 400 && text.contains("credit balance is too low"))) {
        gateway.autoDisable(route, "provider refused the credential (HTTP " + status + "): " + clip(message));
        // The provider's text may quote part of the key: it goes to the admin view, never to the client.
        failedQuietly(status, "HTTP " + status + ": " + clip(message), "upstream_auth_failed",
            "the provider refused the channel's credentials (HTTP " + status + ")");
        return;
      }
      if (status == 404) {
        // The gateway knows the model: a 404 means the channel is misconfigured (base URL, deployment).
        failedQuietly(status, "HTTP 404: " + clip(message), "upstream_not_found",
            "the channel could not find the model (HTTP 404)");
        return;
      }
      if (status == 429) {
        over = true;
        route.health.coolUntil(gateway.clock.millis() + (retryAfter >= 0 ? retryAfter : 1_000));
        route.health.remember(new ChannelError(gateway.clock.instant(), status, "status", clip(message)));
        endHealth(0);
        long seconds = retryAfter >= 0 ? Math.max(1, (retryAfter + 999) / 1000) : 1;
        next(new OpenAiErrors.GatewayError(429, "rate_limit_error", "upstream_rate_limited", null,
            "the model's providers are rate limiting; retry later", seconds));
        return;
      }
      if (status == 408 || status >= 500) {
        if (retryAfter >= 0) {
          route.health.coolUntil(gateway.clock.millis() + retryAfter);
        }
        failed(status, "status", "HTTP " + status + ": " + clip(message), 502, "upstream_error", -1);
        return;
      }
      // The request itself was refused: the client's fault, not the channel's. No retry, no charge.
      endHealth(0);
      if (finished.compareAndSet(false, true)) {
        release("upstream_" + status);  // before the client sees the answer
        String type = status == 404 ? "invalid_request_error" : "invalid_request_error";
        byte[] out = route.channel.type() != ChannelType.ANTHROPIC && looksLikeOpenAiError(body) ? body
            : OpenAiErrors.body(message == null ? "the provider refused the request (HTTP " + status + ")" : message,
                type, null, "upstream_" + status);
        responder.sendFull(status, headers, out);
      }
    }

    /** This attempt failed on the channel's account; the exchange tries the next one. */
    void failed(int upstreamStatus, String kind, String message, int clientStatus, String code, long retrySeconds) {
      over = true;
      ChannelError error = new ChannelError(gateway.clock.instant(), upstreamStatus, kind, message);
      if (healthEnded.compareAndSet(false, true)) {
        route.health.failed(gateway.clock.millis(), error);
      } else {
        route.health.remember(error);
      }
      next(new OpenAiErrors.GatewayError(clientStatus, "upstream_error", code, null,
          "the model's upstream failed: " + message, retrySeconds));
    }

    /** Fails this attempt on the channel's account, telling the client less than the admin view. */
    private void failedQuietly(int upstreamStatus, String adminMessage, String code, String clientMessage) {
      over = true;
      ChannelError error = new ChannelError(gateway.clock.instant(), upstreamStatus, "status", adminMessage);
      if (healthEnded.compareAndSet(false, true)) {
        route.health.failed(gateway.clock.millis(), error);
      } else {
        route.health.remember(error);
      }
      next(new OpenAiErrors.GatewayError(502, "upstream_error", code, null, clientMessage, -1));
    }

    private void streamFailed(String code, String message) {
      if (!finished.compareAndSet(false, true)) {
        return;
      }
      ChannelError error = new ChannelError(gateway.clock.instant(), status, "stream", message);
      if (healthEnded.compareAndSet(false, true)) {
        route.health.failed(gateway.clock.millis(), error);
      }
      settleStream(UsageStatus.FAILED, code);
      responder.sendEvent(new OpenAiErrors.GatewayError(502, "upstream_error", code, null, message, -1).event());
      responder.endStream();
    }

    private void settleStream(UsageStatus outcome, String code) {
      if (translator != null) {
        if (translator.promptTokens() > 0 || translator.completionTokens() > 0) {
          ReplyUsage u = new ReplyUsage();
          u.promptTokens = translator.promptTokens();
          u.completionTokens = translator.completionTokens();
          u.cachedTokens = translator.cachedTokens();
          reported = u;
        }
      }
      if (outcome == UsageStatus.SUCCEEDED && reported != null && reported.known()) {
        settle(route, reported.promptTokens, reported.completionTokens, reported.cachedTokens, outcome, null);
      } else if (outcome == UsageStatus.SUCCEEDED) {
        long prompt = gateway.tokens.count(model, promptText());
        settle(route, prompt, gateway.tokens.count(model, delivered), 0, outcome, null);
      } else {
        settleCounted(route, reported, delivered, code);
      }
    }

    /** Ends this attempt's health claim once: 1 success, -1 failure, 0 neutral. */
    void endHealth(int outcome) {
      if (!healthEnded.compareAndSet(false, true)) {
        return;
      }
      long now = gateway.clock.millis();
      if (outcome > 0) {
        route.health.succeeded(now, latencyNanos);
      } else if (outcome < 0) {
        route.health.failed(now, new ChannelError(gateway.clock.instant(), status, "stream", "error event"));
      } else {
        route.health.neutral(trial);
      }
    }

    private void abandon() {
      abandoned = true;
      UpstreamCall c = call;
      if (c != null) {
        c.cancel();
      }
    }

    private String first(String name) {
      List<String> values = responseHeaders.get(name);
      return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The provider's {@code retry-after-ms}, else its {@code retry-after} (seconds or an HTTP date), else -1. */
    private long retryAfterMillis() {
      String ms = first("retry-after-ms");
      if (ms != null) {
        try {
          return Math.max(0, (long) Double.parseDouble(ms.trim()));
        } catch (NumberFormatException e) {
          // fall through to retry-after
        }
      }
      String seconds = first("retry-after");
      if (seconds == null) {
        return -1;
      }
      try {
        return Math.max(0, (long) (Double.parseDouble(seconds.trim()) * 1000));
      } catch (NumberFormatException e) {
        try {
          java.time.ZonedDateTime at = java.time.ZonedDateTime.parse(seconds.trim(),
              java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME);
          return Math.max(0, at.toInstant().toEpochMilli() - gateway.clock.millis());
        } catch (RuntimeException unreadable) {
          return -1;
        }
      }
    }

    private String upstreamMessage(byte[] body) {
      if (route.channel.type() == ChannelType.ANTHROPIC) {
        return AnthropicTranslator.errorMessage(body);
      }
      try {
        JsonNode node = RequestScan.MAPPER.readTree(body);
        JsonNode message = node.path("error").path("message");
        return message.isTextual() ? message.asText() : null;
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }
  }

  private static boolean looksLikeOpenAiError(byte[] body) {
    try {
      return RequestScan.MAPPER.readTree(body).path("error").isObject();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static String clip(String message) {
    if (message == null) {
      return "no message";
    }
    return message.length() <= 300 ? message : message.substring(0, 300);
  }

  private static byte[] event(String name, byte[] data) {
    byte[] prefix = name == null ? new byte[0] : ("event: " + name + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[prefix.length + 6 + data.length + 2];
    System.arraycopy(prefix, 0, out, 0, prefix.length);
    int o = prefix.length;
    out[o++] = 'd';
    out[o++] = 'a';
    out[o++] = 't';
    out[o++] = 'a';
    out[o++] = ':';
    out[o++] = ' ';
    System.arraycopy(data, 0, out, o, data.length);
    out[out.length - 2] = '\n';
    out[out.length - 1] = '\n';
    return out;
  }
}
