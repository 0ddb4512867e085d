package com.neurasea.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.neurasea.NeuraSea;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.Principal;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NeuraSea admin API as one Jakarta Servlet 6 servlet: {@code /admin/v1/...} (JSON, Bearer or
 * Basic credentials; the privacy ledger's key and exports answer {@code text/plain}, the entry
 * export streamed, and the daily usage statistics may be asked for as {@code text/csv}), {@code GET /healthz} and {@code GET /openapi.json} (both without credentials).
 *
 * <p>Mount it on {@link #URL_PATTERNS} in any servlet container, e.g. embedded Jetty:
 * <pre>{@code
 * ServletContextHandler context = new ServletContextHandler();
 * ServletHolder holder = new ServletHolder(new AdminApiServlet(platform));
 * AdminApiServlet.URL_PATTERNS.forEach(pattern -> context.addServlet(holder, pattern));
 * }</pre>
 * or from a {@code ServletContainerInitializer}/{@code ServletContextListener} with
 * {@link #register(ServletContext, NeuraSea)}; in Spring Boot, a {@code ServletRegistrationBean}
 * with the same patterns. Mapped under a prefix instead (say {@code /platform/*}), it serves the same
 * paths below that prefix.
 *
 * <p>Every failure is a JSON body {@code {"error":{"message","type","code","param","fields"}}} with a
 * status derived from the platform's stable {@link ErrorCode}; bad input never yields a 500. The
 * servlet is thread-safe and holds no state besides the platform it was given.
 */
public final class AdminApiServlet extends HttpServlet {
  /** The URL patterns to map the servlet to. */
  public static final List<String> URL_PATTERNS =
      List.of(AdminRoutes.PREFIX + "/*", AdminRoutes.HEALTH, AdminRoutes.OPENAPI);
  /** The largest request body accepted (1 MiB); larger bodies are answered 413. */
  public static final int MAX_BODY_BYTES = 1 << 20;

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(AdminApiServlet.class);
  /** How much of an oversized body is read and dropped so that the client sees the 413. */
  private static final int MAX_DRAIN_BYTES = 4 * MAX_BODY_BYTES;
  private static final String JSON = "application/json;charset=utf-8";
  private static final String TEXT = "text/plain;charset=utf-8";
  private static final String CSV = "text/csv;charset=utf-8";

  private final transient ObjectMapper mapper;
  private final transient List<Route> routes;
  private final transient Authenticator authenticator;

  /**
   * Creates the servlet.
   *
   * @param platform the platform to expose; the host keeps ownership and closes it
   */
  public AdminApiServlet(NeuraSea platform) {
    this(platform, List.of());
  }

  /** Creates the servlet with routes added after the table (tests exercise failure paths with them). */
  AdminApiServlet(NeuraSea platform, List<Route> extraRoutes) {
    Objects.requireNonNull(platform, "platform");
    this.mapper = ApiJson.mapper();
    List<Route> all = new ArrayList<>(AdminRoutes.all(platform));
    all.addAll(extraRoutes);
    this.routes = List.copyOf(all);
    this.authenticator = new Authenticator(platform.identity());
  }

  /**
   * Registers the servlet in a starting servlet context on {@link #URL_PATTERNS}.
   *
   * @param context the context, during its initialization
   * @param platform the platform to expose
   * @return the registration, for further settings
   * @throws IllegalStateException when a pattern is already mapped to another servlet
   */
  public static ServletRegistration.Dynamic register(ServletContext context, NeuraSea platform) {
    Objects.requireNonNull(context, "context");
    ServletRegistration.Dynamic registration =
        context.addServlet("neurasea-admin-api", new AdminApiServlet(platform));
    Set<String> conflicts = registration.addMapping(URL_PATTERNS.toArray(String[]::new));
    if (!conflicts.isEmpty()) {
      throw new IllegalStateException("URL patterns already mapped to another servlet: " + conflicts);
    }
    return registration;
  }

  /** The routing table (for tests and documentation checks). */
  List<Route> routes() {
    return routes;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    Route route = null;
    try {
      RouteMatch match = find(request);
      route = match.route();
      Principal principal = route.authenticated() ? authenticator.authenticate(request) : null;
      Object body = route.requestBody() == null ? null : readBody(request, route);
      Object result = route.handler().handle(new ApiCall(request, match.parameters(), principal, body));
      if (result instanceof AdminRoutes.TextStream stream) {
        stream(request, response, route, stream);
      } else if (result instanceof AdminRoutes.PlainText text) {
        send(response, route.status(), text.text().getBytes(StandardCharsets.UTF_8), Map.of(), TEXT);
      } else if (result instanceof AdminRoutes.CsvText csv) {
        send(response, route.status(), csv.text().getBytes(StandardCharsets.UTF_8),
            Map.of("Content-Disposition", "attachment; filename=\"" + csv.filename() + "\""), CSV);
      } else {
        send(response, route.status(), route.status() == 204 ? null : encode(result), Map.of(), JSON);
      }
    } catch (ApiFailure failure) {
      fail(request, response, route, failure);
    } catch (NeuraSeaException e) {
      if (e.code() == ErrorCode.INTERNAL) {
        LOG.error("{} {} failed", request.getMethod(), describe(route), e);
      }
      fail(request, response, route, ApiFailure.of(e));
    } catch (RuntimeException e) {
      LOG.error("{} {} failed unexpectedly", request.getMethod(), describe(route), e);
      fail(request, response, route, ApiFailure.internal());
    }
  }

  private RouteMatch find(HttpServletRequest request) {
    String pathInfo = request.getPathInfo();
    String full = request.getServletPath() + (pathInfo == null ? "" : pathInfo);
    RouteMatch match = find(request.getMethod(), full);
    if (match == null && pathInfo != null) {
      // Mapped under a prefix of the host's choosing: the routes live below it.
      match = find(request.getMethod(), pathInfo);
    }
    if (match == null) {
      throw new ApiFailure(404, ErrorCode.NOT_FOUND, "no route " + request.getMethod() + " " + full, List.of(),
          Map.of());
    }
    if (match.route() == null) {
      String allow = String.join(", ", match.allowed());
      throw new ApiFailure(405, ErrorCode.INVALID_ARGUMENT,
          "method " + request.getMethod() + " is not allowed here; allowed: " + allow, List.of(),
          Map.of("Allow", allow));
    }
    return match;
  }

  /** The route for a method and path, a match without a route (405), or null (404). */
  private RouteMatch find(String method, String path) {
    Set<String> allowed = new TreeSet<>();
    for (Route route : routes) {
      Map<String, String> parameters = route.match(path);
      if (parameters == null) {
        continue;
      }
      if (route.method().equals(method)) {
        return new RouteMatch(route, parameters, Set.of());
      }
      allowed.add(route.method());
    }
    return allowed.isEmpty() ? null : new RouteMatch(null, Map.of(), allowed);
  }

  private Object readBody(HttpServletRequest request, Route route) {
    Class<?> type = route.requestBody();
    if (request.getContentLengthLong() > MAX_BODY_BYTES) {
      throw tooLarge(request);
    }
    byte[] bytes;
    try {
      bytes = request.getInputStream().readNBytes(MAX_BODY_BYTES + 1);
    } catch (IOException e) {
      throw ApiFailure.badRequest("the request body could not be read");
    }
    if (bytes.length > MAX_BODY_BYTES) {
      throw tooLarge(request);
    }
    if (isBlank(bytes)) {
      if (route.bodyOptional()) {
        return null;
      }
      throw ApiFailure.badRequest("a JSON request body is required");
    }
    if (!isJson(request.getContentType())) {
      throw new ApiFailure(415, ErrorCode.INVALID_ARGUMENT,
          "the request body must be JSON: send Content-Type: application/json", List.of(), Map.of());
    }
    Object value;
    try {
      value = mapper.readValue(bytes, type);
    } catch (JsonProcessingException e) {
      throw JsonProblems.translate(e);
    } catch (IOException e) {
      throw ApiFailure.badRequest("the request body could not be read");
    }
    if (value == null) {
      throw ApiFailure.badRequest("the request body must be a JSON object, not null");
    }
    return value;
  }

  private static ApiFailure tooLarge(HttpServletRequest request) {
    // Read and drop a bounded remainder so that a client still sending sees the answer.
    try {
      InputStream in = request.getInputStream();
      long dropped = 0;
      byte[] buffer = new byte[64 * 1024];
      int read;
      while (dropped < MAX_DRAIN_BYTES && (read = in.read(buffer)) > 0) {
        dropped += read;
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("dropping an oversized body stopped: {}", e.toString());
    }
    return new ApiFailure(413, ErrorCode.INVALID_ARGUMENT,
        "the request body exceeds " + MAX_BODY_BYTES + " bytes", List.of(), Map.of());
  }

  private static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String mime = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return mime.equals("application/json") || (mime.startsWith("application/") && mime.endsWith("+json"));
  }

  private static boolean isBlank(byte[] bytes) {
    for (byte b : bytes) {
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return false;
      }
    }
    return true;
  }

  private byte[] encode(Object result) {
    if (result instanceof AdminRoutes.RawJson raw) {
      return raw.bytes();
    }
    try {
      return mapper.writeValueAsBytes(result);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a response could not be written as JSON", e);
    }
  }

  private void fail(HttpServletRequest request, HttpServletResponse response, Route route, ApiFailure failure)
      throws IOException {
    LOG.debug("{} {} answered {} {}", request.getMethod(), describe(route), failure.status(), failure.code());
    if (response.isCommitted()) {
      return;
    }
    response.reset();
    send(response, failure.status(), encode(failure.body()), failure.headers(), JSON);
  }

  /**
   * Writes a streamed plain-text answer. A failure before anything was committed propagates to
   * the usual error handling; after that the response can no longer become an error, so it is
   * aborted (the container drops the connection instead of ending the body cleanly).
   */
  private static void stream(HttpServletRequest request, HttpServletResponse response, Route route,
      AdminRoutes.TextStream stream) throws IOException {
    response.setStatus(route.status());
    noStore(response);
    response.setContentType(TEXT);
    try {
      // Not getWriter(): a PrintWriter swallows write errors, and a client that went away must stop the export.
      Writer out = new OutputStreamWriter(response.getOutputStream(), StandardCharsets.UTF_8);
      stream.writer().writeTo(out);
      out.flush();
    } catch (IOException | RuntimeException e) {
      if (!response.isCommitted()) {
        if (e instanceof RuntimeException runtime) {
          throw runtime;
        }
        throw new UncheckedIOException((IOException) e);
      }
      LOG.warn("{} {} failed after the answer was committed; aborting it: {}", request.getMethod(), describe(route),
          e.toString());
      throw new IOException("the streamed answer failed after it was committed", e);
    }
  }

  private static void noStore(HttpServletResponse response) {
    // Answers may carry a token secret or personal data: never cache them.
    response.setHeader("Cache-Control", "no-store");
    response.setHeader("X-Content-Type-Options", "nosniff");
  }

  private static void send(HttpServletResponse response, int status, byte[] body, Map<String, String> headers,
      String contentType) throws IOException {
    response.setStatus(status);
    noStore(response);
    headers.forEach(response::setHeader);
    if (body == null) {
      return;
    }
    response.setContentType(contentType);
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  private static String describe(Route route) {
    return route == null ? "(no route)" : route.path();
  }

  /**
   * A route found for a path: the route and its parameters, or (405) only the methods allowed.
   *
   * @param route the route, null when only other methods match
   * @param parameters the path parameters
   * @param allowed the methods allowed on the path when {@code route} is null
   */
  private record RouteMatch(Route route, Map<String, String> parameters, Set<String> allowed) {}
}
