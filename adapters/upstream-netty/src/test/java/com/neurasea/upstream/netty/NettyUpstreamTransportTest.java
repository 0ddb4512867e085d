package com.neurasea.upstream.netty;

import static com.neurasea.tck.upstream.RawServer.LAST_CHUNK;
import static com.neurasea.tck.upstream.RawServer.STREAM_HEAD;
import static com.neurasea.tck.upstream.RawServer.chunk;
import static com.neurasea.tck.upstream.RawServer.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.neurasea.spi.UpstreamRequest;
import com.neurasea.spi.UpstreamTransport;
import com.neurasea.tck.UpstreamTransportContract;
import com.neurasea.tck.upstream.RawServer;
import com.neurasea.tck.upstream.RecordingHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.nio.NioIoHandler;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The {@link UpstreamTransportContract} on two event loops, and what only the Netty transport does:
 * callbacks on the sending loop, per-loop pools (stale and closing connections, the idle timeout), a
 * host's event loops, epoll.
 */
class NettyUpstreamTransportTest extends UpstreamTransportContract {
  @Override
  protected UpstreamTransport newTransport() {
    return NettyUpstreamTransport.create(NettyUpstreamTransport.Options.DEFAULT.withEventLoopThreads(2));
  }

  private NettyUpstreamTransport netty() {
    return (NettyUpstreamTransport) transport();
  }

  @Test
  void callbacksOfARequestSentOnALoopRunOnThatLoop() throws Exception {
    RawServer server = server(c -> {
      while (c.readRequest() != null) {
        c.write(STREAM_HEAD + chunk("data: one\n\n"));
        c.write(chunk("data: two\n\n") + LAST_CHUNK);
      }
    });
    for (EventLoop loop : loops(netty().eventLoopGroup())) {
      AtomicReference<Thread> sender = new AtomicReference<>();
      RecordingHandler handler = handler();
      loop.execute(() -> {
        sender.set(Thread.currentThread());
        transport().send(get(server.uri("/stream"), READ_TIMEOUT), handler);
      });

      assertThat(handler.awaitTerminal()).isTrue();
      assertThat(handler.events()).containsExactly("response", "body", "body", "complete");
      assertThat(handler.threads()).hasSize(4).allSatisfy(thread -> assertThat(thread).isSameAs(sender.get()));
    }
  }

  @Test
  void callbacksOfARequestSentFromAnotherThreadRunOnOneLoop() throws Exception {
    RawServer server = server(c -> {
      c.readRequest();
      c.write(STREAM_HEAD + chunk("data: one\n\n"));
      c.write(chunk("data: two\n\n") + LAST_CHUNK);
      c.awaitClose();
    });
    Set<Thread> loopThreads = ConcurrentHashMap.newKeySet();
    CountDownLatch found = new CountDownLatch(2);
    for (EventLoop loop : loops(netty().eventLoopGroup())) {
      loop.execute(() -> {
        loopThreads.add(Thread.currentThread());
        found.countDown();
      });
    }
    assertThat(found.await(5, TimeUnit.SECONDS)).isTrue();
    RecordingHandler handler = handler();

    transport().send(get(server.uri("/stream"), READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.error()).isNull();
    assertThat(handler.threads()).hasSize(4);
    assertThat(Set.copyOf(handler.threads())).singleElement().isIn(loopThreads);
  }

  @Test
  void aStaleIdleConnectionIsNotUsed() throws Exception {
    RawServer server = server(c -> {
      c.readRequest();
      c.write(ok("first"));
      // keeps the connection alive by the headers, then closes it while it is idle
    });
    RecordingHandler first = handler();
    EventLoop loop = netty().eventLoopGroup().next();
    loop.execute(() -> transport().send(get(server.uri("/a"), READ_TIMEOUT), first));
    assertThat(first.awaitTerminal()).isTrue();
    assertThat(first.body()).isEqualTo("first");
    Thread.sleep(100); // the close reaches the client

    RecordingHandler second = handler();
    loop.execute(() -> transport().send(post(server.uri("/b"), Map.of(), "{}", READ_TIMEOUT), second));

    assertThat(second.awaitTerminal()).isTrue();
    assertThat(second.error()).isNull();
    assertThat(second.body()).isEqualTo("first");
    assertThat(server.accepted()).isEqualTo(2);
  }

  @Test
  void aRequestOnAConnectionTheUpstreamClosesUnansweredIsSentAgainOnANewOne() throws Exception {
    AtomicInteger connections = new AtomicInteger();
    List<String> requests = new CopyOnWriteArrayList<>();
    RawServer server = server(c -> {
      int n = connections.incrementAndGet();
      requests.add(n + " " + c.readRequest().requestLine());
      c.write(ok("one"));
      if (n == 1) {
        // The first connection is kept, but the next request on it meets a close (a keep-alive
        // timeout racing with the request): read it, answer nothing, reset.
        RawServer.Request next = c.readRequest();
        requests.add(n + " " + (next == null ? "-" : next.requestLine()));
        c.reset();
        return;
      }
      while (c.readRequest() != null) {
        c.write(ok("more"));
      }
    });
    EventLoop loop = netty().eventLoopGroup().next();
    RecordingHandler first = handler();
    loop.execute(() -> transport().send(get(server.uri("/a"), READ_TIMEOUT), first));
    assertThat(first.awaitTerminal()).isTrue();

    RecordingHandler second = handler();
    loop.execute(() -> transport().send(post(server.uri("/b"), Map.of(), "{}", READ_TIMEOUT), second));

    assertThat(second.awaitTerminal()).isTrue();
    assertThat(second.error()).isNull();
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.body()).isEqualTo("one");
    assertThat(second.events()).containsExactly("response", "body", "complete");
    assertThat(server.accepted()).isEqualTo(2);
    assertThat(requests).containsExactly("1 GET /a HTTP/1.1", "1 POST /b HTTP/1.1", "2 POST /b HTTP/1.1");
  }

