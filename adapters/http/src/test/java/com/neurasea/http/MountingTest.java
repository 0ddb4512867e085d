package com.neurasea.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.NeuraSea;
import com.neurasea.identity.PasswordPolicy;
import com.neurasea.spi.Storage;
import com.neurasea.store.sqlite.SqliteStorage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ways a host mounts the servlet, as its javadoc describes them. */
class MountingTest {
  @Test
  void registersFromAServletContainerInitializer(@TempDir Path dir) throws Exception {
    withPlatform(dir, platform -> serve(context -> context.addServletContainerInitializer(
            (classes, servletContext) -> AdminApiServlet.register(servletContext, platform)),
        base -> {
          assertThat(status(base + "/healthz")).isEqualTo(200);
          assertThat(status(base + "/openapi.json")).isEqualTo(200);
          assertThat(status(base + "/admin/v1/me")).isEqualTo(401);
          assertThat(status(base + "/admin/v1/nothing")).isEqualTo(404);
        }));
  }

  @Test
  void servesTheSamePathsBelowAPrefix(@TempDir Path dir) throws Exception {
    withPlatform(dir, platform -> serve(context -> context.addServlet(new ServletHolder(new AdminApiServlet(platform)),
            "/platform/*"),
        base -> {
          assertThat(status(base + "/platform/healthz")).isEqualTo(200);
          assertThat(status(base + "/platform/admin/v1/me")).isEqualTo(401);
          assertThat(status(base + "/platform/admin/v1/nothing")).isEqualTo(404);
        }));
  }

  private static void withPlatform(Path dir, Consumer<NeuraSea> body) {
    try (Storage storage = SqliteStorage.builder().path(dir.resolve("t.db")).build();
        NeuraSea platform = NeuraSea.builder().storage(storage).keyFile(dir.resolve("k"))
            .passwordPolicy(PasswordPolicy.forTests()).build()) {
      body.accept(platform);
    }
  }

  private static void serve(Consumer<ServletContextHandler> mount, Consumer<String> body) {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    mount.accept(context);
    server.setHandler(context);
    try {
      server.start();
      body.accept("http://127.0.0.1:" + connector.getLocalPort());
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      try {
        server.stop();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static int status(String uri) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(uri)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
