package com.neurasea.http;

import com.neurasea.model.BindingId;
import com.neurasea.model.Caller;
import com.neurasea.model.GroupId;
import com.neurasea.model.HoldId;
import com.neurasea.model.ModelPrice;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Principal;
import com.neurasea.model.RequestId;
import com.neurasea.model.RoleId;
import com.neurasea.model.TenantId;
import com.neurasea.model.TokenId;
import com.neurasea.model.UserId;
import jakarta.servlet.http.HttpServletRequest;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * One call to a route as a handler sees it: the authenticated principal, the path parameters parsed
 * into typed identifiers, query parameters and the request body already read as the route's type.
 * Malformed values fail with 400 naming the parameter.
 */
final class ApiCall {
  /** The page size when a listing names none. */
  static final int DEFAULT_LIMIT = 100;
  /** The largest page size a listing accepts. */
  static final int MAX_LIMIT = 1000;

  private final HttpServletRequest request;
  private final Map<String, String> pathParameters;
  private final Principal principal;
  private final Object body;

  ApiCall(HttpServletRequest request, Map<String, String> pathParameters, Principal principal, Object body) {
    this.request = request;
    this.pathParameters = Map.copyOf(pathParameters);
    this.principal = principal;
    this.body = body;
  }

  /** The authenticated principal. */
  Principal principal() {
    return Objects.requireNonNull(principal, "the route is not authenticated");
  }

  /** The principal acting at platform level. */
  Caller platformCaller() {
    return Caller.platform(principal());
  }

  /** The principal acting in the tenant named by the path. */
  Caller tenantCaller() {
    return Caller.in(principal(), tenantId());
  }

  /** The request body, read as the route's declared type. */
  <T> T body(Class<T> type) {
    return type.cast(body);
  }

  TenantId tenantId() {
    return TenantId.of(path("tenantId"));
  }

  UserId userId() {
    return UserId.of(path("userId"));
  }

  GroupId groupId() {
    return GroupId.of(path("groupId"));
  }

  RoleId roleId() {
    return RoleId.of(path("roleId"));
  }

  BindingId bindingId() {
    return BindingId.of(path("bindingId"));
  }

  TokenId tokenId() {
    return TokenId.of(path("tokenId"));
  }

  RequestId requestId() {
    return RequestId.of(path("requestId"));
  }

  HoldId holdId() {
    return HoldId.of(path("holdId"));
  }

  /** The client's address, as the platform is told it when credentials are checked. */
  String clientIp() {
    return Authenticator.clientIp(request);
  }

  /** A path parameter; the route's template guarantees it is present. */
  String path(String name) {
    String value = pathParameters.get(name);
    if (value == null) {
      throw new IllegalStateException("the route has no path parameter " + name);
    }
    return value;
  }

  /**
   * Every value of a repeatable query parameter, each split at commas ({@code ?status=A&status=B}
   * or {@code ?status=A,B}); empty when absent.
   *
   * @throws ApiFailure 400 naming the parameter when a value is empty
   */
  List<String> queryList(String name) {
    String[] values = request.getParameterValues(name);
    List<String> items = new ArrayList<>();
    if (values == null) {
      return items;
    }
    for (String value : values) {
      for (String item : value.split(",", -1)) {
        String trimmed = item.strip();
        if (trimmed.isEmpty()) {
          throw ApiFailure.invalid(name, "must not contain empty values");
        }
        items.add(trimmed);
      }
    }
    return items;
  }

  /** A query parameter, null when absent; given twice it is refused. */
  String query(String name) {
    String[] values = request.getParameterValues(name);
    if (values == null || values.length == 0) {
      return null;
    }
    if (values.length > 1) {
      throw ApiFailure.invalid(name, "must be given at most once");
    }
    return values[0];
  }

  /** A boolean query parameter: {@code true} or {@code false}. */
  boolean flag(String name, boolean absent) {
    String value = query(name);
    if (value == null) {
      return absent;
    }
    return switch (value) {
      case "true" -> true;
      case "false" -> false;
      default -> throw ApiFailure.invalid(name, "must be true or false");
    };
  }

  /** The page named by {@code offset} (default 0) and {@code limit} (default 100). */
  PageRequest page() {
    return new PageRequest(integer("offset", 0), integer("limit", DEFAULT_LIMIT));
  }

  /**
   * A non-negative integer query parameter, such as a ledger index or tree size.
   *
   * @param name the parameter
   * @param absent the value when the parameter is absent, or null when it is required
   * @throws ApiFailure 400 naming the parameter when it is missing (and required), not an integer,
   *     or negative
   */
  long index(String name, Long absent) {
    String value = query(name);
    if (value == null) {
      if (absent == null) {
        throw ApiFailure.invalid(name, "is required");
      }
      return absent;
    }
    long parsed;
    try {
      parsed = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw ApiFailure.invalid(name, "must be an integer");
    }
    if (parsed < 0) {
      throw ApiFailure.invalid(name, "must be 0 or more");
    }
    return parsed;
  }

  /** The page size named by {@code limit}: 1 to 1000, 100 when absent. */
  int limit() {
    int limit = integer("limit", DEFAULT_LIMIT);
    if (limit < 1 || limit > MAX_LIMIT) {
      throw ApiFailure.invalid("limit", "must be 1 to " + MAX_LIMIT);
    }
    return limit;
  }

  /** A user named by a query parameter; malformed ids fail with 400 naming the parameter. */
  UserId queryUserId(String name) {
    return queryId(name, UserId::of);
  }

  /** An API token named by a query parameter; malformed ids fail with 400 naming the parameter. */
  TokenId queryTokenId(String name) {
    return queryId(name, TokenId::of);
  }

  private <T> T queryId(String name, Function<String, T> parse) {
    String value = query(name);
    if (value == null) {
      return null;
    }
    try {
      return parse.apply(value);
    } catch (NeuraSeaException e) {
      throw ApiFailure.invalid(name, e.fieldErrors().isEmpty() ? "is not a well-formed identifier"
          : e.fieldErrors().get(0).message());
    }
  }

  /** An ISO-8601 instant named by a query parameter, null when absent. */
  Instant queryInstant(String name) {
    String value = query(name);
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeException e) {
      throw ApiFailure.invalid(name, "must be an ISO-8601 timestamp such as 2030-01-31T12:00:00Z");
    }
  }

  /** A required calendar day ({@code YYYY-MM-DD}) named by a query parameter. */
  LocalDate queryDate(String name) {
    String value = query(name);
    if (value == null) {
      throw ApiFailure.invalid(name, "is required");
    }
    try {
      return LocalDate.parse(value);
    } catch (DateTimeException e) {
      throw ApiFailure.invalid(name, "must be a date such as 2030-01-31");
    }
  }

  /** A model name named by a query parameter, null when absent. */
  String queryModel(String name) {
    String value = query(name);
    if (value != null && !ModelPrice.isModelName(value)) {
      throw ApiFailure.invalid(name, "must be 1-128 printable characters without spaces");
    }
    return value;
  }

  /** A constant of an enum named by its key (any case) in a query parameter, null when absent. */
  <E extends Enum<E>> E queryKey(String name, Class<E> type) {
    String value = query(name);
    if (value == null) {
      return null;
    }
    E constant = ApiJson.parseKey(type, value);
    if (constant == null) {
      throw ApiFailure.invalid(name, "must be one of " + ApiJson.keys(type));
    }
    return constant;
  }

  private int integer(String name, int absent) {
    String value = query(name);
    if (value == null) {
      return absent;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw ApiFailure.invalid(name, "must be an integer");
    }
  }
}
