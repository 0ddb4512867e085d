package com.neurasea.routing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Errors in OpenAI's body shape: {@code {"error": {"message", "type", "param", "code"}}}, with the
 * HTTP status clients expect for each.
 */
public final class OpenAiErrors {
  private static final JsonFactory JSON = new JsonFactory();

  private OpenAiErrors() {}

  /**
   * An error as the gateway reports it.
   *
   * @param status the HTTP status
   * @param type OpenAI's error type ({@code invalid_request_error}, {@code authentication_error}, …)
   * @param code a stable code ({@code model_not_found}, {@code insufficient_quota}, …)
   * @param param the request field at fault, or null
   * @param message a message for people
   * @param retryAfterSeconds a {@code Retry-After} to send, or -1
   */
  public record GatewayError(int status, String type, String code, String param, String message,
      long retryAfterSeconds) {
    /** The JSON body. */
    public byte[] body() {
      return OpenAiErrors.body(message, type, param, code);
    }

    /** The body as one Server-Sent Event, to end a stream that already started. */
    public byte[] event() {
      byte[] json = body();
      byte[] out = new byte[json.length + 8];
      System.arraycopy("data: ".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, out, 0, 6);
      System.arraycopy(json, 0, out, 6, json.length);
      out[out.length - 2] = '\n';
      out[out.length - 1] = '\n';
      return out;
    }
  }

  /** The body of an error. */
  public static byte[] body(String message, String type, String param, String code) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(160);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeObjectFieldStart("error");
      g.writeStringField("message", message);
      g.writeStringField("type", type);
      g.writeStringField("param", param);
      g.writeStringField("code", code);
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The OpenAI-style error for a platform error. */
  public static GatewayError of(NeuraSeaException e) {
    String param = e.fieldErrors().isEmpty() ? null : e.fieldErrors().get(0).field();
    String message = e.fieldErrors().isEmpty() ? e.getMessage()
        : e.getMessage() + ": " + e.fieldErrors().get(0).field() + " " + e.fieldErrors().get(0).message();
    long retry = -1;
    if (e instanceof com.neurasea.quota.LimitExceededException limit && limit.retryAfter() != null) {
      retry = Math.max(1, (limit.retryAfter().toMillis() + 999) / 1000);
    }
    ErrorCode code = e.code();
    return switch (code) {
      case INVALID_ARGUMENT -> invalid(param, message);
      case UNAUTHENTICATED -> new GatewayError(401, "authentication_error", "invalid_api_key", null,
          "invalid, expired or revoked API token", -1);
      case PERMISSION_DENIED -> new GatewayError(403, "permission_error", "permission_denied", param, message, -1);
      case FAILED_PRECONDITION -> new GatewayError(403, "permission_error", "failed_precondition", param, message, -1);
      case NOT_FOUND -> new GatewayError(404, "invalid_request_error", "not_found", param, message, -1);
      case CONFLICT -> new GatewayError(409, "invalid_request_error", "conflict", param, message, -1);
      case QUOTA_EXCEEDED -> new GatewayError(429, "insufficient_quota", "insufficient_quota", null, message, retry);
      case RATE_LIMITED -> new GatewayError(429, "rate_limit_error", "rate_limit_exceeded", null, message, retry);
      case UPSTREAM_UNAVAILABLE -> new GatewayError(503, "upstream_error", "upstream_unavailable", null, message, -1);
      case UNAVAILABLE -> new GatewayError(503, "api_error", "unavailable", null, message, -1);
      case INTERNAL -> new GatewayError(500, "api_error", "internal_error", null, "internal error", -1);
    };
  }

  /** A malformed request: one code, {@code invalid_request}, whether the gateway or a service found it. */
  static GatewayError invalid(String param, String message) {
    return new GatewayError(400, "invalid_request_error", "invalid_request", param, message, -1);
  }
}
