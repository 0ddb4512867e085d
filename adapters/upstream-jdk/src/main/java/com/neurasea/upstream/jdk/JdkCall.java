package com.neurasea.upstream.jdk;

import com.neurasea.spi.UpstreamCall;
import com.neurasea.spi.UpstreamHandler;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One exchange: the JDK's body handler and body subscriber, the idle timer, and the serial delivery
 * of the {@link UpstreamHandler} calls.
 *
 * <p>Signals come from several threads (the client's selector thread, the {@code CompletableFuture}
 * pool for failures before a response, the timer, the caller of {@link #cancel()} or of
 * {@code close()}). {@link #finished} decides, once, which terminal signal wins; the handler calls
 * themselves go through a lock-free queue drained by one thread at a time, so they never overlap,
 * keep their order, and no thread ever waits for a handler running elsewhere.
 */
final class JdkCall implements UpstreamCall, HttpResponse.BodyHandler<Void>, HttpResponse.BodySubscriber<Void> {
  private final UpstreamHandler handler;
  private final long readTimeoutNanos;
  private final long readTimeoutMillis;
  private final ScheduledExecutorService timer;
  private final Consumer<JdkCall> onFinished;
  /** Completed on any terminal signal; the JDK completes the exchange's future after it. */
  private final CompletableFuture<Void> body = new CompletableFuture<>();

  /** Set once a terminal signal (end, error, timeout, cancel, close) won. */
  private final AtomicBoolean finished = new AtomicBoolean();
  /** Set by {@link #cancel()}: no handler call starts after it. */
  private volatile boolean cancelled;
  private volatile CompletableFuture<HttpResponse<Void>> future;
  private volatile Flow.Subscription subscription;
  private volatile ScheduledFuture<?> idleCheck;
  /** When the last body chunk arrived or more was asked for, by {@link System#nanoTime()}. */
  private volatile long lastActivity;
  /** True while data was asked for and has not arrived: only then does silence count. */
  private volatile boolean awaitingData;
  private boolean applied;

  private final Queue<Runnable> deliveries = new ConcurrentLinkedQueue<>();
  private final AtomicInteger deliveryWork = new AtomicInteger();
  /** Only read and written by the draining thread (ordered by {@link #deliveryWork}). */
  private boolean terminalDelivered;

  JdkCall(UpstreamHandler handler, long readTimeoutMillis, ScheduledExecutorService timer,
      Consumer<JdkCall> onFinished) {
    this.handler = handler;
    this.readTimeoutMillis = readTimeoutMillis;
    this.readTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(readTimeoutMillis);
    this.timer = timer;
    this.onFinished = onFinished;
  }

  void start(HttpClient client, HttpRequest request) {
    CompletableFuture<HttpResponse<Void>> f;
    try {
      f = client.sendAsync(request, this);
    } catch (RuntimeException e) {
      fail(e, false);
      return;
    }
    future = f;
    if (finished.get() && subscription == null) {
      // cancel() or close() ran before the future was known.
      f.cancel(true);
    }
    f.whenComplete((response, error) -> {
      if (error != null) {
        fail(unwrap(error), false);
      }
    });
  }

  @Override
  public void cancel() {
    cancelled = true;
    if (finished.compareAndSet(false, true)) {
      cleanUp();
      abortExchange();
      body.completeExceptionally(new CancellationException("cancelled by the caller"));
    }
  }

  /** Ends the exchange with an error to the handler (the transport closes). */
  void abort(IOException reason) {
    fail(reason, true);
  }

  // ---- BodyHandler: the response head ----

  @Override
  public HttpResponse.BodySubscriber<Void> apply(HttpResponse.ResponseInfo info) {
    if (applied) {
      return HttpResponse.BodySubscribers.replacing(null); // never expected: one final response
    }
    applied = true;
    if (!finished.get()) {
      int status = info.statusCode();
      Map<String, List<String>> headers = lowerCase(info.headers());
      deliver(() -> {
        if (deliverable()) {
          try {
            handler.onResponse(status, headers);
          } catch (Throwable e) {
            fail(e, true);
          }
        }
      });
      lastActivity = System.nanoTime();
      awaitingData = true;
      armIdleCheck(readTimeoutNanos);
    }
    return this;
  }

  // ---- BodySubscriber: the body ----

  @Override
  public CompletionStage<Void> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    // Through the queue, like every other call on the subscription, so they never overlap.
    deliver(() -> {
      if (finished.get()) {
        s.cancel();
      } else {
        s.request(1);
      }
    });
  }

  @Override
  public void onNext(List<ByteBuffer> chunks) {
    awaitingData = false;
    lastActivity = System.nanoTime();
    if (finished.get()) {
      return;
    }
    deliver(() -> {
      if (!deliverable()) {
        return;
      }
      try {
        for (ByteBuffer chunk : chunks) {
          if (chunk.hasRemaining() && !cancelled) {
            handler.onBody(chunk);
          }
        }
      } catch (Throwable e) {
        fail(e, true);
        return;
      }
      if (!finished.get()) {
        lastActivity = System.nanoTime();
        awaitingData = true;
        subscription.request(1);
      }
    });
  }

  @Override
  public void onError(Throwable error) {
    fail(error, false);
  }

  @Override
  public void onComplete() {
    if (finished.compareAndSet(false, true)) {
      cleanUp();
      body.complete(null);
      deliverTerminal(handler::onComplete);
    }
  }

  // ---- terminal signals ----

  /**
   * Ends the exchange with an error, if nothing else ended it first.
   *
   * @param error what the handler is told
   * @param abortExchange whether the JDK's exchange is still running and must be stopped
   */
  private void fail(Throwable error, boolean abortExchange) {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    cleanUp();
    if (abortExchange) {
      abortExchange();
    }
    body.completeExceptionally(error);
    deliverTerminal(() -> handler.onError(error));
  }

  private void cleanUp() {
    ScheduledFuture<?> check = idleCheck;
    if (check != null) {
      check.cancel(false);
    }
    onFinished.accept(this);
  }

  /**
   * Stops the JDK's exchange: once the body flows, cancelling the subscription (over HTTP/1.1 the
   * JDK then closes the connection; over HTTP/2 it resets the stream); before that, cancelling the
   * exchange's future, which aborts connecting, sending or waiting for the head. The subscription is
   * cancelled through the delivery queue, as the Flow rules want calls on it made one at a time: at
   * once when no handler call is running, else right after it.
   */
  private void abortExchange() {
    Flow.Subscription s = subscription;
    if (s != null) {
      deliver(s::cancel);
      return;
    }
    CompletableFuture<HttpResponse<Void>> f = future;
    if (f != null) {
      f.cancel(true);
    }
    // Else start() or onSubscribe() sees the finished flag and stops the exchange itself.
  }

  // ---- idle timeout between body chunks ----

  private void armIdleCheck(long delayNanos) {
    try {
      idleCheck = timer.schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      fail(new IOException("the " + JdkUpstreamTransport.NAME + " upstream transport is closed"), true);
      return;
    }
    if (finished.get()) {
      idleCheck.cancel(false); // cleanUp() may have run before the new check was stored
    }
  }

  private void checkIdle() {
    if (finished.get()) {
      return;
    }
    long silent = System.nanoTime() - lastActivity;
    if (awaitingData && silent >= readTimeoutNanos) {
      fail(new HttpTimeoutException("no data from upstream for " + readTimeoutMillis + " ms"), true);
    } else {
      armIdleCheck(awaitingData ? readTimeoutNanos - silent : readTimeoutNanos);
    }
  }

  // ---- serial delivery to the handler ----

  private boolean deliverable() {
    return !cancelled && !terminalDelivered;
  }

  private void deliverTerminal(Runnable call) {
    deliver(() -> {
      if (terminalDelivered) {
        return;
      }
      terminalDelivered = true;
      if (cancelled) {
        return;
      }
      try {
        call.run();
      } catch (Throwable e) {
        Thread thread = Thread.currentThread();
        thread.getUncaughtExceptionHandler().uncaughtException(thread, e);
      }
    });
  }

  /** Queues a handler call and, unless another thread is draining, drains the queue here. */
  private void deliver(Runnable call) {
    deliveries.offer(call);
    if (deliveryWork.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      Runnable next;
      while ((next = deliveries.poll()) != null) {
        try {
          next.run();
        } catch (RuntimeException | Error e) {
          // Handler calls catch their own; this is the JDK's subscription failing. Keep draining.
          Thread thread = Thread.currentThread();
          thread.getUncaughtExceptionHandler().uncaughtException(thread, e);
        }
      }
      missed = deliveryWork.addAndGet(-missed);
    } while (missed != 0);
  }

  // ---- helpers ----

  static Map<String, List<String>> lowerCase(HttpHeaders headers) {
    Map<String, List<String>> source = headers.map();
    Map<String, List<String>> result = new HashMap<>(Math.max(4, source.size() * 2));
    for (Map.Entry<String, List<String>> e : source.entrySet()) {
      String name = e.getKey();
      if (name.startsWith(":")) {
        continue; // HTTP/2 pseudo-headers
      }
      result.merge(name.toLowerCase(Locale.ROOT), e.getValue(), (a, b) -> {
        List<String> both = new ArrayList<>(a);
        both.addAll(b);
        return Collections.unmodifiableList(both);
      });
    }
    return Collections.unmodifiableMap(result);
  }

  static Throwable unwrap(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
