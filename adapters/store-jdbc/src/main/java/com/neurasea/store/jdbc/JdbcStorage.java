package com.neurasea.store.jdbc;

import com.neurasea.model.TenantId;
import com.neurasea.model.UserId;
import com.neurasea.spi.AccessFacts;
import com.neurasea.spi.ChangeNotifier;
import com.neurasea.spi.ChannelStore;
import com.neurasea.spi.CredentialStore;
import com.neurasea.spi.LedgerStore;
import com.neurasea.spi.PermissionStore;
import com.neurasea.spi.PrivacyStore;
import com.neurasea.spi.QuotaStore;
import com.neurasea.spi.Storage;
import com.neurasea.spi.TenancyStore;
import com.neurasea.spi.TransactionWork;
import com.neurasea.store.jdbc.internal.JdbcStores;
import com.neurasea.store.jdbc.internal.PooledSession;
import com.neurasea.store.jdbc.internal.RetryPolicy;
import com.neurasea.store.jdbc.internal.SchemaMigrator;
import com.neurasea.store.jdbc.internal.SqlErrors;
import com.neurasea.store.jdbc.internal.StatementCache;
import java.sql.Connection;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Storage} over any SQL database the portable schema runs on (SQLite, PostgreSQL). The
 * plain store accessors run each call on a pooled connection of its own (auto-commit; a
 * multi-statement call such as {@code deleteMembership} runs as one transaction);
 * {@link #inTransaction} binds the stores to one connection and one write transaction, retried as a
 * whole while the database is busy. A plain store called on a thread that is inside {@code
 * inTransaction} of the same storage joins that transaction rather than waiting for its lock.
 *
 * <p>Adapters create one with {@link #builder()}: the builder migrates the schema before it hands
 * the storage out.
 */
public final class JdbcStorage implements Storage {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcStorage.class);

  private final String name;
  private final PooledSession session;
  private final JdbcStores stores;
  private final StatementCache statementCache;
  private final SqlDialect dialect;
  private final AutoCloseable resource;
  private final ChangeNotifier notifier;
  private final AtomicBoolean closed = new AtomicBoolean();

  private JdbcStorage(Builder builder, SqlErrors errors) {
    this.name = builder.name;
    this.resource = builder.resource;
    this.notifier = builder.notifier;
    Jdbi jdbi = Jdbi.create(builder.dataSource);
    this.statementCache = builder.dialect.cachePreparedStatements() ? new StatementCache(256) : null;
    if (statementCache != null) {
      jdbi.setStatementBuilderFactory(statementCache);
    }
    int level = builder.dialect.writeTransactionIsolation();
    TransactionIsolationLevel isolation = level == Connection.TRANSACTION_NONE
        ? TransactionIsolationLevel.NONE
        : TransactionIsolationLevel.valueOf(level);
    this.session = new PooledSession(jdbi, errors,
        new RetryPolicy(builder.maxTransactionAttempts == null ? 8 : builder.maxTransactionAttempts, 5, 250),
        isolation, builder.dialect.statementFailureAbortsTransaction());
    this.dialect = builder.dialect;
    this.stores = JdbcStores.over(session, dialect);
  }

  /**
   * Starts building a storage.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public TenancyStore tenancy() {
    return stores.tenancy();
  }

  @Override
  public CredentialStore credentials() {
    return stores.credentials();
  }

  @Override
  public PermissionStore permissions() {
    return stores.permissions();
  }

  @Override
  public LedgerStore ledger() {
    return stores.ledger();
  }

  @Override
  public PrivacyStore privacy() {
    return stores.privacy();
  }

  @Override
  public QuotaStore quota() {
    return stores.quota();
  }

  @Override
  public ChannelStore channels() {
    return stores.channels();
  }

  @Override
  public AccessFacts accessOf(TenantId tenantId, UserId userId) {
    return stores.accessOf(tenantId, userId);
  }

  @Override
  public <T> T inTransaction(TransactionWork<T> work) {
    Objects.requireNonNull(work, "work");
    return session.transaction(bound -> work.apply(JdbcStores.over(bound, dialect)));
  }

  @Override
  public <T> T inLockingTransaction(TransactionWork<T> work) {
    Objects.requireNonNull(work, "work");
    return session.lockingTransaction(bound -> work.apply(JdbcStores.over(bound, dialect)));
  }

  @Override
  public Optional<ChangeNotifier> changeNotifier() {
    return Optional.ofNullable(notifier);
  }

  /**
   * Closes the change notifier and the connection pool (when this storage owns them); later calls
   * fail with {@code UNAVAILABLE}.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (notifier != null) {
      try {
        notifier.close();
      } catch (RuntimeException e) {
        LOG.warn("closing the {} change notifier failed", name, e);
      }
    }
    session.close();
    if (statementCache != null) {
      statementCache.close();
    }
    if (resource != null) {
      try {
        resource.close();
      } catch (Exception e) {
        LOG.warn("closing the {} storage failed", name, e);
      }
    }
  }

  /** Builds a {@link JdbcStorage}; every setting may be made once. */
  public static final class Builder {
    private String name;
    private DataSource dataSource;
    private SqlDialect dialect;
    private String location;
    private AutoCloseable resource;
    private Integer maxTransactionAttempts;
    private Boolean migrate;
    private String schema;
    private ChangeNotifier notifier;

    Builder() {}

    /**
     * The backend's name, e.g. {@code sqlite}. Required.
     *
     * @param name the name {@link Storage#name()} returns
     * @return this builder
     */
    public Builder name(String name) {
      requireUnset(this.name, "name");
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * The pooled data source the stores run on. Required.
     *
     * @param dataSource a connection pool
     * @return this builder
     */
    public Builder dataSource(DataSource dataSource) {
      requireUnset(this.dataSource, "dataSource");
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      return this;
    }

    /**
     * The database's dialect. Required.
     *
     * @param dialect the dialect
     * @return this builder
     */
    public Builder dialect(SqlDialect dialect) {
      requireUnset(this.dialect, "dialect");
      this.dialect = Objects.requireNonNull(dialect, "dialect");
      return this;
    }

    /**
     * Names the database in error messages, e.g. {@code the SQLite database /data/neurasea.db}.
     * Never put credentials here. Defaults to {@code the <name> database}.
     *
     * @param location a description of the database
     * @return this builder
     */
    public Builder location(String location) {
      requireUnset(this.location, "location");
      this.location = Objects.requireNonNull(location, "location");
      return this;
    }

    /**
     * Something the storage closes when it is closed, typically the connection pool it owns; also
     * closed when {@link #build()} fails.
     *
     * @param resource what to close
     * @return this builder
     */
    public Builder closeOnClose(AutoCloseable resource) {
      requireUnset(this.resource, "closeOnClose");
      this.resource = Objects.requireNonNull(resource, "resource");
      return this;
    }

    /**
     * How many times in all a unit of work is attempted while the database is busy. Default 8.
     *
     * @param attempts at least 1
     * @return this builder
     */
    public Builder maxTransactionAttempts(int attempts) {
      requireUnset(this.maxTransactionAttempts, "maxTransactionAttempts");
      if (attempts < 1) {
        throw new IllegalArgumentException("maxTransactionAttempts must be at least 1, was " + attempts);
      }
      this.maxTransactionAttempts = attempts;
      return this;
    }

    /**
     * Whether {@link #build()} migrates the schema. Default true; turn it off only when the schema
     * is managed elsewhere (the newer-schema guard is skipped too).
     *
     * @param migrate whether to migrate
     * @return this builder
     */
    public Builder migrate(boolean migrate) {
      requireUnset(this.migrate, "migrate");
      this.migrate = migrate;
      return this;
    }

    /**
     * The database schema (namespace) the tables live in, for databases that have schemas; it is
     * created when missing. The pool's connections must resolve unqualified names to it (for
     * PostgreSQL: {@code currentSchema}). Defaults to the connections' current schema.
     *
     * @param schema the schema's name
     * @return this builder
     */
    public Builder schema(String schema) {
      requireUnset(this.schema, "schema");
      this.schema = Objects.requireNonNull(schema, "schema");
      return this;
    }

    /**
     * The notifier {@link Storage#changeNotifier()} returns, for a backend that several instances
     * share. The storage owns it: it is closed with the storage, and when {@link #build()} fails.
     *
     * @param notifier the notifier
     * @return this builder
     */
    public Builder changeNotifier(ChangeNotifier notifier) {
      requireUnset(this.notifier, "changeNotifier");
      this.notifier = Objects.requireNonNull(notifier, "notifier");
      return this;
    }

    /**
     * Migrates the schema and returns the open storage.
     *
     * @return the storage, owned by the caller
     * @throws com.neurasea.model.NeuraSeaException {@code FAILED_PRECONDITION} when the database
     *     was written by a newer release, {@code UNAVAILABLE} when it cannot be reached
     */
    public JdbcStorage build() {
      if (name == null || dataSource == null || dialect == null) {
        throw new IllegalStateException("name, dataSource and dialect are required");
      }
      SqlErrors errors = new SqlErrors(dialect, location != null ? location : "the " + name + " database");
      try {
        if (migrate == null || migrate) {
          new SchemaMigrator(dataSource, errors, schema).migrate();
        }
        return new JdbcStorage(this, errors);
      } catch (RuntimeException e) {
        closeQuietly(e);
        throw e;
      }
    }

    private void closeQuietly(RuntimeException failure) {
      for (AutoCloseable owned : new AutoCloseable[] {notifier, resource}) {
        if (owned == null) {
          continue;
        }
        try {
          owned.close();
        } catch (Exception e) {
          failure.addSuppressed(e);
        }
      }
    }

    private static void requireUnset(Object current, String setting) {
      if (current != null) {
        throw new IllegalStateException(setting + " was already set");
      }
    }
  }
}
