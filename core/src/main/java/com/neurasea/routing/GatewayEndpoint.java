package com.neurasea.routing;

/** The OpenAI-compatible endpoints the gateway serves by POST. */
public enum GatewayEndpoint {
  /** {@code POST /v1/chat/completions}. */
  CHAT_COMPLETIONS("/chat/completions"),
  /** {@code POST /v1/completions}. */
  COMPLETIONS("/completions"),
  /** {@code POST /v1/embeddings}. */
  EMBEDDINGS("/embeddings");

  private final String path;

  GatewayEndpoint(String path) {
    this.path = path;
  }

  /** The path after {@code /v1}. */
  public String path() {
    return path;
  }

  /** The endpoint a request path names ({@code /v1/chat/completions}, …), or null. */
  public static GatewayEndpoint ofPath(String path) {
    return switch (path) {
      case "/v1/chat/completions" -> CHAT_COMPLETIONS;
      case "/v1/completions" -> COMPLETIONS;
      case "/v1/embeddings" -> EMBEDDINGS;
      default -> null;
    };
  }
}
