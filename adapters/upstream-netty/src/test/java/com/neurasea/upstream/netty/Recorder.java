package com.neurasea.upstream.netty;

import com.neurasea.spi.UpstreamHandler;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** Records what the transport delivers, on which threads, and whether it broke the handler contract. */
final class Recorder implements UpstreamHandler {
  final List<String> events = new CopyOnWriteArrayList<>();
  final List<Thread> threads = new CopyOnWriteArrayList<>();
  final CountDownLatch firstBody = new CountDownLatch(1);
  final CountDownLatch terminated = new CountDownLatch(1);
  final AtomicInteger terminals = new AtomicInteger();
  final AtomicBoolean broken = new AtomicBoolean();
  private final AtomicBoolean inCall = new AtomicBoolean();
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  volatile int status;
  volatile Map<String, List<String>> headers;
  volatile Throwable error;
  /** Runs inside onBody with the body so far. */
  volatile Consumer<String> onChunk = text -> { };
  /** Runs inside onComplete and onError. */
  volatile Runnable onTerminal = () -> { };

  @Override
  public void onResponse(int status, Map<String, List<String>> headers) {
    enter();
    try {
      if (!events.isEmpty()) {
        broken.set(true);
      }
      this.status = status;
      this.headers = headers;
      events.add("response");
    } finally {
      exit();
    }
  }

  @Override
  public void onBody(ByteBuffer chunk) {
    enter();
    try {
      if (!events.contains("response") || terminals.get() > 0) {
        broken.set(true);
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
    enter();
    try {
      events.add("complete");
      terminal();
    } finally {
      exit();
    }
  }

  @Override
  public void onError(Throwable error) {
    enter();
    try {
      this.error = error;
      events.add("error");
      terminal();
    } finally {
      exit();
    }
  }

  private void terminal() {
    if (terminals.incrementAndGet() > 1) {
      broken.set(true);
    }
    terminated.countDown();
    onTerminal.run();
  }

  String body() {
    synchronized (body) {
      return body.toString(StandardCharsets.UTF_8);
    }
  }

  boolean awaitTerminal() throws InterruptedException {
    return terminated.await(5, TimeUnit.SECONDS);
  }

  /** Calls never overlapped, came in order, and at most one was terminal. */
  boolean contractKept() {
    return !broken.get() && terminals.get() <= 1;
  }

  private void enter() {
    threads.add(Thread.currentThread());
    if (!inCall.compareAndSet(false, true)) {
      broken.set(true);
    }
  }

  private void exit() {
    inCall.set(false);
  }
}
