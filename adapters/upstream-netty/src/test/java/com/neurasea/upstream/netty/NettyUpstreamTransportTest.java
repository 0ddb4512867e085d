package com.neurasea.upstream.netty;

import static com.neurasea.upstream.netty.Upstream.STREAM_HEAD;
import static com.neurasea.upstream.netty.Upstream.awaitClose;
import static com.neurasea.upstream.netty.Upstream.chunk;
import static com.neurasea.upstream.netty.Upstream.ok;
import static com.neurasea.upstream.netty.Upstream.readRequest;
import static com.neurasea.upstream.netty.Upstream.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.neurasea.spi.UpstreamCall;
import com.neurasea.spi.UpstreamRequest;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NettyUpstreamTransportTest {
  private static final long CONNECT_TIMEOUT = 2_000;
  private static final long READ_TIMEOUT = 5_000;
  private static final long SHORT_READ_TIMEOUT = 300;

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private NettyUpstreamTransport transport;

  @BeforeEach
  void createTransport() {
    transport = NettyUpstreamTransport.create(NettyUpstreamTransport.Options.DEFAULT.withEventLoopThreads(2));
  }

  @AfterEach
  void closeAll() throws Exception {
    transport.close();
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  @Test
  void deliversAWholeResponseAndSendsTheRequestAsGiven() throws Exception {
    AtomicReference<String> seen = new AtomicReference<>();
    Upstream server = upstream((socket, in, out) -> {
      seen.set(readRequest(in));
      String body = "{\"id\":\"chatcmpl-1\",\"usage\":{\"total_tokens\":3}}";
      write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Request-Id: abc\r\nX-Multi: 1\r\n"
          + "x-multi: 2\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
      awaitClose(in);
    });
    Recorder handler = new Recorder();
    // Host, Content-Length and Connection are the transport's: skipped, not refused.
    Map<String, String> headers = Map.of("Authorization", "Bearer sk-test", "Content-Type", "application/json",
        "Host", "evil.example", "Content-Length", "999", "Connection", "close", ":authority", "x");

    transport.send(post(server.uri("/v1/chat/completions?api-version=1"), headers, "{\"model\":\"m\"}",
        READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.error).isNull();
    assertThat(handler.status).isEqualTo(200);
    assertThat(handler.headers).containsEntry("content-type", List.of("application/json"))
        .containsEntry("x-request-id", List.of("abc"))
        .containsEntry("x-multi", List.of("1", "2"));
    assertThat(handler.headers.keySet()).allSatisfy(name -> assertThat(name).isLowerCase());
    assertThat(handler.body()).isEqualTo("{\"id\":\"chatcmpl-1\",\"usage\":{\"total_tokens\":3}}");
    assertThat(handler.events).first().isEqualTo("response");
    assertThat(handler.events).last().isEqualTo("complete");
    assertThat(handler.contractKept()).isTrue();
    String request = seen.get();
    assertThat(request).startsWith("POST /v1/chat/completions?api-version=1 HTTP/1.1\r\n")
        .containsIgnoringCase("\r\nhost: 127.0.0.1:" + server.port() + "\r\n")
        .containsIgnoringCase("\r\ncontent-length: 13\r\n")
        .containsIgnoringCase("\r\nauthorization: Bearer sk-test\r\n")
        .doesNotContainIgnoringCase("evil.example")
        .doesNotContainIgnoringCase("connection: close")
        .doesNotContain(":authority")
        .endsWith("\r\n\r\n{\"model\":\"m\"}");
  }

  @Test
  void deliversErrorStatusesWithTheirHeaders() throws Exception {
    Upstream server = upstream((socket, in, out) -> {
      readRequest(in);
      String body = "{\"error\":{\"message\":\"slow down\"}}";
      write(out, "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Length: " + body.length()
          + "\r\n\r\n" + body);
      awaitClose(in);
    });
    Recorder handler = new Recorder();

    transport.send(get(server.uri("/v1/models"), READ_TIMEOUT), handler);

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
    Upstream server = upstream((socket, in, out) -> {
      readRequest(in);
      write(out, STREAM_HEAD + chunk("data: one\n\n"));
      // The rest is only written once the client has handled the first chunk.
      serverWaitedForClient.set(clientSawFirst.await(5, TimeUnit.SECONDS));
      write(out, chunk("data: two\n\n") + chunk("data: [DONE]\n\n") + "0\r\n\r\n");
      awaitClose(in);
    });
    Recorder handler = new Recorder();
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
    Recorder handler = new Recorder();

    transport.send(get(URI.create("http://127.0.0.1:" + port + "/v1/models"), READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.error).isInstanceOf(ConnectException.class);
    assertThat(handler.events).containsExactly("error");
  }

  @Test
  void timesOutWaitingForTheHead() throws Exception {
    CountDownLatch serverSawClose = new CountDownLatch(1);
    Upstream server = upstream((socket, in, out) -> {
      readRequest(in);
      awaitClose(in); // never answers
      serverSawClose.countDown();
    });
    Recorder handler = new Recorder();
    long started = System.nanoTime();

    transport.send(get(server.uri("/slow"), SHORT_READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(SHORT_READ_TIMEOUT);
    assertThat(handler.error).isInstanceOf(HttpTimeoutException.class)
        .isNotInstanceOf(HttpConnectTimeoutException.class);
    assertThat(handler.events).containsExactly("error");
    assertThat(serverSawClose.await(5, TimeUnit.SECONDS)).as("the upstream saw the connection close").isTrue();
  }

  @Test
  void timesOutWhenTheBodyStalls() throws Exception {
    CountDownLatch serverSawClose = new CountDownLatch(1);
    Upstream server = upstream((socket, in, out) -> {
      readRequest(in);
      write(out, STREAM_HEAD + chunk("data: one\n\n"));
      Thread.sleep(SHORT_READ_TIMEOUT / 2);
      write(out, chunk("data: two\n\n")); // within the timeout: resets it
      awaitClose(in); // then nothing more, until the client gives up
      serverSawClose.countDown();
    });
    Recorder handler = new Recorder();

    transport.send(get(server.uri("/stream"), SHORT_READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.status).isEqualTo(200);
    assertThat(handler.body()).isEqualTo("data: one\n\ndata: two\n\n");
    assertThat(handler.error).isInstanceOf(HttpTimeoutException.class)
        .hasMessage("no data from upstream for " + SHORT_READ_TIMEOUT + " ms");
    assertThat(handler.events).last().isEqualTo("error");
    assertThat(handler.contractKept()).isTrue();
    assertThat(serverSawClose.await(5, TimeUnit.SECONDS)).as("the upstream saw the connection close").isTrue();
  }

  @Test
  void reportsAConnectionThatBreaksMidBody() throws Exception {
    Upstream server = upstream((socket, in, out) -> {
      readRequest(in);
      write(out, STREAM_HEAD + chunk("data: one\n\n"));
      // and the server goes away mid-stream
    });
    Recorder handler = new Recorder();

    transport.send(get(server.uri("/stream"), READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.body()).isEqualTo("data: one\n\n");
    assertThat(handler.error).isInstanceOf(IOException.class).isNotInstanceOf(HttpTimeoutException.class);
    assertThat(handler.events).containsExactly("response", "body", "error");
  }

  @Test
  void cancellingMidStreamClosesTheConnectionAndEndsTheCallbacks() throws Exception {
    CountDownLatch serverSawClose = new CountDownLatch(1);
    Upstream server = upstream((socket, in, out) -> {
      readRequest(in);
      write(out, STREAM_HEAD + chunk("data: one\n\n"));
      awaitClose(in);
      serverSawClose.countDown();
    });
    Recorder handler = new Recorder();

    UpstreamCall call = transport.send(get(server.uri("/stream"), READ_TIMEOUT), handler);
    assertThat(handler.firstBody.await(5, TimeUnit.SECONDS)).isTrue();
    call.cancel();
    call.cancel(); // idempotent

    assertThat(serverSawClose.await(5, TimeUnit.SECONDS)).as("the upstream saw the connection close").isTrue();
    assertThat(handler.terminated.await(200, TimeUnit.MILLISECONDS)).isFalse();
    assertThat(handler.events).containsExactly("response", "body");
    assertThat(handler.contractKept()).isTrue();
  }

  @Test
  void cancellingFromTheHandlerStopsTheStream() throws Exception {
    CountDownLatch serverSawClose = new CountDownLatch(1);
    Upstream server = upstream((socket, in, out) -> {
      readRequest(in);
      write(out, STREAM_HEAD + chunk("data: one\n\n"));
      Thread.sleep(50);
      write(out, chunk("data: two\n\n"));
      awaitClose(in);
      serverSawClose.countDown();
    });
    Recorder handler = new Recorder();
    AtomicReference<UpstreamCall> call = new AtomicReference<>();
    CountDownLatch sent = new CountDownLatch(1);
    handler.onChunk = body -> {
      try {
        sent.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      call.get().cancel();
    };

    call.set(transport.send(get(server.uri("/stream"), READ_TIMEOUT), handler));
    sent.countDown();

    assertThat(serverSawClose.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(handler.terminated.await(200, TimeUnit.MILLISECONDS)).isFalse();
    assertThat(handler.events).containsExactly("response", "body");
  }

  @Test
  void cancellingBeforeTheHeadClosesTheConnection() throws Exception {
    CountDownLatch requestArrived = new CountDownLatch(1);
    CountDownLatch serverSawClose = new CountDownLatch(1);
    Upstream server = upstream((socket, in, out) -> {
      readRequest(in);
      requestArrived.countDown();
      awaitClose(in);
      serverSawClose.countDown();
    });
    Recorder handler = new Recorder();

    UpstreamCall call = transport.send(post(server.uri("/v1/chat/completions"), Map.of(), "{}", READ_TIMEOUT), handler);
    assertThat(requestArrived.await(5, TimeUnit.SECONDS)).isTrue();
    call.cancel();

    assertThat(serverSawClose.await(5, TimeUnit.SECONDS)).as("the upstream saw the connection close").isTrue();
    assertThat(handler.terminated.await(200, TimeUnit.MILLISECONDS)).isFalse();
    assertThat(handler.events).isEmpty();
  }

  @Test
  void sequentialRequestsOnOneLoopShareOneConnection() throws Exception {
    Upstream server = upstream((socket, in, out) -> {
      while (readRequest(in) != null) {
        write(out, ok("ok"));
      }
    });
    int requests = 50;
    List<Recorder> handlers = new CopyOnWriteArrayList<>();
    CountDownLatch all = new CountDownLatch(1);
    EventLoop loop = transport.eventLoopGroup().next();
    // Each request is sent from the previous one's onComplete, on the loop.
    Runnable[] sendNext = new Runnable[1];
    sendNext[0] = () -> {
      if (handlers.size() == requests) {
        all.countDown();
        return;
      }
      Recorder handler = new Recorder();
      handler.onTerminal = sendNext[0];
      handlers.add(handler);
      transport.send(post(server.uri("/v1/embeddings"), Map.of(), "{\"i\":" + handlers.size() + "}", READ_TIMEOUT),
          handler);
    };
    loop.execute(sendNext[0]);

    assertThat(all.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(handlers).hasSize(requests).allSatisfy(handler -> {
      assertThat(handler.error).isNull();
      assertThat(handler.body()).isEqualTo("ok");
      assertThat(handler.contractKept()).isTrue();
    });
    assertThat(server.accepted.get()).isEqualTo(1);
  }

  @Test
  void callbacksOfARequestSentOnALoopRunOnThatLoop() throws Exception {
    Upstream server = upstream((socket, in, out) -> {
      while (readRequest(in) != null) {
        write(out, STREAM_HEAD + chunk("data: one\n\n"));
        write(out, chunk("data: two\n\n") + "0\r\n\r\n");
      }
    });
    for (EventLoop loop : loops(transport.eventLoopGroup())) {
      AtomicReference<Thread> sender = new AtomicReference<>();
      Recorder handler = new Recorder();
      loop.execute(() -> {
        sender.set(Thread.currentThread());
        transport.send(get(server.uri("/stream"), READ_TIMEOUT), handler);
      });

      assertThat(handler.awaitTerminal()).isTrue();
      assertThat(handler.events).containsExactly("response", "body", "body", "complete");
      assertThat(handler.threads).hasSize(4).allSatisfy(thread -> assertThat(thread).isSameAs(sender.get()));
    }
  }

  @Test
  void callbacksOfARequestSentFromAnotherThreadRunOnOneLoop() throws Exception {
    Upstream server = upstream((socket, in, out) -> {
      readRequest(in);
      write(out, STREAM_HEAD + chunk("data: one\n\n"));
      write(out, chunk("data: two\n\n") + "0\r\n\r\n");
      awaitClose(in);
    });
    Set<Thread> loopThreads = ConcurrentHashMap.newKeySet();
    CountDownLatch found = new CountDownLatch(2);
    for (EventLoop loop : loops(transport.eventLoopGroup())) {
      loop.execute(() -> {
        loopThreads.add(Thread.currentThread());
        found.countDown();
      });
    }
    assertThat(found.await(5, TimeUnit.SECONDS)).isTrue();
    Recorder handler = new Recorder();

    transport.send(get(server.uri("/stream"), READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.error).isNull();
    assertThat(handler.threads).hasSize(4);
    assertThat(Set.copyOf(handler.threads)).singleElement().isIn(loopThreads);
  }

  @Test
  void aStaleIdleConnectionIsNotUsed() throws Exception {
    Upstream server = upstream((socket, in, out) -> {
      readRequest(in);
      write(out, ok("first"));
      // keeps the connection alive by the headers, then closes it while it is idle
    });
    Recorder first = new Recorder();
    EventLoop loop = transport.eventLoopGroup().next();
    loop.execute(() -> transport.send(get(server.uri("/a"), READ_TIMEOUT), first));
    assertThat(first.awaitTerminal()).isTrue();
    assertThat(first.body()).isEqualTo("first");
    Thread.sleep(100); // the close reaches the client

    Recorder second = new Recorder();
    loop.execute(() -> transport.send(post(server.uri("/b"), Map.of(), "{}", READ_TIMEOUT), second));

    assertThat(second.awaitTerminal()).isTrue();
    assertThat(second.error).isNull();
    assertThat(second.body()).isEqualTo("first");
    assertThat(server.accepted.get()).isEqualTo(2);
  }

  @Test
  void aRequestOnAConnectionTheUpstreamClosesUnansweredIsSentAgainOnANewOne() throws Exception {
    AtomicInteger connections = new AtomicInteger();
    List<String> requests = new CopyOnWriteArrayList<>();
    Upstream server = upstream((socket, in, out) -> {
      int n = connections.incrementAndGet();
      requests.add(n + " " + readRequest(in).lines().findFirst().orElseThrow());
      write(out, ok("one"));
      if (n == 1) {
        // The first connection is kept, but the next request on it meets a close (a keep-alive
        // timeout racing with the request): read it, answer nothing, reset.
        String next = readRequest(in);
        requests.add(n + " " + (next == null ? "-" : next.lines().findFirst().orElseThrow()));
        socket.setSoLinger(true, 0);
        return;
      }
      while (readRequest(in) != null) {
        write(out, ok("more"));
      }
    });
    EventLoop loop = transport.eventLoopGroup().next();
    Recorder first = new Recorder();
    loop.execute(() -> transport.send(get(server.uri("/a"), READ_TIMEOUT), first));
    assertThat(first.awaitTerminal()).isTrue();

    Recorder second = new Recorder();
    loop.execute(() -> transport.send(post(server.uri("/b"), Map.of(), "{}", READ_TIMEOUT), second));

    assertThat(second.awaitTerminal()).isTrue();
    assertThat(second.error).isNull();
    assertThat(second.status).isEqualTo(200);
    assertThat(second.body()).isEqualTo("one");
    assertThat(second.events).containsExactly("response", "body", "complete");
    assertThat(server.accepted.get()).isEqualTo(2);
    assertThat(requests).containsExactly("1 GET /a HTTP/1.1", "1 POST /b HTTP/1.1", "2 POST /b HTTP/1.1");
  }

  @Test
  void aConnectionTheUpstreamWillCloseIsNotPooled() throws Exception {
    Upstream server = upstream((socket, in, out) -> {
      readRequest(in);
      write(out, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
      awaitClose(in);
    });
    EventLoop loop = transport.eventLoopGroup().next();
    for (int i = 0; i < 3; i++) {
      Recorder handler = new Recorder();
      loop.execute(() -> transport.send(get(server.uri("/"), READ_TIMEOUT), handler));
      assertThat(handler.awaitTerminal()).isTrue();
      assertThat(handler.body()).isEqualTo("ok");
    }
    assertThat(server.accepted.get()).isEqualTo(3);
  }

  @Test
  void idleConnectionsCloseAfterTheIdleTimeout() throws Exception {
    transport.close();
    transport = NettyUpstreamTransport.create(NettyUpstreamTransport.Options.DEFAULT.withEventLoopThreads(1)
        .withIdleTimeout(java.time.Duration.ofMillis(100)));
    CountDownLatch serverSawClose = new CountDownLatch(1);
    Upstream server = upstream((socket, in, out) -> {
      readRequest(in);
      write(out, ok("ok"));
      awaitClose(in);
      serverSawClose.countDown();
    });
    Recorder handler = new Recorder();

    transport.send(get(server.uri("/"), READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.body()).isEqualTo("ok");
    assertThat(serverSawClose.await(5, TimeUnit.SECONDS)).as("the idle connection was closed").isTrue();
  }

  @Test
  void concurrentRequestsFromOtherThreadsAllComplete() throws Exception {
    Upstream server = upstream((socket, in, out) -> {
      String request;
      while ((request = readRequest(in)) != null) {
        String body = request.substring(request.indexOf("\r\n\r\n") + 4);
        write(out, ok("echo " + body));
      }
    });
    int threads = 8;
    int perThread = 40;
    int inFlightPerThread = 2;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    closeables.add(pool::shutdownNow);
    List<Future<List<Recorder>>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      results.add(pool.submit(() -> {
        Semaphore inFlight = new Semaphore(inFlightPerThread);
        List<Recorder> handlers = new ArrayList<>();
        for (int i = 0; i < perThread; i++) {
          assertThat(inFlight.tryAcquire(5, TimeUnit.SECONDS)).isTrue();
          Recorder handler = new Recorder();
          handler.onTerminal = inFlight::release;
          handlers.add(handler);
          transport.send(post(server.uri("/v1/embeddings"), Map.of(), thread + "-" + i, READ_TIMEOUT), handler);
        }
        return handlers;
      }));
    }
    for (int t = 0; t < threads; t++) {
      List<Recorder> handlers = results.get(t).get(10, TimeUnit.SECONDS);
      for (int i = 0; i < perThread; i++) {
        Recorder handler = handlers.get(i);
        assertThat(handler.awaitTerminal()).isTrue();
        assertThat(handler.error).isNull();
        assertThat(handler.body()).isEqualTo("echo " + t + "-" + i);
        assertThat(handler.contractKept()).isTrue();
      }
    }
    // At most 16 requests in flight at once, on either of 2 loops: connections are reused, not one per request.
    assertThat(server.accepted.get()).isBetween(1, 2 * threads * inFlightPerThread);
  }

  @Test
  void aHandlerThatThrowsGetsTheErrorAndTheStreamStops() throws Exception {
    CountDownLatch serverSawClose = new CountDownLatch(1);
    Upstream server = upstream((socket, in, out) -> {
      readRequest(in);
      write(out, STREAM_HEAD + chunk("data: one\n\n"));
      awaitClose(in);
      serverSawClose.countDown();
    });
    Recorder handler = new Recorder();
    IllegalStateException boom = new IllegalStateException("downstream gone");
    handler.onChunk = body -> {
      throw boom;
    };

    transport.send(get(server.uri("/stream"), READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.error).isSameAs(boom);
    assertThat(handler.events).containsExactly("response", "body", "error");
    assertThat(serverSawClose.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void closingEndsCallsInFlightAndRefusesNewOnes() throws Exception {
    CountDownLatch requestArrived = new CountDownLatch(1);
    CountDownLatch serverSawClose = new CountDownLatch(1);
    Upstream server = upstream((socket, in, out) -> {
      readRequest(in);
      requestArrived.countDown();
      awaitClose(in);
      serverSawClose.countDown();
    });
    Recorder handler = new Recorder();
    transport.send(get(server.uri("/slow"), READ_TIMEOUT), handler);
    assertThat(requestArrived.await(5, TimeUnit.SECONDS)).isTrue();

    transport.close();
    transport.close(); // idempotent

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.error).isInstanceOf(IOException.class).hasMessageContaining("closed");
    assertThat(serverSawClose.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(transport.eventLoopGroup().isShutdown()).isTrue();
    assertThatThrownBy(() -> transport.send(get(server.uri("/"), READ_TIMEOUT), new Recorder()))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void closingFromInsideAHandlerEndsItsExchangeOnceItsCallReturns() throws Exception {
    Upstream server = upstream((socket, in, out) -> {
      readRequest(in);
      write(out, STREAM_HEAD + chunk("data: one\n\n"));
      awaitClose(in);
    });
    Recorder handler = new Recorder();
    handler.onChunk = body -> transport.close();

    transport.send(get(server.uri("/stream"), READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.events).containsExactly("response", "body", "error");
    assertThat(handler.error).isInstanceOf(IOException.class).hasMessageContaining("closed");
    assertThat(handler.contractKept()).isTrue();
  }

  @Test
  void runsOnAHostsGroupAndLeavesItRunning() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    closeables.add(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly());
    Upstream server = upstream((socket, in, out) -> {
      while (readRequest(in) != null) {
        write(out, ok("ok"));
      }
    });
    Recorder handler = new Recorder();
    try (NettyUpstreamTransport shared = NettyUpstreamTransport.create(
        NettyUpstreamTransport.Options.DEFAULT.withEventLoopGroup(group))) {
      assertThat(shared.eventLoopGroup()).isSameAs(group);
      assertThat(shared.socketTransport()).isEqualTo("nio");
      shared.send(get(server.uri("/"), READ_TIMEOUT), handler);
      assertThat(handler.awaitTerminal()).isTrue();
      assertThat(handler.body()).isEqualTo("ok");
    }
    assertThat(group.isShuttingDown()).isFalse();
    assertThat(handler.threads).allSatisfy(t -> assertThat(t).isNotSameAs(Thread.currentThread()));
  }

  @Test
  void refusesRequestsItCannotSend() {
    Recorder handler = new Recorder();

    assertThatThrownBy(() -> transport.send(get(URI.create("ftp://127.0.0.1/x"), READ_TIMEOUT), handler))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> transport.send(new UpstreamRequest("GET", URI.create("http://127.0.0.1/x"),
            Map.of("X-Bad", "a\r\nInjected: yes"), null, CONNECT_TIMEOUT, READ_TIMEOUT), handler))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> transport.send(new UpstreamRequest("GET", URI.create("http://127.0.0.1/x"),
            Map.of("Bad Name", "v"), null, CONNECT_TIMEOUT, READ_TIMEOUT), handler))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> transport.send(new UpstreamRequest("GE T", URI.create("http://127.0.0.1/x"),
            Map.of(), null, CONNECT_TIMEOUT, READ_TIMEOUT), handler))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(handler.events).isEmpty();
    assertThat(transport.name()).isEqualTo("netty");
  }

  @Test
  void usesEpollWhereAvailable() {
    assertThat(transport.socketTransport()).isEqualTo(Epoll.isAvailable() ? "epoll" : "nio");
  }

  // ---- fixtures ----

  private Upstream upstream(Upstream.Script script) throws IOException {
    Upstream server = new Upstream(script);
    closeables.add(server);
    return server;
  }

  private static List<EventLoop> loops(EventLoopGroup group) {
    List<EventLoop> loops = new ArrayList<>();
    group.forEach(e -> loops.add((EventLoop) e));
    return loops;
  }

  static UpstreamRequest get(URI uri, long readTimeout) {
    return new UpstreamRequest("GET", uri, Map.of(), null, CONNECT_TIMEOUT, readTimeout);
  }

  static UpstreamRequest post(URI uri, Map<String, String> headers, String body, long readTimeout) {
    return new UpstreamRequest("POST", uri, headers, body.getBytes(StandardCharsets.UTF_8), CONNECT_TIMEOUT,
        readTimeout);
  }
}
