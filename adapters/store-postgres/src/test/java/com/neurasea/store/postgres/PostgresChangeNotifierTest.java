package com.neurasea.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.spi.ChangeNotifier;
import com.neurasea.spi.Storage;
import com.neurasea.tck.FreshStorage;
import com.neurasea.tck.TckFixtures;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresChangeNotifierTest {
  private static final Duration WITHIN = Duration.ofSeconds(1);

  @RegisterExtension final FreshStorage fresh = FreshStorage.postgres();

  @Test
  void aKeyPublishedByOneInstanceReachesTheSubscribersOfAnotherWithinASecond() throws Exception {
    Storage publisher = fresh.open();
    Storage subscriber = fresh.open();
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    BlockingQueue<String> own = new LinkedBlockingQueue<>();
    notifier(subscriber).subscribe(received::add);
    notifier(publisher).subscribe(own::add);

    String key = "tenant:" + TckFixtures.randomId("tnt_");
    long start = System.nanoTime();
    notifier(publisher).publish(key);

    assertThat(awaitKey(received, key, WITHIN)).as("received by the other instance").isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(WITHIN);
    assertThat(awaitKey(own, key, WITHIN)).as("received by the publishing instance").isTrue();
  }

  @Test
  void listeningStartsWithTheFirstSubscriptionAndEndsWithTheStorage() throws Exception {
    try (PgAdmin admin = PgAdmin.of(fresh)) {
      Storage storage = fresh.open();
      assertThat(admin.listeners()).isZero();
      Set<Thread> before = notifyThreads();
      AutoCloseable first = notifier(storage).subscribe(key -> { });
      notifier(storage).subscribe(key -> { });
      assertThat(admin.listeners()).isEqualTo(1);
      Set<Thread> started = notifyThreads();
      started.removeAll(before);
      assertThat(started).hasSize(1).allMatch(Thread::isDaemon);
      first.close();

      storage.close();
      Thread thread = started.iterator().next();
      thread.join(2_000);
      assertThat(thread.isAlive()).isFalse();
      assertThat(awaitCount(admin, 0)).isTrue();
      notifier(storage).publish("tenant:after-close");
    }
  }

  @Test
  void aClosedSubscriptionAndAFailingSubscriberStopNothingElse() throws Exception {
    Storage storage = fresh.open();
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    BlockingQueue<String> unsubscribed = new LinkedBlockingQueue<>();
    notifier(storage).subscribe(key -> {
      throw new IllegalStateException("a broken subscriber");
    });
    notifier(storage).subscribe(unsubscribed::add).close();
    notifier(storage).subscribe(received::add);
    notifier(storage).publish("tenant:one");
    notifier(storage).publish("tenant:two");
    assertThat(awaitKey(received, "tenant:one", WITHIN)).isTrue();
    assertThat(awaitKey(received, "tenant:two", WITHIN)).isTrue();
    assertThat(unsubscribed).isEmpty();
  }

  @Test
  void aKilledListenerInvalidatesEverythingThenListensAgain() throws Exception {
    Storage publisher = fresh.open();
    Storage subscriber = fresh.open();
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    notifier(subscriber).subscribe(received::add);

    try (PgAdmin admin = PgAdmin.of(fresh)) {
      assertThat(admin.terminateListeners()).isEqualTo(1);
      // Once at once, for the signals that may be lost while disconnected...
      assertThat(awaitKey(received, ChangeNotifier.ALL, WITHIN)).as("ALL on disconnect").isTrue();
      // ...and once more after listening again, for those lost before it.
      assertThat(awaitKey(received, ChangeNotifier.ALL, Duration.ofSeconds(3))).as("ALL on reconnect").isTrue();
      assertThat(admin.listeners()).isEqualTo(1);
    }
    String key = "tenant:" + TckFixtures.randomId("tnt_");
    notifier(publisher).publish(key);
    assertThat(awaitKey(received, key, WITHIN)).as("signals flow again").isTrue();
  }

  private static ChangeNotifier notifier(Storage storage) {
    return storage.changeNotifier().orElseThrow();
  }

  /** Waits for the key, skipping others (instances in other schemas share the channel). */
  private static boolean awaitKey(BlockingQueue<String> queue, String key, Duration within)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    for (long left = within.toNanos(); left > 0; left = deadline - System.nanoTime()) {
      String next = queue.poll(left, TimeUnit.NANOSECONDS);
      if (key.equals(next)) {
        return true;
      }
    }
    return false;
  }

  private static boolean awaitCount(PgAdmin admin, long listeners) throws Exception {
    for (int i = 0; i < 40; i++) {
      if (admin.listeners() == listeners) {
        return true;
      }
      Thread.sleep(50);
    }
    return false;
  }

  private static Set<Thread> notifyThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(PostgresChangeNotifier.THREAD_NAME))
        .collect(Collectors.toSet());
  }
}
