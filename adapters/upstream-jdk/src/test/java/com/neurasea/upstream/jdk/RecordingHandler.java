package com.neurasea.upstream.jdk;

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

/** Records what a transport delivers, and whether it ever broke the handler contract. */
final class RecordingHandler implements UpstreamHandler {
  final List<String> events = new CopyOnWriteArrayList<>();
  final CountDownLatch responded = new CountDownLatch(1);
  final CountDownLatch firstBody = new CountDownLatch(1);
  final CountDownLatch terminated = new CountDownLatch(1);
  final AtomicInteger terminals = new AtomicInteger();
  final AtomicBoolean overlapped = new AtomicBoolean();
  final AtomicBoolean outOfOrder = new AtomicBoolean();
  private final AtomicBoolean inCall = new AtomicBoolean();
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  volatile int status;
  volatile Map<String, List<String>> headers;
  volatile Throwable error;
  /** Runs inside onBody, after the chunk is recorded. */
  volatile Consumer<String> onChunk = chunk -> { };
  /** Runs inside onComplete and onError, after they are recorded. */
  volatile Runnable onTerminal = () -> { };

  @Override
  public void onResponse(int status, Map<String, List<String>> headers) {
    enter();
    try {
      if (!events.isEmpty()) {
        outOfOrder.set(true);
      }
      this.status = status;
      this.headers = headers;
      events.add("response");
      responded.countDown();
    } finally {
      exit();
    }
  }

  @Override
  public void onBody(ByteBuffer chunk) {
    enter();
    try {
      if (!events.contains("response") || terminals.get() > 0) {
        outOfOrder.set(true);
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
      terminals.incrementAndGet();
      terminated.countDown();
      onTerminal.run();
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
      terminals.incrementAndGet();
      terminated.countDown();
      onTerminal.run();
    } finally {
      exit();
    }
  }

  String body() {
    synchronized (body) {
      return body.toString(StandardCharsets.UTF_8);
    }
  }

  boolean awaitTerminal() throws InterruptedException {
    return terminated.await(10, TimeUnit.SECONDS);
  }

  boolean contractKept() {
    return !overlapped.get() && !outOfOrder.get() && terminals.get() <= 1;
  }

  private void enter() {
    if (!inCall.compareAndSet(false, true)) {
      overlapped.set(true);
    }
  }

  private void exit() {
    inCall.set(false);
  }
}
