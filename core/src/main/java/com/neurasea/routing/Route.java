package com.neurasea.routing;

import com.neurasea.model.Channel;
import com.neurasea.model.ChannelType;
import com.neurasea.spi.UpstreamRequest;
import com.neurasea.spi.UpstreamTransport;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A channel ready for traffic: its settings, opened credential, health, the transport that reaches it
 * and the request heads for each endpoint, built once per settings version.
 */
final class Route implements RoutingStrategy.Candidate {
  static final String DEFAULT_AZURE_API_VERSION = "2024-10-21";
  static final String DEFAULT_ANTHROPIC_VERSION = "2023-06-01";
  final Channel channel;
  final ChannelHealth health;
  final UpstreamTransport transport;
  /** The channel as usage records name it: its id, or {@code local:…} for an in-process channel. */
  final String usageName;
  private final String credential;
  private final Map<String, String> jsonHeaders;
  private final Map<String, String> streamHeaders;
  private final String base;
  /** The request URI of each endpoint for OpenAI-style channels, built once (Azure's depends on the deployment). */
  private final URI[] uris = new URI[GatewayEndpoint.values().length];

  Route(Channel channel, String credential, ChannelHealth health, UpstreamTransport transport, String usageName) {
    this.channel = channel;
    this.credential = credential;
    this.health = health;
    this.transport = transport;
    this.usageName = usageName;
    String url = channel.baseUrl();
    while (url.endsWith("/")) {
      url = url.substring(0, url.length() - 1);
    }
    this.base = url;
    this.jsonHeaders = headers("application/json");
    this.streamHeaders = headers("text/event-stream");
    for (GatewayEndpoint endpoint : GatewayEndpoint.values()) {
      uris[endpoint.ordinal()] = switch (channel.type()) {
        case OPENAI, OPENAI_COMPATIBLE -> URI.create(versioned() + endpoint.path());
        case ANTHROPIC -> URI.create(versioned() + "/messages");
        case AZURE_OPENAI -> null;
      };
    }
  }

  private Map<String, String> headers(String accept) {
    Map<String, String> h = new HashMap<>();
    h.put("Content-Type", "application/json");
    h.put("Accept", accept);
    boolean key = credential != null && !credential.isEmpty();
    switch (channel.type()) {
      case OPENAI, OPENAI_COMPATIBLE -> {
        if (key) {
          h.put("Authorization", "Bearer " + credential);
        }
        String org = channel.options().get("organization");
        if (org != null) {
          h.put("OpenAI-Organization", org);
        }
      }
      case AZURE_OPENAI -> {
        if (key) {
          h.put("api-key", credential);
        }
      }
      case ANTHROPIC -> {
        if (key) {
          h.put("x-api-key", credential);
        }
        h.put("anthropic-version", channel.options().getOrDefault("anthropic-version", DEFAULT_ANTHROPIC_VERSION));
      }
      default -> throw new IllegalStateException("unknown channel type " + channel.type());
    }
    return Map.copyOf(h);
  }

  @Override
  public Channel channel() {
    return channel;
  }

  @Override
  public int inFlight() {
    return health.inFlight();
  }

  @Override
  public double latencyMillis() {
    return health.latencyMillis();
  }

  /** Whether the channel's protocol has the endpoint (Anthropic serves chat only). */
  boolean supports(GatewayEndpoint endpoint) {
    return channel.type() != ChannelType.ANTHROPIC || endpoint == GatewayEndpoint.CHAT_COMPLETIONS;
  }

  /** The request to send for an endpoint. */
  UpstreamRequest request(GatewayEndpoint endpoint, String upstreamModel, byte[] body, boolean stream) {
    URI uri = uris[endpoint.ordinal()];
    if (uri == null) {
      uri = URI.create(base + "/openai/deployments/" + URLEncoder.encode(upstreamModel, StandardCharsets.UTF_8)
          + endpoint.path() + "?api-version=" + URLEncoder.encode(
          channel.options().getOrDefault("api-version", DEFAULT_AZURE_API_VERSION), StandardCharsets.UTF_8));
    }
    return new UpstreamRequest("POST", uri, stream ? streamHeaders : jsonHeaders, body,
        channel.connectTimeoutMillis(), channel.readTimeoutMillis());
  }

  /** The request a probe sends: the provider's model list. */
  UpstreamRequest probe() {
    URI uri = switch (channel.type()) {
      case OPENAI, OPENAI_COMPATIBLE, ANTHROPIC -> URI.create(versioned() + "/models");
      case AZURE_OPENAI -> URI.create(base + "/openai/models?api-version=" + URLEncoder.encode(
          channel.options().getOrDefault("api-version", DEFAULT_AZURE_API_VERSION), StandardCharsets.UTF_8));
    };
    Map<String, String> h = new HashMap<>(jsonHeaders);
    h.remove("Content-Type");
    return new UpstreamRequest("GET", uri, h, new byte[0], channel.connectTimeoutMillis(),
        Math.min(channel.readTimeoutMillis(), 30_000));
  }

  /** A base URL that ends in {@code /v1} (or another version segment) is used as given; else {@code /v1} is added. */
  private String versioned() {
    int slash = base.lastIndexOf('/');
    String last = slash < 0 ? "" : base.substring(slash + 1);
    boolean hasVersion = last.matches("v\\d+(beta\\d*|alpha\\d*)?");
    return hasVersion ? base : base + "/v1";
  }
}
