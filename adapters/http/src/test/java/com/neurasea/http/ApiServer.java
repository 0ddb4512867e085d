package com.neurasea.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.neurasea.NeuraSea;
import com.neurasea.identity.BootstrapResult;
import com.neurasea.identity.PasswordPolicy;
import com.neurasea.spi.Storage;
import com.neurasea.store.sqlite.SqliteStorage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The admin API on a real Jetty over a real SQLite file, with a bootstrapped platform administrator,
 * and a small HTTP client to talk to it.
 */
final class ApiServer implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  /** The password {@link #passwordUser} gives. */
  static final String PASSWORD = "a long enough password";

  /** The platform's storage when the server owns the platform (it closes both), else null. */
  final Storage storage;
  final NeuraSea platform;
  final BootstrapResult bootstrap;
  final String admin;
  private final Server server;
  private final HttpClient client;
  private final URI base;

  /** A server on a platform; with a storage, the server owns (and closes) both. */
  private ApiServer(Storage storage, NeuraSea platform, BootstrapResult bootstrap, Server server, URI base) {
    this.storage = storage;
    this.platform = platform;
    this.server = server;
    this.base = base;
    this.bootstrap = bootstrap;
    this.admin = bearer(bootstrap.token().secret());
    this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  static ApiServer start(Path dir) throws Exception {
    return start(dir, java.util.List.of());
  }

  static ApiServer start(Path dir, java.util.List<Route> extraRoutes) throws Exception {
    return start(dir, extraRoutes, builder -> { });
  }

  /** A server whose platform the test configures further (a gateway transport and settings, say). */
  static ApiServer start(Path dir, java.util.List<Route> extraRoutes,
      java.util.function.Consumer<com.neurasea.NeuraSeaBuilder> customize) throws Exception {
    Storage storage = SqliteStorage.builder().path(dir.resolve("t.db")).build();
    com.neurasea.NeuraSeaBuilder builder = NeuraSea.builder().storage(storage).keyFile(dir.resolve("k"))
        .passwordPolicy(PasswordPolicy.forTests());
    customize.accept(builder);
    NeuraSea platform = builder.build();
    Server server = jetty(platform, extraRoutes);
    return new ApiServer(storage, platform, platform.bootstrap("admin", "platform").orElseThrow(), server,
        baseOf(server));
  }

  /**
   * The admin API and the gateway on a platform the caller owns and has bootstrapped; closing the
   * server stops Jetty and leaves the platform open.
   */
  static ApiServer serve(NeuraSea platform, BootstrapResult bootstrap) throws Exception {
    Server server = jetty(platform, java.util.List.of());
    return new ApiServer(null, platform, bootstrap, server, baseOf(server));
  }

  /** A started Jetty on a free loopback port serving the admin API and the gateway. */
  private static Server jetty(NeuraSea platform, java.util.List<Route> extraRoutes) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    ServletHolder holder = new ServletHolder(new AdminApiServlet(platform, extraRoutes));
    AdminApiServlet.URL_PATTERNS.forEach(pattern -> context.addServlet(holder, pattern));
    ServletHolder gateway = new ServletHolder(new GatewayServlet(platform));
    gateway.setAsyncSupported(true);
    context.addServlet(gateway, GatewayServlet.URL_PATTERN);
    server.setHandler(context);
    server.start();
    return server;
  }

  private static URI baseOf(Server server) {
    return URI.create("http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort());
  }

  static String bearer(String token) {
    return "Bearer " + token;
  }

  static String basic(String username, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** Builds a JSON object from alternating names and values. */
  static String json(Object... namesAndValues) {
    ObjectNode node = JSON.createObjectNode();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      node.set((String) namesAndValues[i], JSON.valueToTree(namesAndValues[i + 1]));
    }
    return node.toString();
  }

  /** The server's base URI. */
  URI base() {
    return base;
  }

  Reply get(String path, String auth) {
    return send("GET", path, auth, null, null);
  }

  Reply delete(String path, String auth) {
    return send("DELETE", path, auth, null, null);
  }

  Reply post(String path, String auth, String body) {
    return send("POST", path, auth, body, "application/json");
  }

  Reply put(String path, String auth, String body) {
    return send("PUT", path, auth, body, "application/json");
  }

  Reply patch(String path, String auth, String body) {
    return send("PATCH", path, auth, body, "application/json");
  }

  Reply send(String method, String path, String auth, String body, String contentType) {
    return send(method, path, auth, body, contentType, Map.of());
  }

  Reply send(String method, String path, String auth, String body, String contentType, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (auth != null) {
      request.header("Authorization", auth);
    }
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    headers.forEach(request::header);
    try {
      HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Reply(response.statusCode(), response.headers(), response.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Creates a password user in a tenant (as the platform admin) with {@link #PASSWORD} and binds a
   * role at tenant scope; fails the test when either call does not answer 201.
   *
   * @return the user's id
   */
  String passwordUser(String tenant, String username, String roleId) {
    Reply created = post("/admin/v1/tenants/" + tenant + "/users", admin,
        json("username", username, "email", username + "@example.com", "loginMethod", "PASSWORD", "password", PASSWORD));
    if (created.status() != 201) {
      throw new AssertionError("creating " + username + ": " + created.text());
    }
    Reply bound = post("/admin/v1/tenants/" + tenant + "/bindings", admin,
        json("subject", Map.of("kind", "USER", "id", created.id()), "roleId", roleId, "scope", Map.of("kind", "TENANT")));
    if (bound.status() != 201) {
      throw new AssertionError("binding " + username + ": " + bound.text());
    }
    return created.id();
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("Jetty did not stop", e);
    } finally {
      if (storage != null) {
        platform.close();
        storage.close();
      }
    }
  }

  /**
   * An HTTP answer.
   *
   * @param status the status
   * @param headers the headers
   * @param text the body
   */
  record Reply(int status, HttpHeaders headers, String text) {
    JsonNode json() {
      try {
        return JSON.readTree(text);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + text, e);
      }
    }

    String field(String name) {
      return json().path(name).asText();
    }

    String id() {
      return field("id");
    }

    String code() {
      return json().path("error").path("code").asText();
    }

    String param() {
      return json().path("error").path("param").asText(null);
    }

    String message() {
      return json().path("error").path("message").asText();
    }

    @Override
    public String toString() {
      return status + " " + text;
    }
  }
}
