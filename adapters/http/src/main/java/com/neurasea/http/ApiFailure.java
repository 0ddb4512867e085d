package com.neurasea.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.neurasea.model.AccountRef;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.FieldError;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.quota.LimitExceededException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A failure on its way to the client: an HTTP status, the platform's stable error code, a message
 * safe to show, the offending fields and any headers the status calls for. Usually made from a
 * {@link NeuraSeaException}; the HTTP layer adds a few of its own (413, 415, 405). A refused
 * reservation ({@link LimitExceededException}) also names the account, meter and limit, and carries
 * {@code Retry-After} when the limit's window starts over.
 */
final class ApiFailure extends RuntimeException {
  /** The generic message of unexpected failures; details go to the log only. */
  static final String INTERNAL_MESSAGE = "internal error; the server log has the details";

  private static final long serialVersionUID = 1L;
  private static final Map<String, String> CHALLENGE = Map.of("WWW-Authenticate", "Bearer realm=\"neurasea\"");

  private final int status;
  private final ErrorCode code;
  private final List<FieldError> fields;
  private final transient Map<String, String> headers;
  private final transient Limit limit;

  ApiFailure(int status, ErrorCode code, String message, List<FieldError> fields, Map<String, String> headers) {
    this(status, code, message, fields, headers, null);
  }

  private ApiFailure(int status, ErrorCode code, String message, List<FieldError> fields, Map<String, String> headers,
      Limit limit) {
    super(message, null, false, false);
    this.status = status;
    this.code = Objects.requireNonNull(code, "code");
    this.fields = List.copyOf(fields);
    this.headers = Map.copyOf(headers);
    this.limit = limit;
  }

  /** The failure a platform exception becomes. */
  static ApiFailure of(NeuraSeaException e) {
    if (e instanceof LimitExceededException exceeded) {
      return limitExceeded(exceeded);
    }
    String message = e.code() == ErrorCode.INTERNAL ? INTERNAL_MESSAGE : e.getMessage();
    return new ApiFailure(statusOf(e.code()), e.code(), message, e.fieldErrors(),
        e.code() == ErrorCode.UNAUTHENTICATED ? CHALLENGE : Map.of());
  }

  private static ApiFailure limitExceeded(LimitExceededException e) {
    AccountRef account = e.account();
    Limit limit = new Limit(account == null ? null : account.level().key(),
        account == null ? null : account.subjectId(), e.meter() == null ? null : e.meter().key(), e.limit());
    Duration retryAfter = e.retryAfter();
    Map<String, String> headers = retryAfter == null ? Map.of()
        : Map.of("Retry-After", String.valueOf(secondsRoundedUp(retryAfter)));
    return new ApiFailure(statusOf(e.code()), e.code(), e.getMessage(), e.fieldErrors(), headers, limit);
  }

  /** Whole seconds, rounded up, never negative: {@code Retry-After} must not invite a retry too early. */
  static long secondsRoundedUp(Duration duration) {
    if (duration.isNegative() || duration.isZero()) {
      return 0;
    }
    long seconds = duration.getSeconds();
    return duration.getNano() > 0 ? seconds + 1 : seconds;
  }

  /** A 400 naming one field. */
  static ApiFailure invalid(String field, String message) {
    return new ApiFailure(400, ErrorCode.INVALID_ARGUMENT, field + ": " + message,
        List.of(new FieldError(field, message)), Map.of());
  }

  /** A 400 about the request as a whole. */
  static ApiFailure badRequest(String message) {
    return new ApiFailure(400, ErrorCode.INVALID_ARGUMENT, message, List.of(), Map.of());
  }

  /** A 401 with the bearer challenge. */
  static ApiFailure unauthenticated(String message) {
    return new ApiFailure(401, ErrorCode.UNAUTHENTICATED, message, List.of(), CHALLENGE);
  }

  /** A 500 with the generic message. */
  static ApiFailure internal() {
    return new ApiFailure(500, ErrorCode.INTERNAL, INTERNAL_MESSAGE, List.of(), Map.of());
  }

