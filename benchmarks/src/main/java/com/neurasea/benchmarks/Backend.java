package com.neurasea.benchmarks;

import com.neurasea.spi.Storage;
import com.neurasea.store.postgres.PostgresStorage;
import com.neurasea.store.sqlite.SqliteStorage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * Where a benchmark keeps its data: a SQLite file, or a fresh schema in the PostgreSQL database named
 * by {@code NEURASEA_BENCH_POSTGRES_URL} (or {@code NEURASEA_TEST_POSTGRES_URL}) with the matching
 * {@code _USER} and {@code _PASSWORD} variables, dropped afterwards.
 */
enum Backend {
  /** The embedded default. */
  SQLITE {
    @Override
    Storage open(Path dir, String schema) {
      return SqliteStorage.builder().path(dir.resolve("bench.db")).build();
    }

    @Override
    Connection connect(Path dir, String schema) throws SQLException {
      Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("bench.db").toAbsolutePath());
      try (Statement statement = connection.createStatement()) {
        // The settings SqliteStorage opens its connections with.
        statement.execute("PRAGMA journal_mode=WAL");
        statement.execute("PRAGMA synchronous=NORMAL");
        statement.execute("PRAGMA busy_timeout=5000");
      } catch (SQLException e) {
        connection.close();
        throw e;
      }
      return connection;
    }
  },
  /** A PostgreSQL schema of its own. */
  POSTGRES {
    @Override
    Storage open(Path dir, String schema) {
      return PostgresStorage.builder().url(setting("URL")).username(setting("USER")).password(setting("PASSWORD"))
          .schema(schema).maxPoolSize(8).build();
    }

    @Override
    Connection connect(Path dir, String schema) throws SQLException {
      Connection connection = DriverManager.getConnection(setting("URL"), setting("USER"), setting("PASSWORD"));
      try {
        connection.setSchema(schema);
      } catch (SQLException e) {
        connection.close();
        throw e;
      }
      return connection;
    }

    @Override
    void drop(String schema) {
      try (Connection connection = DriverManager.getConnection(setting("URL"), setting("USER"), setting("PASSWORD"));
          Statement statement = connection.createStatement()) {
        statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      } catch (SQLException e) {
        throw new IllegalStateException("could not drop benchmark schema " + schema, e);
      }
    }
  };

  /** Opens the storage; {@code schema} is a fresh name PostgreSQL uses for isolation. */
  abstract Storage open(Path dir, String schema);

  /**
   * A plain JDBC connection to the database {@link #open} uses (the same SQLite file, or the same
   * PostgreSQL schema), for baselines that bypass the storage; call after {@link #open}.
   */
  abstract Connection connect(Path dir, String schema) throws SQLException;

  /** Removes what {@link #open} made outside the temporary directory. */
  void drop(String schema) {}

  /** Drops the schema (if any) and deletes the temporary directory with everything in it. */
  void removeData(String schema, Path dir) {
    try {
      drop(schema);
    } finally {
      try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  /** A fresh schema name. */
  static String freshSchema() {
    return "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  /** The backend a benchmark parameter names. */
  static Backend of(String name) {
    return valueOf(name.toUpperCase(java.util.Locale.ROOT));
  }

  private static String setting(String suffix) {
    String bench = System.getenv("NEURASEA_BENCH_POSTGRES_" + suffix);
    String value = bench != null ? bench : System.getenv("NEURASEA_TEST_POSTGRES_" + suffix);
    if (value == null) {
      throw new IllegalStateException("PostgreSQL benchmarks need NEURASEA_BENCH_POSTGRES_URL, _USER and _PASSWORD"
          + " (or the NEURASEA_TEST_POSTGRES_ ones); start a server with .ci/postgres.sh start");
    }
    return value;
  }
}
