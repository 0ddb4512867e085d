package com.neurasea.store.jdbc.internal;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.store.jdbc.SqlFailure;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the schema up to date with the migrations this library ships, after refusing a database
 * that a newer release has already migrated further (Flyway alone would silently ignore those
 * "future" migrations and run old code against a newer schema).
 */
public final class SchemaMigrator {
  /** Where the portable migrations live on the class path. */
  public static final String LOCATION = "classpath:db/neurasea";
  /** The schema history table; its own name so that it never collides with a host's Flyway. */
  public static final String HISTORY_TABLE = "neurasea_schema_history";

  private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrator.class);

  private final DataSource dataSource;
  private final SqlErrors errors;
  private final String schema;

  /**
   * Creates a migrator for the connections' current schema.
   *
   * @param dataSource the database
   * @param errors translates database errors
   */
  public SchemaMigrator(DataSource dataSource, SqlErrors errors) {
    this(dataSource, errors, null);
  }

  /**
   * Creates a migrator.
   *
   * @param dataSource the database
   * @param errors translates database errors
   * @param schema the schema the tables and the history table live in, created when missing; null
   *     for the connections' current schema
   */
  public SchemaMigrator(DataSource dataSource, SqlErrors errors, String schema) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.errors = Objects.requireNonNull(errors, "errors");
    this.schema = schema;
  }

  /**
   * Checks the schema version and applies pending migrations.
   *
   * @throws NeuraSeaException {@code FAILED_PRECONDITION} when the database is newer than this
   *     library, {@code UNAVAILABLE} when it cannot be reached, {@code INTERNAL} when a migration fails
   */
  public void migrate() {
    FluentConfiguration configuration = Flyway.configure(SchemaMigrator.class.getClassLoader())
        .dataSource(dataSource)
        .locations(LOCATION)
        .table(HISTORY_TABLE)
        .loggers("slf4j");
    if (schema != null) {
      configuration.schemas(schema);
    }
    Flyway flyway = configuration.load();
    try {
      refuseNewerSchema(flyway.info());
      int applied = flyway.migrate().migrationsExecuted;
      if (applied > 0) {
        LOG.info("applied {} NeuraSea schema migration(s)", applied);
      }
    } catch (FlywayException e) {
      if (errors.classify(e) == SqlFailure.UNAVAILABLE) {
        throw errors.unavailable(SqlErrors.sqlCause(e));
      }
      throw new NeuraSeaException(ErrorCode.INTERNAL, "schema migration failed", List.of(), e);
    }
  }

  private static void refuseNewerSchema(MigrationInfoService info) {
    MigrationVersion shipped = null;
    MigrationVersion applied = null;
    for (MigrationInfo migration : info.all()) {
      MigrationVersion version = migration.getVersion();
      if (version == null) {
        continue;
      }
      if (migration.getState().isResolved() && (shipped == null || version.compareTo(shipped) > 0)) {
        shipped = version;
      }
      if (migration.getState().isApplied() && (applied == null || version.compareTo(applied) > 0)) {
        applied = version;
      }
    }
    if (applied != null && (shipped == null || applied.compareTo(shipped) > 0)) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "database schema version " + applied
          + " is newer than this library supports (" + (shipped == null ? "none" : shipped)
          + "); upgrade NeuraSea or use another data directory");
    }
  }
}
