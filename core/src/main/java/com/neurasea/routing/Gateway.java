package com.neurasea.routing;

import com.fasterxml.jackson.core.JsonGenerator;
import com.neurasea.identity.AuthenticatedToken;
import com.neurasea.identity.IdentityService;
import com.neurasea.internal.IdGenerator;
import com.neurasea.model.Caller;
import com.neurasea.model.ChannelStatus;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.Permissions;
import com.neurasea.model.Scope;
import com.neurasea.model.TenantId;
import com.neurasea.permissions.PermissionService;
import com.neurasea.quota.Chain;
import com.neurasea.quota.PriceTable;
import com.neurasea.quota.QuotaEngine;
import com.neurasea.quota.Reservation;
import com.neurasea.spi.KeyProvider;
import com.neurasea.spi.Storage;
import com.neurasea.spi.TokenCredentials;
import com.neurasea.spi.UpstreamHandler;
import com.neurasea.spi.UpstreamTransport;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenAI-compatible gateway: authenticates the API token, checks the model against the token's
 * allow-list and the user's {@code models:use:<model>} permission, reserves the worst case against
 * every quota level, routes to a channel (failing over within the retry budget), relays the reply —
 * streamed chunk by chunk, or whole — and settles on the usage the provider reports.
 *
 * <p><b>Worst case reserved</b>: prompt tokens estimated as the body's bytes / 3 + 16 (an upper bound
 * for most text), plus {@code max_tokens} (or {@code max_completion_tokens}, else
 * {@link GatewaySettings#defaultMaxOutputTokens()}) × {@code n}, at the model's price.
 *
 * <p><b>Settlement policy</b>: a completed request is settled on the provider's {@code usage}
 * (requested with {@code stream_options.include_usage} for streams, and dropped from the stream
 * again when the client did not ask for it). A stream that breaks off, reports an error mid-way, or
 * whose client goes away is settled as failed on the provider's usage when it reported one, or else
 * on counted tokens: the prompt's text and the text delivered so far, counted with the model's
 * tokenizer (jtokkit; see {@link TokenCounter}). A non-streamed request whose client goes away is
 * settled on its counted prompt. Requests refused before an upstream answered, and upstream client
 * errors (4xx other than 408/429), are released at no charge.
 *
 * <p>Host bindings call {@link #handle} and {@link #models}; they enforce
 * {@link GatewaySettings#maxRequestBytes()} while reading the body.
 */
@Singleton
public final class Gateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
  final GatewaySettings settings;
  final Clock clock;
  final QuotaEngine engine;
  final RoutingStrategy strategy;
  final TokenCounter tokens = new TokenCounter();
  final ScheduledExecutorService scheduler;
  private final Storage storage;
  private final IdentityService identity;
  private final PermissionService permissions;
  private final PriceTable prices;
  private final IdGenerator ids;
  private final ChannelRegistry registry;
  private final UpstreamTransport transport;

  @Inject
  Gateway(Storage storage, KeyProvider keys, Clock clock, IdentityService identity, PermissionService permissions,
      QuotaEngine engine, PriceTable prices, IdGenerator ids, GatewaySettings settings, RoutingStrategy strategy,
      Optional<UpstreamTransport> transport) {
    this.storage = storage;
    this.clock = clock;
    this.identity = identity;
    this.permissions = permissions;
    this.engine = engine;
    this.prices = prices;
    this.ids = ids;
    this.settings = settings;
    this.strategy = strategy;
    this.transport = transport.orElse(null);
    this.registry = new ChannelRegistry(storage, new CredentialCipher(keys), settings,
        settings.demoChannel() ? List.of(DemoChannel.route(settings)) : List.of());
    registry.useTransport(this.transport);
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "neurasea-gateway");
      t.setDaemon(true);
      return t;
    });
    scheduler.scheduleWithFixedDelay(this::refresh, settings.refreshMillis(), settings.refreshMillis(),
        TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(this::probe, settings.probeIntervalMillis(), settings.probeIntervalMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** The settings in force. */
  public GatewaySettings settings() {
    return settings;
  }

  /** The transport that reaches upstream providers, if one was configured. */
  public Optional<UpstreamTransport> transport() {
    return Optional.ofNullable(transport);
  }

  /** The routing strategy in force. */
  public RoutingStrategy strategy() {
    return strategy;
  }

  /**
   * Serves one request. Every outcome — a reply, a stream, an OpenAI-style error — goes to the
   * responder; this method does not throw for bad input.
   *
   * @param request what the client sent
   * @param responder where the answer goes
   * @return the call, which the binding cancels when the client goes away
   */
  public GatewayCall handle(GatewayRequest request, GatewayResponder responder) {
    Exchange exchange;
    Reservation reservation;
    try {
      if (request.body().length > settings.maxRequestBytes()) {
        throw new GatewayFailure(tooLarge());
      }
      AuthenticatedToken token = authenticate(request.authorization(), request.clientIp(), request.userAgent());
      TenantId tenantId = token.principal().tokenTenantId();
      Caller caller = Caller.in(token.principal(), tenantId);
      RequestScan scan = RequestScan.of(request.body());
      if (scan.stream && request.endpoint() == GatewayEndpoint.EMBEDDINGS) {
        throw new GatewayFailure(OpenAiErrors.invalid("stream", "embeddings cannot be streamed"));
      }
      Chain chain = engine.chainOf(caller);
      ChannelRegistry.Snapshot snapshot = registry.current();
      String publicName = scan.model;
      // Permission first: a model the caller may not use is refused whether or not it exists.
      if (!token.allowsModel(publicName) || !permissions.check(caller, Permissions.useModel(publicName),
          Scope.tenant())) {
        throw new GatewayFailure(new OpenAiErrors.GatewayError(403, "permission_error", "model_not_allowed", "model",
            "this token may not use the model '" + publicName + "'", -1));
      }
      String model = snapshot.resolve(tenantId, publicName);
      List<Route> all = snapshot.routesFor(tenantId, model);
      if (all.isEmpty()) {
        throw new GatewayFailure(new OpenAiErrors.GatewayError(404, "invalid_request_error", "model_not_found",
            "model", "the model '" + publicName + "' does not exist or has no channel", -1));
      }
      List<Route> routes = new ArrayList<>(all.size());
      boolean local = true;
      for (Route route : all) {
        if (route.supports(request.endpoint()) && ChannelRegistry.groupAllows(route.channel, chain.groupIds())) {
          routes.add(route);
          local &= route.usageName.startsWith(com.neurasea.quota.Usage.LOCAL_CHANNEL_PREFIX);
        }
      }
      if (routes.isEmpty()) {
        throw new GatewayFailure(new OpenAiErrors.GatewayError(404, "invalid_request_error", "model_not_found",
            "model", "the model '" + publicName + "' has no channel for " + request.endpoint().path()
            + " open to this token", -1));
      }
      PriceTable.Quote quote = prices.quoteNow(chain, publicName);
      if (quote == null && !publicName.equals(model)) {
        quote = prices.quoteNow(chain, model);
      }
      if (quote == null && settings.requirePrice() && !local) {
        throw new GatewayFailure(new OpenAiErrors.GatewayError(403, "permission_error", "model_not_priced", "model",
            "the model '" + publicName + "' has no price yet; an administrator must set one", -1));
      }
      long prompt = request.body().length / 3 + 16;
      long output = request.endpoint() == GatewayEndpoint.EMBEDDINGS ? 0
          : (scan.maxTokens > 0 ? scan.maxTokens : settings.defaultMaxOutputTokens()) * scan.n;
      long maxCost = quote == null ? 0 : quote.cost(prompt, output, 0);
      String requestId = ids.nextPublic("req_");
      exchange = new Exchange(this, request, responder, scan, publicName, model, chain, quote, routes, requestId);
      reservation = engine.reserve(chain, Math.min(maxCost, com.neurasea.model.QuotaLimits.MAX_CREDITS),
          Math.min(prompt + output, com.neurasea.model.QuotaLimits.MAX_PER_MINUTE), requestId);
    } catch (GatewayFailure failure) {
      respond(responder, failure.error);
      return () -> { };
    } catch (NeuraSeaException e) {
      respond(responder, OpenAiErrors.of(e));
      return () -> { };
    } catch (RuntimeException e) {
      LOG.error("gateway request failed", e);
      respond(responder, OpenAiErrors.of(new NeuraSeaException(com.neurasea.model.ErrorCode.INTERNAL, "internal")));
      return () -> { };
    }
    exchange.start(reservation);
    return exchange;
  }

  /**
   * Answers {@code GET /v1/models}: the models (and aliases) this token may call.
   *
   * @param authorization the {@code Authorization} header
   * @param clientIp the client's address
   * @param userAgent its user agent, or null
   * @param responder where the list (or an error) goes
   */
  public void models(String authorization, String clientIp, String userAgent, GatewayResponder responder) {
    try {
      AuthenticatedToken token = authenticate(authorization, clientIp, userAgent);
      TenantId tenantId = token.principal().tokenTenantId();
      Caller caller = Caller.in(token.principal(), tenantId);
      Chain chain = engine.chainOf(caller);
      ChannelRegistry.Snapshot snapshot = registry.current();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (JsonGenerator g = RequestScan.JSON.createGenerator(out)) {
        g.writeStartObject();
        g.writeStringField("object", "list");
        g.writeArrayFieldStart("data");
        for (String name : snapshot.visibleModels(tenantId, chain.groupIds())) {
          if (token.allowsModel(name) && permissions.check(caller, Permissions.useModel(name), Scope.tenant())
              && servable(snapshot, chain, name)) {
            g.writeStartObject();
            g.writeStringField("id", name);
            g.writeStringField("object", "model");
            g.writeNumberField("created", 0);
            g.writeStringField("owned_by", name.equals(DemoChannel.MODEL) ? "neurasea-demo" : "neurasea");
            g.writeEndObject();
          }
        }
        g.writeEndArray();
        g.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      responder.sendFull(200, Map.of(), out.toByteArray());
    } catch (GatewayFailure failure) {
      respond(responder, failure.error);
    } catch (NeuraSeaException e) {
      respond(responder, OpenAiErrors.of(e));
    }
  }

  /** Whether a listed model can be served: it is priced, or pricing is not required, or it runs in-process. */
  private boolean servable(ChannelRegistry.Snapshot snapshot, Chain chain, String name) {
    if (!settings.requirePrice() || prices.quoteNow(chain, name) != null) {
      return true;
    }
    String model = snapshot.resolve(chain.tenantId(), name);
    if (!model.equals(name) && prices.quoteNow(chain, model) != null) {
      return true;
    }
    for (Route route : snapshot.routesFor(chain.tenantId(), model)) {
      if (!route.usageName.startsWith(com.neurasea.quota.Usage.LOCAL_CHANNEL_PREFIX)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Answers a request the binding refuses itself (an unknown path, a wrong method, a body over the
   * size limit) in the gateway's error shape.
   *
   * @param responder where the error goes
   * @param status 400, 404, 405 or 413
   * @param message what was wrong
   */
  public void reject(GatewayResponder responder, int status, String message) {
    if (status == 413) {
      respond(responder, tooLarge());
      return;
    }
    String code = switch (status) {
      case 404 -> "unknown_url";
      case 405 -> "method_not_allowed";
      default -> "invalid_request";
    };
    respond(responder, new OpenAiErrors.GatewayError(status, "invalid_request_error", code, null, message, -1));
  }

  private OpenAiErrors.GatewayError tooLarge() {
    return new OpenAiErrors.GatewayError(413, "invalid_request_error", "request_too_large", null,
        "the request body is larger than " + settings.maxRequestBytes() + " bytes", -1);
  }

  private AuthenticatedToken authenticate(String authorization, String clientIp, String userAgent) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new GatewayFailure(new OpenAiErrors.GatewayError(401, "authentication_error", "missing_api_key", null,
          "an API token is required: send Authorization: Bearer <token>", -1));
    }
    return identity.authenticateToken(new TokenCredentials(authorization.substring(7).trim(), clientIp, userAgent));
  }

  private static void respond(GatewayResponder responder, OpenAiErrors.GatewayError error) {
    Map<String, String> headers = error.retryAfterSeconds() >= 0
        ? Map.of("Retry-After", Long.toString(error.retryAfterSeconds())) : Map.of();
    responder.sendFull(error.status(), headers, error.body());
  }

  // ---------------------------------------------------------------- channel upkeep

  /** The channels and their health on this host, for the admin view. */
  List<ChannelState> states(java.util.function.Predicate<com.neurasea.model.Channel> visible) {
    long now = clock.millis();
    List<ChannelState> states = new ArrayList<>();
    for (Route route : registry.current().routes()) {
      if (!visible.test(route.channel)) {
        continue;
      }
      ChannelHealth h = route.health;
      long[] window = h.window(now);
      states.add(new ChannelState(route.channel, h.state(now), h.inFlight(), h.latencyMillis(), window[0], window[1],
          h.coolingUntil(now), h.recentErrors()));
    }
    return states;
  }

  /** Re-reads channels now (after a change on this host). */
  void channelsChanged() {
    registry.reload();
  }

  void autoDisable(Route route, String reason) {
    if (route.usageName.startsWith(com.neurasea.quota.Usage.LOCAL_CHANNEL_PREFIX)) {
      return;
    }
    scheduler.execute(() -> {
      try {
        storage.channels().setChannelStatus(route.channel.id(), ChannelStatus.AUTO_DISABLED, reason, clock.instant());
        LOG.warn("channel {} disabled: {}", route.channel.id(), reason);
        registry.reload();
      } catch (RuntimeException e) {
        LOG.warn("channel {} could not be disabled: {}", route.channel.id(), e.toString());
      }
    });
  }

  private void refresh() {
    try {
      registry.reload();
    } catch (RuntimeException e) {
      LOG.warn("channels could not be re-read: {}", e.toString());
    }
  }

  /** Probes channels that were disabled for their credentials, or whose breaker is open. */
  void probe() {
    long now = clock.millis();
    for (Route route : registry.current().routes()) {
      boolean disabled = route.channel.status() == ChannelStatus.AUTO_DISABLED;
      if ((!disabled && route.health.state(now) == BreakerState.CLOSED) || route.transport == null
          || route.channel.status() == ChannelStatus.DISABLED) {
        continue;
      }
      ProbeHandler handler = new ProbeHandler(route, disabled);
      try {
        route.transport.send(route.probe(), handler);
      } catch (RuntimeException e) {
        handler.onError(e);
      }
    }
  }

  private final class ProbeHandler implements UpstreamHandler {
    private final Route route;
    private final boolean disabled;
    private int status;

    ProbeHandler(Route route, boolean disabled) {
      this.route = route;
      this.disabled = disabled;
    }

    @Override
    public void onResponse(int responseStatus, Map<String, List<String>> headers) {
      status = responseStatus;
    }

    @Override
    public void onBody(ByteBuffer chunk) {
      chunk.position(chunk.limit());
    }

    @Override
    public void onComplete() {
      if (status / 100 != 2) {
        route.health.probeFailed(new ChannelError(clock.instant(), status, "probe", "probe got HTTP " + status));
        return;
      }
      route.health.probeSucceeded();
      if (disabled) {
        scheduler.execute(() -> {
          try {
            storage.channels().setChannelStatus(route.channel.id(), ChannelStatus.ENABLED, "re-enabled by a probe",
                clock.instant());
            LOG.info("channel {} re-enabled by a probe", route.channel.id());
            registry.reload();
          } catch (RuntimeException e) {
            LOG.warn("channel {} could not be re-enabled: {}", route.channel.id(), e.toString());
          }
        });
      }
    }

    @Override
    public void onError(Throwable error) {
      route.health.probeFailed(new ChannelError(clock.instant(), 0, "probe",
          "probe failed: " + error.getClass().getSimpleName()));
    }
  }

  /** Stops the background work; the transport is the host's to close. */
  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