  /** The HTTP status of an error code. */
  static int statusOf(ErrorCode code) {
    return switch (code) {
      case INVALID_ARGUMENT -> 400;
      case UNAUTHENTICATED -> 401;
      case PERMISSION_DENIED -> 403;
      case NOT_FOUND -> 404;
      case CONFLICT, FAILED_PRECONDITION -> 409;
      case QUOTA_EXCEEDED, RATE_LIMITED -> 429;
      case UPSTREAM_UNAVAILABLE -> 502;
      case UNAVAILABLE -> 503;
      case INTERNAL -> 500;
    };
  }

  /** The OpenAI-style error type of an error code. */
  static String typeOf(ErrorCode code) {
    return switch (code) {
      case INVALID_ARGUMENT -> "invalid_request_error";
      case UNAUTHENTICATED -> "authentication_error";
      case PERMISSION_DENIED -> "permission_error";
      case NOT_FOUND -> "not_found_error";
      case CONFLICT, FAILED_PRECONDITION -> "conflict_error";
      case QUOTA_EXCEEDED -> "insufficient_quota";
      case RATE_LIMITED -> "rate_limit_error";
      case UPSTREAM_UNAVAILABLE, UNAVAILABLE -> "service_unavailable_error";
      case INTERNAL -> "api_error";
    };
  }

  int status() {
    return status;
  }

  ErrorCode code() {
    return code;
  }

  List<FieldError> fields() {
    return fields;
  }

  Map<String, String> headers() {
    return headers;
  }

  /**
   * The response body: {@code {"error":{message,type,code,param,fields}}}, plus
   * {@code level,subjectId,meter,limit} when a quota or rate limit refused the call.
   */
  ErrorBody body() {
    String param = fields.isEmpty() ? null : fields.get(0).field();
    List<ErrorBody.Field> list = fields.stream().map(f -> new ErrorBody.Field(f.field(), f.message())).toList();
    if (limit == null) {
      return new ErrorBody(new ErrorBody.Detail(getMessage(), typeOf(code), code.name(), param, list, null, null, null,
          null));
    }
    return new ErrorBody(new ErrorBody.Detail(getMessage(), typeOf(code), code.name(), param, list, limit.level(),
        limit.subjectId(), limit.meter(), limit.limit()));
  }

  /**
   * The limit that refused a reservation.
   *
   * @param level the account's level key
   * @param subjectId the account's subject
   * @param meter the meter's key
   * @param limit the limit
   */
  private record Limit(String level, String subjectId, String meter, long limit) {}

  @Override
  public String toString() {
    return "ApiFailure[" + status + " " + code.name().toLowerCase(Locale.ROOT) + ": " + getMessage() + "]";
  }

  /**
   * The error body.
   *
   * @param error the error
   */
  record ErrorBody(Detail error) {
    /**
     * The error.
     *
     * @param message a message safe to show
     * @param type the OpenAI-style error type
     * @param code the stable platform error code
     * @param param the first offending field, or null
     * @param fields every offending field
     * @param level for QUOTA_EXCEEDED and RATE_LIMITED, the level of the account whose limit refused
     *     the call; absent otherwise
     * @param subjectId likewise, the account's subject
     * @param meter likewise, the meter over its limit
     * @param limit likewise, the limit
     */
    record Detail(String message, String type, String code, String param, List<Field> fields,
        @JsonInclude(JsonInclude.Include.NON_NULL) String level,
        @JsonInclude(JsonInclude.Include.NON_NULL) String subjectId,
        @JsonInclude(JsonInclude.Include.NON_NULL) String meter,
        @JsonInclude(JsonInclude.Include.NON_NULL) Long limit) {}

    /**
     * One offending field.
     *
     * @param field its path, e.g. {@code subject.kind}
     * @param message why it was refused
     */
    record Field(String field, String message) {}
  }
}