  @Test
  void aConnectionTheUpstreamWillCloseIsNotPooled() throws Exception {
    RawServer server = server(c -> {
      c.readRequest();
      c.write("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
      c.awaitClose();
    });
    EventLoop loop = netty().eventLoopGroup().next();
    for (int i = 0; i < 3; i++) {
      RecordingHandler handler = handler();
      loop.execute(() -> transport().send(get(server.uri("/"), READ_TIMEOUT), handler));
      assertThat(handler.awaitTerminal()).isTrue();
      assertThat(handler.body()).isEqualTo("ok");
    }
    assertThat(server.accepted()).isEqualTo(3);
  }

  @Test
  void idleConnectionsCloseAfterTheIdleTimeout() throws Exception {
    NettyUpstreamTransport quick = closeAfterTest(NettyUpstreamTransport.create(
        NettyUpstreamTransport.Options.DEFAULT.withEventLoopThreads(1).withIdleTimeout(Duration.ofMillis(100))));
    CountDownLatch serverSawClose = new CountDownLatch(1);
    RawServer server = server(c -> {
      c.readRequest();
      c.write(ok("ok"));
      c.awaitClose();
      serverSawClose.countDown();
    });
    RecordingHandler handler = handler();

    quick.send(get(server.uri("/"), READ_TIMEOUT), handler);

    assertThat(handler.awaitTerminal()).isTrue();
    assertThat(handler.body()).isEqualTo("ok");
    assertThat(serverSawClose.await(5, TimeUnit.SECONDS)).as("the idle connection was closed").isTrue();
  }

  @Test
  void closingShutsDownItsOwnEventLoops() {
    transport().close();

    assertThat(netty().eventLoopGroup().isShutdown()).isTrue();
  }

  @Test
  void runsOnAHostsGroupAndLeavesItRunning() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    closeAfterTest(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly());
    RawServer server = server(c -> {
      while (c.readRequest() != null) {
        c.write(ok("ok"));
      }
    });
    RecordingHandler handler = handler();
    try (NettyUpstreamTransport shared = NettyUpstreamTransport.create(
        NettyUpstreamTransport.Options.DEFAULT.withEventLoopGroup(group))) {
      assertThat(shared.eventLoopGroup()).isSameAs(group);
      assertThat(shared.socketTransport()).isEqualTo("nio");
      shared.send(get(server.uri("/"), READ_TIMEOUT), handler);
      assertThat(handler.awaitTerminal()).isTrue();
      assertThat(handler.body()).isEqualTo("ok");
    }
    assertThat(group.isShuttingDown()).isFalse();
    assertThat(handler.threads()).allSatisfy(t -> assertThat(t).isNotSameAs(Thread.currentThread()));
  }

  @Test
  void refusesAHeaderValueWithAnotherControlCharacter() {
    RecordingHandler handler = handler();

    assertThatThrownBy(() -> transport().send(new UpstreamRequest("GET", URI.create("http://127.0.0.1:9/x"),
            Map.of("X-Bad", "a\u0001b"), null, CONNECT_TIMEOUT, READ_TIMEOUT), handler))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(handler.events()).isEmpty();
  }

  @Test
  void usesEpollWhereAvailable() {
    assertThat(transport().name()).isEqualTo("netty");
    assertThat(netty().socketTransport()).isEqualTo(Epoll.isAvailable() ? "epoll" : "nio");
  }

  private static List<EventLoop> loops(EventLoopGroup group) {
    List<EventLoop> loops = new ArrayList<>();
    group.forEach(e -> loops.add((EventLoop) e));
    return loops;
  }
}
