package com.neurasea.store.postgres;

import com.neurasea.spi.ChangeNotifier;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries change signals between the instances that share one PostgreSQL database with LISTEN/NOTIFY
 * on the channel {@value #CHANNEL}.
 *
 * <p>{@link #publish} runs {@code SELECT pg_notify(...)} on a pooled connection; PostgreSQL
 * delivers the key to every listening session of the database once that statement commits. The
 * first {@link #subscribe} opens a dedicated connection (never one of the pool's) and LISTENs on it
 * before it returns; a daemon thread named {@value #THREAD_NAME} then waits on that connection and
 * hands each key to the subscribers.
 *
 * <p>Delay bound:
 * <ul>
 *   <li>While connected, a key reaches the subscribers as soon as the server delivers it: the
 *       thread blocks on the socket, so the delay is the network round trip after the publisher's
 *       commit.
 *   <li>When the connection breaks, signals may be lost, so the subscribers receive {@link #ALL}
 *       as soon as the break is noticed, and again once the thread has reconnected (retrying with a
 *       backoff from {@value #MIN_BACKOFF_MILLIS} ms up to {@value #MAX_BACKOFF_MILLIS} ms). A
 *       connection the server closes (restart, {@code pg_terminate_backend}) is noticed at once; a
 *       silently dead network within {@value #KEEPALIVE_MILLIS} ms of quiet plus the socket timeout
 *       of the keep-alive query ({@value #SOCKET_TIMEOUT_SECONDS} s). Between the break and the
 *       second {@code ALL}, a cache may serve entries loaded during the outage for at most that
 *       long.
 * </ul>
 *
 * <p>The notifier belongs to its storage and is closed with it. Every database shares the channel,
 * so instances in other schemas of the same database receive these signals too; the only cost is
 * an extra cache invalidation.
 */
public final class PostgresChangeNotifier implements ChangeNotifier {
  /** The channel every instance listens and publishes on. */
  public static final String CHANNEL = "neurasea_changes";
  /** The name of the listening thread. */
  public static final String THREAD_NAME = "neurasea-pg-notify";
  /** The {@code application_name} of the listening connection, as {@code pg_stat_activity} shows it. */
  public static final String APPLICATION_NAME = "neurasea-notify";

  static final long MIN_BACKOFF_MILLIS = 250;
  static final long MAX_BACKOFF_MILLIS = 2_000;
  static final int KEEPALIVE_MILLIS = 5_000;
  static final int SOCKET_TIMEOUT_SECONDS = 10;

  private static final Logger LOG = LoggerFactory.getLogger(PostgresChangeNotifier.class);

  private final DataSource pool;
  private final DataSource listening;
  private final List<Consumer<String>> subscribers = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  private Thread thread;
  private volatile Connection connection;
  private volatile boolean closed;

  /**
   * Creates a notifier; it connects on the first subscription.
   *
   * @param pool the storage's pool, for publishing
   * @param listening opens the dedicated, unpooled listening connection
   */
  PostgresChangeNotifier(DataSource pool, DataSource listening) {
    this.pool = Objects.requireNonNull(pool, "pool");
    this.listening = Objects.requireNonNull(listening, "listening");
  }

  /** Sends the key to every listening instance; failures are logged, never thrown. */
  @Override
  public void publish(String key) {
    Objects.requireNonNull(key, "key");
    if (closed) {
      LOG.debug("not publishing a change signal: the notifier is closed");
      return;
    }
    try (Connection c = pool.getConnection();
        PreparedStatement notify = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      notify.setString(1, CHANNEL);
      notify.setString(2, key);
      notify.execute();
    } catch (SQLException | RuntimeException e) {
      LOG.warn("publishing a change signal failed; other instances pick the change up when their caches expire: {}",
          e.getMessage());
    }
  }

  /**
   * Subscribes; the first subscription starts listening before it returns, so every key published
   * after this call reaches the listener.
   */
  @Override
  public AutoCloseable subscribe(Consumer<String> listener) {
    Objects.requireNonNull(listener, "listener");
    Consumer<String> subscription = listener::accept;
    subscribers.add(subscription);
    startListening();
    return () -> subscribers.remove(subscription);
  }

  /** Stops the listening thread and closes its connection; later publishes do nothing. */
  @Override
  public void close() {
    Thread running;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      running = thread;
    }
    abort(connection);
    subscribers.clear();
    if (running != null && running != Thread.currentThread()) {
      running.interrupt();
      try {
        running.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void startListening() {
    synchronized (lock) {
      if (thread != null || closed) {
        return;
      }
      Connection first = firstConnection();
      connection = first;
      thread = new Thread(() -> listen(first), THREAD_NAME);
      thread.setDaemon(true);
      thread.start();
    }
  }

  private Connection firstConnection() {
    try {
      return connect();
    } catch (SQLException e) {
      LOG.warn("cannot listen for change signals yet; retrying in the background: {}", e.getMessage());
      return null;
    }
  }

  private Connection connect() throws SQLException {
    Connection c = listening.getConnection();
    try (Statement listen = c.createStatement()) {
      listen.execute("LISTEN " + CHANNEL);
      return c;
    } catch (SQLException | RuntimeException e) {
      quietlyClose(c);
      throw e;
    }
  }

  /** The listening thread: waits for keys, and on a broken connection invalidates all and reconnects. */
  private void listen(Connection first) {
    Connection current = first;
    boolean missedSignals = first == null;
    long backoff = MIN_BACKOFF_MILLIS;
    while (!closed) {
      if (current == null) {
        current = reconnect(backoff);
        if (current == null) {
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
          continue;
        }
        backoff = MIN_BACKOFF_MILLIS;
        if (missedSignals) {
          LOG.info("listening for change signals again");
          deliver(ALL);
        }
      }
      try {
        receive(current);
      } catch (SQLException | RuntimeException e) {
        if (!closed) {
          LOG.warn("lost the change-signal connection to PostgreSQL; invalidating all cached access data "
              + "and reconnecting: {}", e.getMessage());
          deliver(ALL);
          missedSignals = true;
        }
      } finally {
        quietlyClose(current);
        current = null;
        connection = null;
      }
    }
  }

  private Connection reconnect(long backoff) {
    try {
      Thread.sleep(backoff);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
    synchronized (lock) {
      if (closed) {
        return null;
      }
      try {
        connection = connect();
        return connection;
      } catch (SQLException e) {
        LOG.debug("reconnecting for change signals failed: {}", e.getMessage());
        return null;
      }
    }
  }

  private void receive(Connection c) throws SQLException {
    PGConnection pg = c.unwrap(PGConnection.class);
    while (!closed) {
      PGNotification[] notifications = pg.getNotifications(KEEPALIVE_MILLIS);
      if (notifications == null || notifications.length == 0) {
        // Quiet for a while: make sure the connection is still there.
        try (Statement ping = c.createStatement()) {
          ping.execute("SELECT 1");
        }
        continue;
      }
      for (PGNotification notification : notifications) {
        if (CHANNEL.equals(notification.getName())) {
          deliver(notification.getParameter());
        }
      }
    }
  }

  private void deliver(String key) {
    for (Consumer<String> subscriber : subscribers) {
      try {
        subscriber.accept(key);
      } catch (RuntimeException e) {
        LOG.warn("a change-signal subscriber failed", e);
      }
    }
  }

  private static void abort(Connection c) {
    if (c == null) {
      return;
    }
    try {
      c.abort(Runnable::run);
    } catch (SQLException | RuntimeException e) {
      LOG.debug("aborting the change-signal connection failed", e);
    }
  }

  private static void quietlyClose(Connection c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (SQLException e) {
      LOG.debug("closing the change-signal connection failed", e);
    }
  }
}
