package com.neurasea.upstream.jdk;

import static com.neurasea.upstream.jdk.RawServer.STREAM_HEAD;
import static com.neurasea.upstream.jdk.RawServer.awaitClose;
import static com.neurasea.upstream.jdk.RawServer.chunk;
import static com.neurasea.upstream.jdk.RawServer.readRequest;
import static com.neurasea.upstream.jdk.RawServer.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.neurasea.spi.UpstreamCall;
import com.neurasea.spi.UpstreamRequest;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JdkUpstreamTransportTest {
  private static final long CONNECT_TIMEOUT = 2_000;
  private static final long READ_TIMEOUT = 5_000;
  private static final long SHORT_READ_TIMEOUT = 500;

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private JdkUpstreamTransport transport;

  @BeforeEach
  void createTransport() {
    transport = new JdkUpstreamTransport();
  }

  @AfterEach
  void closeAll() throws Exception {
    transport.close();
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  @Test
  void deliversAWholeResponseAndSendsMethodHeadersAndBody() throws Exception {
    Map<String, String> seen = new ConcurrentHashMap<>();
    HttpServer server = httpServer();
    server.createContext("/v1/chat/completions", exchange -> {
      seen.put("method", exchange.getRequestMethod());
      seen.put("authorization", exchange.getRequestHeaders().getFirst("Authorization"));
      seen.put("body", new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      byte[] response = "{\"id\":\"chatcmpl-1\",\"usage\":{\"total_tokens\":3}}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.getResponseHeaders().add("X-Request-Id", "abc");
      exchange.sendResponseHeaders(200, response.length);
      exchange.getResponseBody().write(response);
      exchange.close();
    });
    RecordingHandler handler = new RecordingHandler();
    // Host, Content-Length and Connection are computed by the JDK and must be skipped, not refused.
    Map<String, String> headers = Map.of("Authorization", "Bearer sk-test", "Content-Type", "application/json",
        "Host", "evil.example", "Content-Length", "999", "Connection", "close");

    transport.send(post(uri(server, "/v1/chat/completions"), headers, "{\"model\":\"m\"}", READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.error).isNull();
    assertThat(handler.status).isEqualTo(200);
    assertThat(handler.headers).containsEntry("content-type", List.of("application/json"))
        .containsEntry("x-request-id", List.of("abc"));
    assertThat(handler.headers.keySet()).allSatisfy(name -> assertThat(name).isLowerCase());
    assertThat(handler.body()).isEqualTo("{\"id\":\"chatcmpl-1\",\"usage\":{\"total_tokens\":3}}");
    assertThat(handler.events).first().isEqualTo("response");
    assertThat(handler.events).last().isEqualTo("complete");
    assertThat(handler.contractKept()).isTrue();
    assertThat(seen).containsEntry("method", "POST").containsEntry("authorization", "Bearer sk-test")
        .containsEntry("body", "{\"model\":\"m\"}");
  }

  @Test
  void deliversErrorStatusesWithTheirHeaders() throws Exception {
    HttpServer server = httpServer();
    server.createContext("/", exchange -> {
      byte[] response = "{\"error\":{\"message\":\"slow down\"}}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Retry-After", "7");
      exchange.sendResponseHeaders(429, response.length);
      exchange.getResponseBody().write(response);
      exchange.close();
    });
    RecordingHandler handler = new RecordingHandler();

    transport.send(get(uri(server, "/v1/models"), READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.status).isEqualTo(429);
    assertThat(handler.headers).containsEntry("retry-after", List.of("7"));
    assertThat(handler.body()).contains("slow down");
    assertThat(handler.events).last().isEqualTo("complete");
    assertThat(handler.contractKept()).isTrue();
  }

  @Test
  void streamsChunksBeforeTheServerFinishes() throws Exception {
    CountDownLatch clientSawFirst = new CountDownLatch(1);
    AtomicBoolean serverWaitedForClient = new AtomicBoolean();
    RawServer server = rawServer((in, out) -> {
      readRequest(in);
      write(out, STREAM_HEAD + chunk("data: one\n\n"));
      // The second chunk is only written once the client has handled the first.
      serverWaitedForClient.set(clientSawFirst.await(10, TimeUnit.SECONDS));
      write(out, chunk("data: two\n\n") + chunk("data: [DONE]\n\n") + "0\r\n\r\n");
      awaitClose(in);
    });
    RecordingHandler handler = new RecordingHandler();
    handler.onChunk = body -> {
      if (body.contains("data: one")) {
        clientSawFirst.countDown();
      }
    };

    transport.send(post(server.uri("/v1/chat/completions"), Map.of(), "{\"stream\":true}", READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(serverWaitedForClient).isTrue();
    assertThat(handler.error).isNull();
    assertThat(handler.headers).containsEntry("content-type", List.of("text/event-stream"));
    assertThat(handler.body()).isEqualTo("data: one\n\ndata: two\n\ndata: [DONE]\n\n");
    assertThat(handler.events).last().isEqualTo("complete");
    assertThat(handler.contractKept()).isTrue();
  }

  @Test
  void reportsARefusedConnection() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    RecordingHandler handler = new RecordingHandler();

    transport.send(get(URI.create("http://127.0.0.1:" + port + "/v1/models"), READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.error).isInstanceOf(ConnectException.class);
    assertThat(handler.events).containsExactly("error");
  }

  @Test
  void timesOutWaitingForTheHead() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    closeables.add(release::countDown);
    HttpServer server = httpServer();
    server.createContext("/", exchange -> {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    RecordingHandler handler = new RecordingHandler();

    transport.send(get(uri(server, "/slow"), SHORT_READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.error).isInstanceOf(HttpTimeoutException.class)
        .isNotInstanceOf(HttpConnectTimeoutException.class);
    assertThat(handler.events).containsExactly("error");
  }

  @Test
  void timesOutWhenTheBodyStalls() throws Exception {
    CountDownLatch serverSawClose = new CountDownLatch(1);
    RawServer server = rawServer((in, out) -> {
      readRequest(in);
      write(out, STREAM_HEAD + chunk("data: one\n\n"));
      awaitClose(in); // then nothing more, until the client gives up
      serverSawClose.countDown();
    });
    RecordingHandler handler = new RecordingHandler();

    transport.send(get(server.uri("/stream"), SHORT_READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.status).isEqualTo(200);
    assertThat(handler.body()).isEqualTo("data: one\n\n");
    assertThat(handler.error).isInstanceOf(HttpTimeoutException.class)
        .hasMessage("no data from upstream for " + SHORT_READ_TIMEOUT + " ms");
    assertThat(handler.events).last().isEqualTo("error");
    assertThat(handler.contractKept()).isTrue();
    assertThat(serverSawClose.await(10, TimeUnit.SECONDS)).as("the upstream saw the connection close").isTrue();
  }

  @Test
  void cancellingMidStreamClosesTheConnectionAndEndsTheCallbacks() throws Exception {
    CountDownLatch serverSawClose = new CountDownLatch(1);
    RawServer server = rawServer((in, out) -> {
      readRequest(in);
      write(out, STREAM_HEAD + chunk("data: one\n\n"));
      awaitClose(in);
      serverSawClose.countDown();
    });
    RecordingHandler handler = new RecordingHandler();

    UpstreamCall call = transport.send(get(server.uri("/stream"), READ_TIMEOUT), handler);
    assertThat(handler.firstBody.await(10, TimeUnit.SECONDS)).isTrue();
    call.cancel();
    call.cancel(); // idempotent

    assertThat(serverSawClose.await(10, TimeUnit.SECONDS)).as("the upstream saw the connection close").isTrue();
    assertThat(handler.terminated.await(300, TimeUnit.MILLISECONDS)).isFalse();
    assertThat(handler.events).containsExactly("response", "body");
    assertThat(handler.contractKept()).isTrue();
  }

  @Test
  void cancellingFromTheHandlerStopsTheStream() throws Exception {
    CountDownLatch serverSawClose = new CountDownLatch(1);
    RawServer server = rawServer((in, out) -> {
      readRequest(in);
      write(out, STREAM_HEAD + chunk("data: one\n\n"));
      awaitClose(in);
      serverSawClose.countDown();
    });
    RecordingHandler handler = new RecordingHandler();
    AtomicReference<UpstreamCall> call = new AtomicReference<>();
    CountDownLatch sent = new CountDownLatch(1);
    handler.onChunk = body -> {
      try {
        sent.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      call.get().cancel();
    };

    call.set(transport.send(get(server.uri("/stream"), READ_TIMEOUT), handler));
    sent.countDown();

    assertThat(serverSawClose.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(handler.terminated.await(300, TimeUnit.MILLISECONDS)).isFalse();
    assertThat(handler.events).containsExactly("response", "body");
  }

  @Test
  void cancellingBeforeTheHeadClosesTheConnection() throws Exception {
    CountDownLatch requestArrived = new CountDownLatch(1);
    CountDownLatch serverSawClose = new CountDownLatch(1);
    RawServer server = rawServer((in, out) -> {
      readRequest(in);
      requestArrived.countDown();
      awaitClose(in);
      serverSawClose.countDown();
    });
    RecordingHandler handler = new RecordingHandler();

    UpstreamCall call = transport.send(post(server.uri("/v1/chat/completions"), Map.of(), "{}", READ_TIMEOUT), handler);
    assertThat(requestArrived.await(10, TimeUnit.SECONDS)).isTrue();
    call.cancel();

    assertThat(serverSawClose.await(10, TimeUnit.SECONDS)).as("the upstream saw the connection close").isTrue();
    assertThat(handler.terminated.await(300, TimeUnit.MILLISECONDS)).isFalse();
    assertThat(handler.events).isEmpty();
  }

  @Test
  void concurrentRequestsReuseConnections() throws Exception {
    RawServer server = rawServer((in, out) -> {
      while (readRequest(in) != null) {
        write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok");
      }
    });
    int requests = 300;
    int concurrency = 8;
    Semaphore inFlight = new Semaphore(concurrency);
    List<RecordingHandler> handlers = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      assertThat(inFlight.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
      RecordingHandler handler = new RecordingHandler();
      handler.onTerminal = inFlight::release;
      handlers.add(handler);
      transport.send(post(server.uri("/v1/embeddings"), Map.of(), "{\"i\":" + i + "}", READ_TIMEOUT), handler);
    }
    for (RecordingHandler handler : handlers) {
      assertThat(handler.awaitTerminal()).isTrue();
      assertThat(handler.error).isNull();
      assertThat(handler.body()).isEqualTo("ok");
      assertThat(handler.contractKept()).isTrue();
    }
    // At most `concurrency` requests were in flight: connections are reused, not one per request.
    assertThat(server.accepted.get()).isBetween(1, 2 * concurrency);
  }

  @Test
  void closingEndsCallsInFlightAndRefusesNewOnes() throws Exception {
    CountDownLatch requestArrived = new CountDownLatch(1);
    CountDownLatch serverSawClose = new CountDownLatch(1);
    RawServer server = rawServer((in, out) -> {
      readRequest(in);
      requestArrived.countDown();
      awaitClose(in);
      serverSawClose.countDown();
    });
    RecordingHandler handler = new RecordingHandler();
    transport.send(get(server.uri("/slow"), READ_TIMEOUT), handler);
    assertThat(requestArrived.await(10, TimeUnit.SECONDS)).isTrue();

    transport.close();
    transport.close(); // idempotent

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.error).isInstanceOf(IOException.class).hasMessageContaining("closed");
    assertThat(serverSawClose.await(10, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(() -> transport.send(get(server.uri("/"), READ_TIMEOUT), new RecordingHandler()))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aHandlerThatThrowsGetsTheErrorAndTheStreamStops() throws Exception {
    CountDownLatch serverSawClose = new CountDownLatch(1);
    RawServer server = rawServer((in, out) -> {
      readRequest(in);
      write(out, STREAM_HEAD + chunk("data: one\n\n"));
      awaitClose(in);
      serverSawClose.countDown();
    });
    RecordingHandler handler = new RecordingHandler();
    IllegalStateException boom = new IllegalStateException("downstream gone");
    handler.onChunk = body -> {
      throw boom;
    };

    transport.send(get(server.uri("/stream"), READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.error).isSameAs(boom);
    assertThat(handler.events).containsExactly("response", "body", "error");
    assertThat(serverSawClose.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void refusesRequestsTheJdkCannotSend() {
    RecordingHandler handler = new RecordingHandler();

    assertThatThrownBy(() -> transport.send(get(URI.create("ftp://127.0.0.1/x"), READ_TIMEOUT), handler))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> transport.send(new UpstreamRequest("GET", URI.create("http://127.0.0.1/x"),
            Map.of("X-Bad", "a\r\nInjected: yes"), null, CONNECT_TIMEOUT, READ_TIMEOUT), handler))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(handler.events).isEmpty();
  }

  @Test
  void usesHttp11ForCleartextAndHttp2ForTlsUnlessDisabled() {
    assertThat(transport.name()).isEqualTo("jdk");
    assertThat(transport.settings().http2()).isTrue();
    try (JdkUpstreamTransport http11 = JdkUpstreamTransport.create(Map.of("http2", "false"))) {
      assertThat(http11.settings().http2()).isFalse();
    }
  }

  // ---- fixtures ----

  private HttpServer httpServer() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    ExecutorService executor = Executors.newCachedThreadPool();
    server.setExecutor(executor);
    server.start();
    closeables.add(() -> {
      server.stop(0);
      executor.shutdownNow();
    });
    return server;
  }

  private RawServer rawServer(RawServer.Script script) throws IOException {
    RawServer server = new RawServer(script);
    closeables.add(server);
    return server;
  }

  private static URI uri(HttpServer server, String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  private static UpstreamRequest get(URI uri, long readTimeout) {
    return new UpstreamRequest("GET", uri, Map.of(), null, CONNECT_TIMEOUT, readTimeout);
  }

  private static UpstreamRequest post(URI uri, Map<String, String> headers, String body, long readTimeout) {
    return new UpstreamRequest("POST", uri, headers, body.getBytes(StandardCharsets.UTF_8), CONNECT_TIMEOUT,
        readTimeout);
  }
}
