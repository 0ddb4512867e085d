package com.neurasea.store.postgres;

import com.neurasea.model.NeuraSeaException;
import com.neurasea.spi.Storage;
import com.neurasea.store.jdbc.JdbcStorage;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Shared storage for several platform instances: a PostgreSQL database behind a connection pool.
 * Write transactions run serializable and are retried on serialization failures and deadlocks;
 * instances tell each other about changes through {@link Storage#changeNotifier()}, a
 * LISTEN/NOTIFY {@link PostgresChangeNotifier}.
 *
 * <pre>{@code
 * try (Storage storage = PostgresStorage.builder()
 *     .url("jdbc:postgresql://db.internal:5432/neurasea")
 *     .username("neurasea")
 *     .password(System.getenv("NEURASEA_DB_PASSWORD"))
 *     .build()) {
 *   ...
 * }
 * }</pre>
 */
public final class PostgresStorage {
  /** The name the storage and its provider go by. */
  public static final String NAME = "postgres";

  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final AtomicInteger POOLS = new AtomicInteger();

  private PostgresStorage() {}

  /**
   * Starts building a PostgreSQL storage.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds a PostgreSQL storage. Each setting may be made once. A URL or schema that cannot be
   * right fails at the call with {@code INVALID_ARGUMENT} naming the setting; other bad values
   * with {@link IllegalArgumentException}.
   */
  public static final class Builder {
    private PostgresTarget target;
    private String username;
    private String password;
    private String schema;
    private Integer maxPoolSize;
    private Duration connectTimeout;

    Builder() {}

    /**
     * The JDBC URL, {@code jdbc:postgresql://host:port/database}, optionally with driver
     * parameters such as {@code ?sslmode=require}. Required. It is never logged or put in a
     * message, since its parameters may hold credentials.
     *
     * @param url the URL
     * @return this builder
     * @throws NeuraSeaException {@code INVALID_ARGUMENT} (field {@code url}) when it is not a
     *     PostgreSQL JDBC URL
     */
    public Builder url(String url) {
      requireUnset(this.target, "url");
      this.target = PostgresTarget.parse(Objects.requireNonNull(url, "url"));
      return this;
    }

    /**
     * The role to log in as. Defaults to what the URL or the driver's defaults say.
     *
     * @param username the role
     * @return this builder
     */
    public Builder username(String username) {
      requireUnset(this.username, "username");
      this.username = Objects.requireNonNull(username, "username");
      return this;
    }

    /**
     * The role's password. Never logged or put in a message.
     *
     * @param password the password
     * @return this builder
     */
    public Builder password(String password) {
      requireUnset(this.password, "password");
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    /**
     * The schema the tables live in, created when missing. Defaults to the role's search path
     * (usually {@code public}). Several deployments can share one database in separate schemas.
     *
     * @param schema a lower-case unquoted identifier: letters, digits and {@code _}, up to 63
     * @return this builder
     * @throws NeuraSeaException {@code INVALID_ARGUMENT} (field {@code schema}) for another name
     */
    public Builder schema(String schema) {
      requireUnset(this.schema, "schema");
      Objects.requireNonNull(schema, "schema");
      if (!SCHEMA.matcher(schema).matches()) {
        throw NeuraSeaException.invalid("schema",
            "must be a lower-case identifier: letters a-z, digits and _, at most 63, not starting with a digit");
      }
      this.schema = schema;
      return this;
    }

    /**
     * How many connections the pool holds at most. Default 10. The notifier's connection comes on
     * top of these.
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
     * How long opening a connection, and waiting for a free pooled one, may take before the
     * database counts as unavailable. Default 5 seconds; the driver counts whole seconds.
     *
     * @param connectTimeout from 1 second up to 10 minutes
     * @return this builder
     */
    public Builder connectTimeout(Duration connectTimeout) {
      requireUnset(this.connectTimeout, "connectTimeout");
      Objects.requireNonNull(connectTimeout, "connectTimeout");
      if (connectTimeout.compareTo(Duration.ofSeconds(1)) < 0 || connectTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException("connectTimeout must be between 1 second and 10 minutes");
      }
      this.connectTimeout = connectTimeout;
      return this;
    }

    /**
     * Connects, checks the schema version and brings the schema up to date. Fails fast: the first
     * connection is tried once, within the connect timeout.
     *
     * @return the open storage, owned by the caller
     * @throws NeuraSeaException {@code UNAVAILABLE} when the server cannot be reached (the message
     *     names the setting, e.g. {@code cannot connect to PostgreSQL at db:5432 (url): connection
     *     refused}), {@code INVALID_ARGUMENT} when the login or the database name is wrong, {@code
     *     FAILED_PRECONDITION} when a newer release migrated the database
     */
    public Storage build() {
      if (target == null) {
        throw new IllegalStateException("url is required");
      }
      Duration timeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
      HikariDataSource pool = openPool(timeout);
      PGSimpleDataSource listening = driverDataSource(PostgresChangeNotifier.APPLICATION_NAME, timeout);
      listening.setSocketTimeout(PostgresChangeNotifier.SOCKET_TIMEOUT_SECONDS);
      PostgresChangeNotifier notifier = new PostgresChangeNotifier(pool, listening);
      JdbcStorage.Builder storage = JdbcStorage.builder()
          .name(NAME)
          .dataSource(pool)
          .dialect(new PostgresDialect())
          .location(target.describe() + (schema == null ? "" : " (schema " + schema + ")"))
          .changeNotifier(notifier)
          .closeOnClose(pool);
      if (schema != null) {
        storage.schema(schema);
      }
      return storage.build();
    }

    private HikariDataSource openPool(Duration timeout) {
      PGSimpleDataSource driver = driverDataSource("neurasea", timeout);
      // One plain attempt first: the pool would wait a second before reporting what went wrong.
      try {
        driver.getConnection().close();
      } catch (SQLException | RuntimeException e) {
        throw ConnectFailures.explain(e, target, username, timeout);
      }
      HikariConfig config = new HikariConfig();
      config.setPoolName("neurasea-postgres-" + POOLS.incrementAndGet());
      config.setDataSource(driver);
      int size = maxPoolSize == null ? 10 : maxPoolSize;
      config.setMaximumPoolSize(size);
      config.setMinimumIdle(Math.min(2, size));
      config.setConnectionTimeout(timeout.toMillis());
      config.setValidationTimeout(Math.min(timeout.toMillis(), 3_000));
      config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
      // Try the first connection once and fail with what went wrong, rather than retrying.
      config.setInitializationFailTimeout(1);
      try {
        return new HikariDataSource(config);
      } catch (RuntimeException e) {
        throw ConnectFailures.explain(e, target, username, timeout);
      }
    }

    /** A driver data source that opens unpooled connections to the target. */
    private PGSimpleDataSource driverDataSource(String applicationName, Duration timeout) {
      PGSimpleDataSource dataSource = new PGSimpleDataSource();
      try {
        dataSource.setURL(target.url());
      } catch (IllegalArgumentException e) {
        throw NeuraSeaException.invalid("url", "is not a valid PostgreSQL JDBC URL");
      }
      if (username != null) {
        dataSource.setUser(username);
      }
      if (password != null) {
        dataSource.setPassword(password);
      }
      if (schema != null) {
        dataSource.setCurrentSchema(schema);
      }
      int seconds = (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
      dataSource.setConnectTimeout(seconds);
      dataSource.setLoginTimeout(seconds);
      dataSource.setTcpKeepAlive(true);
      dataSource.setApplicationName(applicationName);
      return dataSource;
    }

    private static void requireUnset(Object current, String setting) {
      if (current != null) {
        throw new IllegalStateException(setting + " was already set");
      }
    }
  }
}
