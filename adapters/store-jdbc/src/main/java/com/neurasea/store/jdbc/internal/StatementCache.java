package com.neurasea.store.jdbc.internal;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.statement.StatementBuilder;
import org.jdbi.v3.core.statement.StatementBuilderFactory;
import org.jdbi.v3.core.statement.StatementContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps prepared statements open per physical pooled connection and hands them to Jdbi again, for
 * drivers that prepare every statement from scratch (SQLite). Statements are prepared on the
 * unwrapped connection so the pool does not close them when the connection goes back to it; a pool
 * lends a connection to one thread at a time, so each per-connection cache is used by one thread
 * at a time. A statement still in use (a nested query with the same text) gets an uncached twin.
 */
public final class StatementCache implements StatementBuilderFactory {
  private static final Logger LOG = LoggerFactory.getLogger(StatementCache.class);

  private final int maxPerConnection;
  private final Map<Connection, ConnectionCache> caches = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * Creates a cache.
   *
   * @param maxPerConnection how many statements to keep open per connection
   */
  public StatementCache(int maxPerConnection) {
    this.maxPerConnection = maxPerConnection;
  }

  @Override
  public StatementBuilder createStatementBuilder(Connection connection) {
    if (closed) {
      return new Builder(connection, null, null);
    }
    Connection physical;
    try {
      physical = connection.unwrap(Connection.class);
    } catch (SQLException e) {
      return new Builder(connection, null, null);
    }
    ConnectionCache cache = caches.get(physical);
    if (cache == null) {
      caches.values().removeIf(ConnectionCache::isStale);
      cache = caches.computeIfAbsent(physical, ConnectionCache::new);
    }
    return new Builder(connection, physical, cache);
  }

  /** Closes every cached statement; later handles prepare statements without caching. */
  public void close() {
    closed = true;
    caches.values().forEach(ConnectionCache::closeAll);
    caches.clear();
  }

  private final class ConnectionCache {
    private final Connection physical;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    ConnectionCache(Connection physical) {
      this.physical = physical;
    }

    boolean isStale() {
      try {
        return physical.isClosed();
      } catch (SQLException e) {
        return true;
      }
    }

    synchronized PreparedStatement get(String sql) {
      return statements.get(sql);
    }

    /** Keeps a statement unless the cache is full (the stores use a fixed set of statements). */
    synchronized boolean put(String sql, PreparedStatement statement) {
      if (statements.size() >= maxPerConnection) {
        return false;
      }
      statements.put(sql, statement);
      return true;
    }

    synchronized void closeAll() {
      statements.values().forEach(StatementCache::quietlyClose);
      statements.clear();
    }
  }

  private static void quietlyClose(Statement statement) {
    try {
      statement.close();
    } catch (SQLException e) {
      LOG.debug("closing a cached statement failed", e);
    }
  }

  /** One handle's view: lends cached statements and takes them back. */
  private static final class Builder implements StatementBuilder {
    private final Connection connection;
    private final Connection physical;
    private final ConnectionCache cache;
    private final Set<Statement> lent = Collections.newSetFromMap(new IdentityHashMap<>());

    Builder(Connection connection, Connection physical, ConnectionCache cache) {
      this.connection = connection;
      this.physical = physical;
      this.cache = cache;
    }

    @Override
    public Statement create(Connection conn, StatementContext ctx) throws SQLException {
      return conn.createStatement();
    }

    @Override
    public PreparedStatement create(Connection conn, String sql, StatementContext ctx) throws SQLException {
      if (cache == null || conn != connection) {
        return conn.prepareStatement(sql);
      }
      PreparedStatement cached = cache.get(sql);
      if (cached == null) {
        PreparedStatement fresh = physical.prepareStatement(sql);
        if (!cache.put(sql, fresh)) {
          fresh.close();
          return conn.prepareStatement(sql);
        }
        lent.add(fresh);
        return fresh;
      }
      if (lent.contains(cached) || cached.isClosed()) {
        return conn.prepareStatement(sql);
      }
      cached.clearParameters();
      lent.add(cached);
      return cached;
    }

    @Override
    public CallableStatement createCall(Connection conn, String sql, StatementContext ctx) throws SQLException {
      return conn.prepareCall(sql);
    }

    @Override
    public void close(Connection conn, String sql, Statement statement) throws SQLException {
      if (lent.remove(statement)) {
        return;
      }
      statement.close();
    }
  }
}
