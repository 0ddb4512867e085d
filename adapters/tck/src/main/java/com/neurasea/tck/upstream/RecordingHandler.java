package com.neurasea.tck.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.spi.UpstreamHandler;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An {@link UpstreamHandler} for transport tests: records what a transport delivers ({@code
 * "response"}, {@code "body"}, {@code "complete"}, {@code "error"}), on which threads, and every break of
 * the handler contract — overlapping calls, calls out of order, a second terminal call or any call
 * after one — which {@link #assertContractKept()} turns into a failure.
 *
 * <pre>{@code
 * RecordingHandler handler = new RecordingHandler();
 * transport.send(request, handler);
 * assertThat(handler.awaitTerminal()).isTrue();
 * assertThat(handler.events()).containsExactly("response", "body", "complete");
 * handler.assertContractKept();
 * }</pre>
 */
public final class RecordingHandler implements UpstreamHandler {
  /** How long {@link #awaitTerminal()} and {@link #awaitFirstBody()} wait. */
  public static final Duration WAIT = Duration.ofSeconds(5);

  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final CountDownLatch firstBody = new CountDownLatch(1);
  private final CountDownLatch terminated = new CountDownLatch(1);
  private final AtomicInteger terminals = new AtomicInteger();
  private final AtomicBoolean inCall = new AtomicBoolean();
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private volatile int status;
  private volatile Map<String, List<String>> headers;
  private volatile Throwable error;
  private volatile Runnable onHead = () -> { };
  private volatile Consumer<String> onChunk = text -> { };
  private volatile Runnable onTerminal = () -> { };

  /**
   * Runs an action inside {@link #onResponse}, after the head is recorded (it may throw, to test how a
   * transport treats a failing handler).
   *
   * @param action the action
   * @return this handler
   */
  public RecordingHandler onHead(Runnable action) {
    this.onHead = action;
    return this;
  }

  /**
   * Runs an action inside {@link #onBody}, after the chunk is recorded, with the body so far as UTF-8.
   *
   * @param action the action; it may throw, cancel the call or send another request
   * @return this handler
   */
  public RecordingHandler onChunk(Consumer<String> action) {
    this.onChunk = action;
    return this;
  }

  /**
   * Runs an action inside {@link #onComplete} and {@link #onError}, after they are recorded.
   *
   * @param action the action; it may send the next request
   * @return this handler
   */
  public RecordingHandler onTerminal(Runnable action) {
    this.onTerminal = action;
    return this;
  }

  @Override
  public void onResponse(int status, Map<String, List<String>> headers) {
    enter("onResponse");
    try {
      if (!events.isEmpty()) {
        violations.add("onResponse after " + events);
      }
      this.status = status;
      this.headers = headers;
      events.add("response");
      onHead.run();
    } finally {
      exit();
    }
  }

  @Override
  public void onBody(ByteBuffer chunk) {
    enter("onBody");
    try {
      if (!events.contains("response") || terminals.get() > 0) {
        violations.add("onBody after " + events);
      }
      byte[] bytes = new byte[chunk.remaining()];
      chunk.get(bytes);
      synchronized (body) {
        body.write(bytes, 0, bytes.length);
      }
      events.add("body");
      firstBody.countDown();
      onChunk.accept(body());
    } finally {
      exit();
    }
  }

  @Override
  public void onComplete() {
    enter("onComplete");
    try {
      if (!events.contains("response")) {
        violations.add("onComplete without a response, after " + events);
      }
      events.add("complete");
      terminal();
    } finally {
      exit();
    }
  }

  @Override
  public void onError(Throwable error) {
    enter("onError");
    try {
      if (error == null) {
        violations.add("onError(null)");
      }
      this.error = error;
      events.add("error");
      terminal();
    } finally {
      exit();
    }
  }

  /** The calls so far, in order: {@code response}, {@code body}, {@code complete}, {@code error}. */
  public List<String> events() {
    return List.copyOf(events);
  }

  /** The thread of every call so far, in order. */
  public List<Thread> threads() {
    return List.copyOf(threads);
  }

  /** The status of the response, 0 before one. */
  public int status() {
    return status;
  }

  /** The response headers as the transport gave them, or null before a response. */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** The error {@link #onError} got, or null. */
  public Throwable error() {
    return error;
  }

  /** The body so far, as UTF-8. */
  public String body() {
    synchronized (body) {
      return body.toString(StandardCharsets.UTF_8);
    }
  }

  /**
   * Waits for {@link #onComplete} or {@link #onError}.
   *
   * @return true if one came within {@link #WAIT}
   * @throws InterruptedException if interrupted
   */
  public boolean awaitTerminal() throws InterruptedException {
    return terminated.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Waits for the first {@link #onBody}.
   *
   * @return true if it came within {@link #WAIT}
   * @throws InterruptedException if interrupted
   */
  public boolean awaitFirstBody() throws InterruptedException {
    return firstBody.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Waits a while to see that no terminal call comes (after a cancel, say).
   *
   * @param wait how long to watch
   * @return true if neither {@link #onComplete} nor {@link #onError} came, before or during the wait
   * @throws InterruptedException if interrupted
   */
  public boolean noTerminalWithin(Duration wait) throws InterruptedException {
    return !terminated.await(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The breaks of the handler contract seen so far; empty when it was kept. */
  public List<String> violations() {
    return List.copyOf(violations);
  }

  /** Fails unless calls never overlapped, came in order, and at most one was terminal. */
  public void assertContractKept() {
    assertThat(violations).as("breaks of the UpstreamHandler contract").isEmpty();
  }

  private void terminal() {
    if (terminals.incrementAndGet() > 1) {
      violations.add("a second terminal call: " + events);
    }
    terminated.countDown();
    onTerminal.run();
  }

  private void enter(String method) {
    threads.add(Thread.currentThread());
    if (!inCall.compareAndSet(false, true)) {
      violations.add(method + " while another call was running, after " + events);
    }
    if (terminals.get() > 0) {
      violations.add(method + " after the terminal call: " + events);
    }
  }

  private void exit() {
    inCall.set(false);
  }
}
