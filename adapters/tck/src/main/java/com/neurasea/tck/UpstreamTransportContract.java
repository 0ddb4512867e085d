package com.neurasea.tck;

import static com.neurasea.tck.upstream.RawServer.LAST_CHUNK;
import static com.neurasea.tck.upstream.RawServer.STREAM_HEAD;
import static com.neurasea.tck.upstream.RawServer.chunk;
import static com.neurasea.tck.upstream.RawServer.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.neurasea.spi.UpstreamCall;
import com.neurasea.spi.UpstreamHandler;
import com.neurasea.spi.UpstreamRequest;
import com.neurasea.spi.UpstreamTransport;
import com.neurasea.tck.upstream.RawServer;
import com.neurasea.tck.upstream.RecordingHandler;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract of {@link UpstreamTransport}, against a loopback HTTP/1.1 server ({@link RawServer})
 * that writes exactly what each test says when it says it: a whole response reaches the handler with
 * its headers by lower-case name, repeated ones kept; the request reaches the upstream as given, less
 * the headers {@link UpstreamRequest#isTransportHeader} names; a streamed body is passed on chunk by
 * chunk as it arrives; error statuses are responses, not errors; a refused connection, a silent
 * upstream (before the head or between two chunks) and a broken connection end in {@link
 * UpstreamHandler#onError} with {@link ConnectException}, {@link HttpTimeoutException} and {@link
 * IOException}; {@link UpstreamCall#cancel()} closes the connection and silences the handler, from any
 * thread and from inside the handler; connections are reused; many requests from several threads all
 * complete; {@link UpstreamTransport#close()} ends calls in flight and refuses new ones; a handler that
 * throws gets its exception in {@link UpstreamHandler#onError}; and a request that could inject
 * headers or leave HTTP is refused before anything is sent.
 *
 * <p>In every test the {@link RecordingHandler} checks the handler contract — calls one at a time, in
 * order, at most one terminal call and none after it — and the contract fails the test if a transport
 * broke it, even after {@link UpstreamTransport#close()}.
 *
 * <p>An upstream transport passes it by extending this class in its own tests and implementing {@link
 * #newTransport()}. Each test gets a new transport, closed after it. The transport must speak HTTP/1.1 to
 * {@code http://} upstreams (the test server speaks nothing else).
 */
public abstract class UpstreamTransportContract {
  /** The connect timeout of the contract's requests. */
  protected static final long CONNECT_TIMEOUT = 2_000;
  /** The read timeout of requests that are not meant to time out. */
  protected static final long READ_TIMEOUT = 5_000;
  /** The read timeout of requests that are meant to time out. */
  protected static final long SHORT_READ_TIMEOUT = 300;
  /** How long a test watches for a callback that must not come. */
  protected static final Duration QUIET = Duration.ofMillis(200);
  /** How long a test waits for the upstream to see something. */
  private static final long WAIT_SECONDS = 5;

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final List<RecordingHandler> handlers = new CopyOnWriteArrayList<>();
  private UpstreamTransport transport;

  /**
   * Creates the transport under test. Called once before every test; the transport is closed after it.
   *
   * @return a new transport with default settings (its own threads, if it has any)
   */
  protected abstract UpstreamTransport newTransport();

  /**
   * The transport of the running test, for tests an adapter adds to the contract.
   *
   * @return the transport {@link #newTransport()} made for the running test
   */
  protected final UpstreamTransport transport() {
    return transport;
  }

  /**
   * A new recording handler whose contract is checked after the test, when the transport is closed.
   *
   * @return the handler
   */
  protected final RecordingHandler handler() {
    RecordingHandler handler = new RecordingHandler();
    handlers.add(handler);
    return handler;
  }

  /**
   * Starts a loopback server, closed after the test.
   *
   * @param script what it does with each connection
   * @return the server
   * @throws IOException if no port could be bound
   */
  protected final RawServer server(RawServer.Script script) throws IOException {
    return closeAfterTest(new RawServer(script));
  }

  /**
   * Closes something after the test, after the transport (in the reverse order of registration).
   *
   * @param closeable what to close
   * @param <T> its type
   * @return the closeable
   */
  protected final <T extends AutoCloseable> T closeAfterTest(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  /**
   * A {@code GET} without headers.
   *
   * @param uri where to
   * @param readTimeout the read timeout in milliseconds
   * @return the request
   */
  protected static UpstreamRequest get(URI uri, long readTimeout) {
    return new UpstreamRequest("GET", uri, Map.of(), null, CONNECT_TIMEOUT, readTimeout);
  }

  /**
   * A {@code POST}.
   *
   * @param uri where to
   * @param headers its headers
   * @param body its body, sent as UTF-8
   * @param readTimeout the read timeout in milliseconds
   * @return the request
   */
  protected static UpstreamRequest post(URI uri, Map<String, String> headers, String body, long readTimeout) {
    return new UpstreamRequest("POST", uri, headers, body.getBytes(StandardCharsets.UTF_8), CONNECT_TIMEOUT,
        readTimeout);
  }

  @BeforeEach
  final void openTransport() {
    transport = newTransport();
  }

  @AfterEach
  final void closeTransport() throws Exception {
    try {
      if (transport != null) {
        transport.close();
      }
      for (RecordingHandler handler : handlers) {
        handler.assertContractKept();
      }
    } finally {
      transport = null;
      handlers.clear();
      for (int i = closeables.size() - 1; i >= 0; i--) {
        closeables.get(i).close();
      }
      closeables.clear();
    }
  }

  // ---- responses

  @Test
  void transportHasAName() {
    assertThat(transport().name()).isNotBlank();
  }

  @Test
  void deliversAWholeResponseWithItsHeaders() throws Exception {
    String body = "{\"id\":\"chatcmpl-1\",\"usage\":{\"total_tokens\":3},\"text\":\"ünïcødé 😀\"}";
    RawServer server = server(c -> {
      c.readRequest();
      c.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Request-Id: abc\r\nX-Multi: 1\r\n"
          + "x-multi: 2\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body);
      c.awaitClose();
    });
    RecordingHandler handler = handler();

    transport().send(get(server.uri("/v1/models"), READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.error()).isNull();
    assertThat(handler.status()).isEqualTo(200);
    assertThat(handler.headers()).containsEntry("content-type", List.of("application/json"))
        .containsEntry("x-request-id", List.of("abc"))
        .containsEntry("x-multi", List.of("1", "2"));
    assertThat(handler.headers().keySet()).allSatisfy(name -> assertThat(name).isLowerCase());
    assertThat(handler.body()).isEqualTo(body);
    assertThat(handler.events()).first().isEqualTo("response");
    assertThat(handler.events()).last().isEqualTo("complete");
    assertThat(handler.events()).containsOnly("response", "body", "complete");
  }

  @Test
  void sendsTheRequestAsGivenLessTheTransportsHeaders() throws Exception {
    List<RawServer.Request> seen = new CopyOnWriteArrayList<>();
    RawServer server = server(c -> {
      RawServer.Request request;
      while ((request = c.readRequest()) != null) {
        seen.add(request);
        c.write(ok("ok"));
      }
    });
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Authorization", "Bearer sk-test");
    headers.put("Content-Type", "application/json");
    headers.put("X-Custom", "a, b; q=\"c d\"\tend");
    // The transport computes or drops these: skipped, not refused, whatever their case.
    headers.put("Host", "forbidden.example");
    headers.put("content-length", "999");
    headers.put("CONNECTION", "forbidden");
    headers.put("Keep-Alive", "forbidden");
    headers.put("Proxy-Connection", "forbidden");
    headers.put("TE", "forbidden");
    headers.put("Trailer", "forbidden");
    headers.put("Transfer-Encoding", "forbidden");
    headers.put("Upgrade", "forbidden");
    headers.put("Expect", "forbidden");
    headers.put("HTTP2-Settings", "forbidden");
    String body = "{\"model\":\"m\",\"text\":\"ünïcødé 😀\"}";

    RecordingHandler posted = handler();
    transport().send(post(server.uri("/v1/chat/completions?api-version=1&q=a%20b"), headers, body, READ_TIMEOUT),
        posted);
    assertThat(posted.awaitTerminal()).isTrue();
    RecordingHandler got = handler();
    transport().send(new UpstreamRequest("GET", server.uri("/v1/models"), Map.of("Accept", "application/json"),
        null, CONNECT_TIMEOUT, READ_TIMEOUT), got);
    assertThat(got.awaitTerminal()).isTrue();

    assertThat(posted.error()).isNull();
    assertThat(got.error()).isNull();
    assertThat(seen).hasSize(2);
    RawServer.Request post = seen.get(0);
    assertThat(post.requestLine()).isEqualTo("POST /v1/chat/completions?api-version=1&q=a%20b HTTP/1.1");
    assertThat(post.header("host")).containsExactly("127.0.0.1:" + server.port());
    assertThat(post.header("content-length")).containsExactly(
        String.valueOf(body.getBytes(StandardCharsets.UTF_8).length));
    assertThat(post.header("authorization")).containsExactly("Bearer sk-test");
    assertThat(post.header("content-type")).containsExactly("application/json");
    assertThat(post.header("x-custom")).containsExactly("a, b; q=\"c d\"\tend");
    assertThat(post.head()).doesNotContainIgnoringCase("forbidden");
    assertThat(post.body()).isEqualTo(body);
    RawServer.Request get = seen.get(1);
    assertThat(get.requestLine()).isEqualTo("GET /v1/models HTTP/1.1");
    assertThat(get.header("accept")).containsExactly("application/json");
    assertThat(get.header("content-length")).isSubsetOf("0");
    assertThat(get.header("transfer-encoding")).isEmpty();
    assertThat(get.body()).isEmpty();
  }

  @Test
  void streamsChunksBeforeTheServerFinishes() throws Exception {
    CountDownLatch clientSawFirst = new CountDownLatch(1);
    AtomicBoolean serverWaitedForClient = new AtomicBoolean();
    RawServer server = server(c -> {
      c.readRequest();
      c.write(STREAM_HEAD + chunk("data: one\n\n"));
      // The rest is only written once the client has handled the first chunk.
      serverWaitedForClient.set(clientSawFirst.await(WAIT_SECONDS, TimeUnit.SECONDS));
      c.write(chunk("data: two\n\n") + chunk("data: [DONE]\n\n") + LAST_CHUNK);
      c.awaitClose();
    });
    RecordingHandler handler = handler().onChunk(body -> {
      if (body.contains("data: one")) {
        clientSawFirst.countDown();
      }
    });

    transport().send(post(server.uri("/v1/chat/completions"), Map.of(), "{\"stream\":true}", READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(serverWaitedForClient).as("the first chunk reached the handler before the server went on").isTrue();
    assertThat(handler.error()).isNull();
    assertThat(handler.headers()).containsEntry("content-type", List.of("text/event-stream"));
    assertThat(handler.body()).isEqualTo("data: one\n\ndata: two\n\ndata: [DONE]\n\n");
    assertThat(handler.events()).last().isEqualTo("complete");
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 401, 429, 500, 503})
  void deliversErrorStatusesAsResponsesWithTheirHeaders(int status) throws Exception {
    String body = "{\"error\":{\"message\":\"slow down\"}}";
    RawServer server = server(c -> {
      c.readRequest();
      c.write("HTTP/1.1 " + status + " Upstream Says No\r\nRetry-After: 7\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length() + "\r\n\r\n" + body);
      c.awaitClose();
    });
    RecordingHandler handler = handler();

    transport().send(post(server.uri("/v1/chat/completions"), Map.of(), "{}", READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.error()).isNull();
    assertThat(handler.status()).isEqualTo(status);
    assertThat(handler.headers()).containsEntry("retry-after", List.of("7"));
    assertThat(handler.body()).isEqualTo(body);
    assertThat(handler.events()).last().isEqualTo("complete");
  }

  // ---- failures

  @Test
  void reportsARefusedConnection() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    RecordingHandler handler = handler();

    transport().send(get(URI.create("http://127.0.0.1:" + port + "/v1/models"), READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.error()).isInstanceOf(ConnectException.class);
    assertThat(handler.events()).containsExactly("error");
  }

  @Test
  void timesOutWaitingForTheHead() throws Exception {
    CountDownLatch serverSawClose = new CountDownLatch(1);
    RawServer server = server(c -> {
      c.readRequest();
      c.awaitClose(); // never answers
      serverSawClose.countDown();
    });
    RecordingHandler handler = handler();
    long started = System.nanoTime();

    transport().send(get(server.uri("/slow"), SHORT_READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
        .as("milliseconds until the timeout").isGreaterThanOrEqualTo(SHORT_READ_TIMEOUT - 50);
    assertThat(handler.error()).isInstanceOf(HttpTimeoutException.class)
        .isNotInstanceOf(HttpConnectTimeoutException.class);
    assertThat(handler.events()).containsExactly("error");
    assertThat(serverSawClose.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("the upstream saw the connection close")
        .isTrue();
  }

  @Test
  void timesOutWhenTheBodyStalls() throws Exception {
    CountDownLatch serverSawClose = new CountDownLatch(1);
    RawServer server = server(c -> {
      c.readRequest();
      c.write(STREAM_HEAD + chunk("data: one\n\n"));
      Thread.sleep(SHORT_READ_TIMEOUT / 2);
      c.write(chunk("data: two\n\n")); // within the timeout: it starts again
      Thread.sleep(SHORT_READ_TIMEOUT / 2);
      c.write(chunk("data: three\n\n"));
      c.awaitClose(); // then nothing more, until the client gives up
      serverSawClose.countDown();
    });
    RecordingHandler handler = handler();

    transport().send(get(server.uri("/stream"), SHORT_READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.status()).isEqualTo(200);
    assertThat(handler.body()).isEqualTo("data: one\n\ndata: two\n\ndata: three\n\n");
    assertThat(handler.error()).isInstanceOf(HttpTimeoutException.class);
    assertThat(handler.events()).first().isEqualTo("response");
    assertThat(handler.events()).last().isEqualTo("error");
    assertThat(serverSawClose.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("the upstream saw the connection close")
        .isTrue();
  }

  @Test
  void reportsAConnectionThatBreaksMidBody() throws Exception {
    RawServer server = server(c -> {
      c.readRequest();
      c.write(STREAM_HEAD + chunk("data: one\n\n"));
      // and the upstream goes away mid-stream
    });
    RecordingHandler handler = handler();

    transport().send(get(server.uri("/stream"), READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.body()).isEqualTo("data: one\n\n");
    assertThat(handler.error()).isInstanceOf(IOException.class).isNotInstanceOf(HttpTimeoutException.class);
    assertThat(handler.events()).first().isEqualTo("response");
    assertThat(handler.events()).last().isEqualTo("error");
  }

  @Test
  void reportsABodyShorterThanItsContentLength() throws Exception {
    RawServer server = server(c -> {
      c.readRequest();
      c.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"id\":");
    });
    RecordingHandler handler = handler();

    transport().send(get(server.uri("/v1/models"), READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.error()).isInstanceOf(IOException.class).isNotInstanceOf(HttpTimeoutException.class);
    assertThat(handler.events()).last().isEqualTo("error");
  }

  @ParameterizedTest
  @ValueSource(strings = {"onResponse", "onBody"})
  void aHandlerThatThrowsGetsItsExceptionAndTheStreamStops(String where) throws Exception {
    CountDownLatch serverSawClose = new CountDownLatch(1);
    RawServer server = server(c -> {
      c.readRequest();
      c.write(STREAM_HEAD + chunk("data: one\n\n"));
      c.awaitClose();
      serverSawClose.countDown();
    });
    IllegalStateException boom = new IllegalStateException("downstream gone");
    RecordingHandler handler = handler();
    if (where.equals("onResponse")) {
      handler.onHead(() -> {
        throw boom;
      });
    } else {
      handler.onChunk(body -> {
        throw boom;
      });
    }

    transport().send(get(server.uri("/stream"), READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.error()).isSameAs(boom);
    assertThat(handler.events()).containsExactly(where.equals("onResponse")
        ? new String[] {"response", "error"} : new String[] {"response", "body", "error"});
    assertThat(serverSawClose.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("the upstream saw the connection close")
        .isTrue();
  }

  // ---- cancelling

  @Test
  void cancellingMidStreamClosesTheConnectionAndEndsTheCallbacks() throws Exception {
    CountDownLatch serverSawClose = new CountDownLatch(1);
    RawServer server = server(c -> {
      c.readRequest();
      c.write(STREAM_HEAD + chunk("data: one\n\n"));
      c.awaitClose();
      serverSawClose.countDown();
    });
    RecordingHandler handler = handler();

    UpstreamCall call = transport().send(get(server.uri("/stream"), READ_TIMEOUT), handler);
    assertThat(handler.awaitFirstBody()).isTrue();
    call.cancel();
    call.cancel(); // idempotent

    assertThat(serverSawClose.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("the upstream saw the connection close")
        .isTrue();
    assertThat(handler.noTerminalWithin(QUIET)).as("no terminal call after cancel").isTrue();
    assertThat(handler.events()).containsExactly("response", "body");
  }

  @Test
  void cancellingFromTheHandlerStopsTheStream() throws Exception {
    CountDownLatch serverSawClose = new CountDownLatch(1);
    RawServer server = server(c -> {
      c.readRequest();
      c.write(STREAM_HEAD + chunk("data: one\n\n"));
      Thread.sleep(50);
      c.write(chunk("data: two\n\n"));
      c.awaitClose();
      serverSawClose.countDown();
    });
    AtomicReference<UpstreamCall> call = new AtomicReference<>();
    CountDownLatch sent = new CountDownLatch(1);
    RecordingHandler handler = handler().onChunk(body -> {
      try {
        sent.await(WAIT_SECONDS, TimeUnit.SECONDS); // send() may call the handler before it returns
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      call.get().cancel();
    });

    call.set(transport().send(get(server.uri("/stream"), READ_TIMEOUT), handler));
    sent.countDown();

    assertThat(serverSawClose.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("the upstream saw the connection close")
        .isTrue();
    assertThat(handler.noTerminalWithin(QUIET)).as("no terminal call after cancel").isTrue();
    assertThat(handler.events()).containsExactly("response", "body");
  }

  @Test
  void cancellingBeforeTheHeadClosesTheConnection() throws Exception {
    CountDownLatch requestArrived = new CountDownLatch(1);
    CountDownLatch serverSawClose = new CountDownLatch(1);
    RawServer server = server(c -> {
      c.readRequest();
      requestArrived.countDown();
      c.awaitClose();
      serverSawClose.countDown();
    });
    RecordingHandler handler = handler();

    UpstreamCall call = transport().send(post(server.uri("/v1/chat/completions"), Map.of(), "{}", READ_TIMEOUT),
        handler);
    assertThat(requestArrived.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    call.cancel();

    assertThat(serverSawClose.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("the upstream saw the connection close")
        .isTrue();
    assertThat(handler.noTerminalWithin(QUIET)).as("no terminal call after cancel").isTrue();
    assertThat(handler.events()).isEmpty();
  }

  @Test
  void cancellingAfterTheEndChangesNothing() throws Exception {
    RawServer server = server(c -> {
      while (c.readRequest() != null) {
        c.write(ok("ok"));
      }
    });
    RecordingHandler handler = handler();

    UpstreamCall call = transport().send(get(server.uri("/"), READ_TIMEOUT), handler);
    assertThat(handler.awaitTerminal()).isTrue();
    call.cancel();

    assertThat(handler.events()).containsExactly("response", "body", "complete");
    assertThat(handler.body()).isEqualTo("ok");
  }

  // ---- connections and concurrency

  @Test
  void requestsSentOneAfterAnotherShareOneConnection() throws Exception {
    RawServer server = server(c -> {
      while (c.readRequest() != null) {
        c.write(ok("ok"));
      }
    });
    int requests = 20;
    List<RecordingHandler> sent = new CopyOnWriteArrayList<>();
    CountDownLatch all = new CountDownLatch(1);
    // Each request is sent from the previous one's onComplete, as a host chaining requests would.
    Runnable[] sendNext = new Runnable[1];
    sendNext[0] = () -> {
      if (sent.size() == requests) {
        all.countDown();
        return;
      }
      RecordingHandler handler = handler().onTerminal(sendNext[0]);
      sent.add(handler);
      transport().send(post(server.uri("/v1/embeddings"), Map.of(), "{\"i\":" + sent.size() + "}", READ_TIMEOUT),
          handler);
    };
    sendNext[0].run();

    assertThat(all.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(sent).hasSize(requests).allSatisfy(handler -> {
      assertThat(handler.error()).isNull();
      assertThat(handler.body()).isEqualTo("ok");
    });
    assertThat(server.accepted()).as("connections").isEqualTo(1);
  }

  @Test
  void concurrentRequestsFromSeveralThreadsAllComplete() throws Exception {
    RawServer server = server(c -> {
      RawServer.Request request;
      while ((request = c.readRequest()) != null) {
        c.write(ok("echo " + request.body()));
      }
    });
    int threads = 8;
    int perThread = 40;
    int inFlightPerThread = 2;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    closeAfterTest(pool::shutdownNow);
    List<Future<List<RecordingHandler>>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      results.add(pool.submit(() -> {
        Semaphore inFlight = new Semaphore(inFlightPerThread);
        List<RecordingHandler> sent = new ArrayList<>();
        for (int i = 0; i < perThread; i++) {
          assertThat(inFlight.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
          RecordingHandler handler = handler().onTerminal(inFlight::release);
          sent.add(handler);
          transport().send(post(server.uri("/v1/embeddings"), Map.of(), thread + "-" + i, READ_TIMEOUT), handler);
        }
        return sent;
      }));
    }
    for (int t = 0; t < threads; t++) {
      List<RecordingHandler> sent = results.get(t).get(10, TimeUnit.SECONDS);
      for (int i = 0; i < perThread; i++) {
        RecordingHandler handler = sent.get(i);
        assertThat(handler.awaitTerminal()).isTrue();
        assertThat(handler.error()).isNull();
        assertThat(handler.status()).isEqualTo(200);
        assertThat(handler.body()).isEqualTo("echo " + t + "-" + i);
      }
    }
    // At most 16 requests were in flight at once: connections are reused, not one per request.
    assertThat(server.accepted()).as("connections").isBetween(1, 2 * threads * inFlightPerThread);
  }

  // ---- closing

  @Test
  void closingEndsCallsInFlightAndRefusesNewOnes() throws Exception {
    CountDownLatch requestArrived = new CountDownLatch(1);
    CountDownLatch serverSawClose = new CountDownLatch(1);
    RawServer server = server(c -> {
      c.readRequest();
      requestArrived.countDown();
      c.awaitClose();
      serverSawClose.countDown();
    });
    RecordingHandler handler = handler();
    transport().send(get(server.uri("/slow"), READ_TIMEOUT), handler);
    assertThat(requestArrived.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();

    transport().close();
    transport().close(); // idempotent

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.error()).isInstanceOf(IOException.class);
    assertThat(handler.events()).containsExactly("error");
    assertThat(serverSawClose.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("the upstream saw the connection close")
        .isTrue();
    RecordingHandler refused = handler();
    assertThatThrownBy(() -> transport().send(get(server.uri("/"), READ_TIMEOUT), refused))
        .isInstanceOf(IllegalStateException.class);
    assertThat(refused.events()).isEmpty();
  }

  @Test
  void closingFromInsideAHandlerEndsItsExchangeOnceItsCallReturns() throws Exception {
    RawServer server = server(c -> {
      c.readRequest();
      c.write(STREAM_HEAD + chunk("data: one\n\n"));
      c.awaitClose();
    });
    RecordingHandler handler = handler().onChunk(body -> transport().close());

    transport().send(get(server.uri("/stream"), READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.events()).containsExactly("response", "body", "error");
    assertThat(handler.error()).isInstanceOf(IOException.class);
  }

  // ---- requests

  @Test
  void refusesRequestsThatCouldInjectHeadersOrLeaveHttp() throws Exception {
    RawServer server = server(c -> {
      c.readRequest();
      c.write(ok("ok"));
    });
    URI uri = server.uri("/x");
    RecordingHandler handler = handler();
    List<ThrowingCallable> sends = List.of(
        () -> transport().send(get(URI.create("ftp://127.0.0.1:" + server.port() + "/x"), READ_TIMEOUT), handler),
        () -> transport().send(get(URI.create("file:///etc/passwd"), READ_TIMEOUT), handler),
        () -> transport().send(get(URI.create("http:/x"), READ_TIMEOUT), handler),
        () -> send(uri, "GET", Map.of("X-Bad", "a\r\nInjected: yes"), handler),
        () -> send(uri, "GET", Map.of("X-Bad", "a\nInjected: yes"), handler),
        () -> send(uri, "GET", Map.of("X-Bad", "a\rb"), handler),
        () -> send(uri, "GET", Map.of("X-Bad", "a\0b"), handler),
        () -> send(uri, "GET", Map.of("Bad Name", "v"), handler),
        () -> send(uri, "GET", Map.of("Bad\r\nName", "v"), handler),
        () -> send(uri, "GET", Map.of("", "v"), handler),
        () -> send(uri, "GET", Map.of(":authority", "v"), handler),
        () -> send(uri, "GE T", Map.of(), handler),
        () -> send(uri, "GET /evil HTTP/1.1\r\nX:", Map.of(), handler),
        () -> send(uri, "", Map.of(), handler));

    for (ThrowingCallable send : sends) {
      assertThatThrownBy(send).isInstanceOf(IllegalArgumentException.class);
    }

    Thread.sleep(QUIET.toMillis());
    assertThat(handler.events()).isEmpty();
    assertThat(server.accepted()).as("connections").isZero();
  }

  private void send(URI uri, String method, Map<String, String> headers, UpstreamHandler handler) {
    transport().send(new UpstreamRequest(method, uri, headers, null, CONNECT_TIMEOUT, READ_TIMEOUT), handler);
  }
}
