package com.neurasea.store.sqlite;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.spi.Storage;
import com.neurasea.store.jdbc.JdbcStorage;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteException;

/**
 * The embedded default storage: one SQLite database file in WAL mode behind a small connection
 * pool. Write transactions start with {@code BEGIN IMMEDIATE}, so concurrent writers queue on the
 * busy timeout instead of failing on a lock upgrade.
 *
 * <pre>{@code
 * try (Storage storage = SqliteStorage.builder().path(Path.of("data/neurasea.db")).build()) {
 *   ...
 * }
 * }</pre>
 */
public final class SqliteStorage {
  /** The name the storage and its provider go by. */
  public static final String NAME = "sqlite";

  private static final AtomicInteger POOLS = new AtomicInteger();

  private SqliteStorage() {}

  /**
   * Starts building a SQLite storage.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds a SQLite storage. Each setting may be made once; bad values are rejected at the call.
   */
  public static final class Builder {
    private Path path;
    private Integer maxPoolSize;
    private Duration busyTimeout;

    Builder() {}

    /**
     * The database file; its directory is created when missing. Required.
     *
     * @param path the file
     * @return this builder
     */
    public Builder path(Path path) {
      requireUnset(this.path, "path");
      this.path = Objects.requireNonNull(path, "path");
      return this;
    }

    /**
     * How many connections the pool holds at most. Default 8. SQLite runs one writer at a time
     * whatever the size; more connections serve more concurrent readers.
     *
     * @param maxPoolSize 1 or more
     * @return this builder
     */
    public Builder maxPoolSize(int maxPoolSize) {
      requireUnset(this.maxPoolSize, "maxPoolSize");
      if (maxPoolSize < 1) {
        throw new IllegalArgumentException("maxPoolSize must be 1 or more, was " + maxPoolSize);
      }
      this.maxPoolSize = maxPoolSize;
      return this;
    }

    /**
     * How long a statement waits for another connection's lock before the database counts as busy.
     * Default 5 seconds.
     *
     * @param busyTimeout from 0 up to {@link Integer#MAX_VALUE} milliseconds
     * @return this builder
     */
    public Builder busyTimeout(Duration busyTimeout) {
      requireUnset(this.busyTimeout, "busyTimeout");
      Objects.requireNonNull(busyTimeout, "busyTimeout");
      if (busyTimeout.isNegative() || busyTimeout.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("busyTimeout must be between 0 and " + Integer.MAX_VALUE + " ms");
      }
      this.busyTimeout = busyTimeout;
      return this;
    }

    /**
     * Opens the database, creating it when missing, and brings its schema up to date.
     *
     * @return the open storage, owned by the caller
     * @throws NeuraSeaException {@code INVALID_ARGUMENT} (field {@code path}) when the path cannot
     *     hold a database, {@code UNAVAILABLE} when the file cannot be opened, {@code
     *     FAILED_PRECONDITION} when a newer release wrote the database
     */
    public Storage build() {
      if (path == null) {
        throw new IllegalStateException("path is required");
      }
      Path file = path.toAbsolutePath().normalize();
      checkUsable(file);
      int poolSize = maxPoolSize == null ? 8 : maxPoolSize;
      Duration timeout = busyTimeout == null ? Duration.ofSeconds(5) : busyTimeout;
      HikariDataSource pool = openPool(file, poolSize, timeout);
      return JdbcStorage.builder()
          .name(NAME)
          .dataSource(pool)
          .dialect(new SqliteDialect())
          .location("the SQLite database " + file)
          .closeOnClose(pool)
          .maxTransactionAttempts(5)
          .build();
    }

    private static void checkUsable(Path file) {
      if (Files.isDirectory(file)) {
        throw NeuraSeaException.invalid("path", file + " is a directory, not a database file");
      }
      Path directory = file.getParent();
      try {
        Files.createDirectories(directory);
      } catch (FileAlreadyExistsException e) {
        throw NeuraSeaException.invalid("path", "cannot create the directory " + directory
            + " for " + file + ": a file is in the way");
      } catch (FileSystemException e) {
        throw NeuraSeaException.invalid("path", "cannot create the directory " + directory + " for " + file
            + ": " + (e.getReason() != null ? e.getReason() : e.getClass().getSimpleName()));
      } catch (IOException | SecurityException e) {
        throw NeuraSeaException.invalid("path", "cannot create the directory " + directory + " for " + file);
      }
      if (!Files.isWritable(directory)) {
        throw NeuraSeaException.invalid("path", "the directory " + directory + " is not writable");
      }
      if (Files.exists(file) && !Files.isWritable(file)) {
        throw NeuraSeaException.invalid("path", "the database file " + file + " is not writable");
      }
    }

    private static HikariDataSource openPool(Path file, int poolSize, Duration busyTimeout) {
      SQLiteConfig sqlite = new SQLiteConfig();
      sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
      sqlite.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
      sqlite.setBusyTimeout((int) busyTimeout.toMillis());
      sqlite.enforceForeignKeys(true);
      sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
      // Identifiers are strings chosen by the core; without this the driver runs a regular
      // expression over the SQL of every statement it executes, looking for inserts.
      sqlite.setGetGeneratedKeys(false);
      SQLiteDataSource dataSource = new SQLiteDataSource(sqlite);
      dataSource.setUrl("jdbc:sqlite:" + file);

      HikariConfig config = new HikariConfig();
      config.setPoolName("neurasea-sqlite-" + POOLS.incrementAndGet());
      config.setDataSource(dataSource);
      config.setMaximumPoolSize(poolSize);
      config.setMinimumIdle(1);
      // A local file: connections never go stale, so they live as long as the pool.
      config.setMaxLifetime(0);
      config.setIdleTimeout(0);
      config.setKeepaliveTime(0);
      config.setConnectionTimeout(Math.max(10_000, busyTimeout.toMillis() * 2));
      config.setInitializationFailTimeout(1);
      try {
        return new HikariDataSource(config);
      } catch (RuntimeException e) {
        throw new NeuraSeaException(ErrorCode.UNAVAILABLE,
            "cannot open the SQLite database " + file + reason(e), List.of(), e);
      }
    }

    private static String reason(Throwable failure) {
      for (Throwable t = failure; t != null; t = t.getCause()) {
        if (t instanceof SQLiteException sqlite) {
          return " (" + sqlite.getResultCode().name() + ")";
        }
        if (t instanceof SQLException) {
          return "";
        }
      }
      return "";
    }

    private static void requireUnset(Object current, String setting) {
      if (current != null) {
        throw new IllegalStateException(setting + " was already set");
      }
    }
  }
}
