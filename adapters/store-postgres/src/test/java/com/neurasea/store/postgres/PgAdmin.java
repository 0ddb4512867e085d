package com.neurasea.store.postgres;

import com.neurasea.tck.FreshStorage;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/** A separate, unpooled connection to the test's database, for what the tests do behind the storage's back. */
final class PgAdmin implements AutoCloseable {
  private final Connection connection;
  private final String schema;

  private PgAdmin(Connection connection, String schema) {
    this.connection = connection;
    this.schema = schema;
  }

  static PgAdmin of(FreshStorage fresh) throws SQLException {
    Map<String, String> settings = fresh.settings();
    return new PgAdmin(DriverManager.getConnection(settings.get("url"), settings.get("username"),
        settings.get("password")), settings.get("schema"));
  }

  String schema() {
    return schema;
  }

  /** Kills every other session of the database: the storage's pool, its listener, anything else. */
  int terminateAllOthers() throws SQLException {
    return (int) count("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        + "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  }

  /** Kills the change notifiers' listening sessions. */
  int terminateListeners() throws SQLException {
    return (int) count("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        + "WHERE datname = current_database() AND application_name = '"
        + PostgresChangeNotifier.APPLICATION_NAME + "'");
  }

  long listeners() throws SQLException {
    return count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        + "AND application_name = '" + PostgresChangeNotifier.APPLICATION_NAME + "'");
  }

  /** Counts rows of a table in the test's schema. */
  long rows(String table, String where) throws SQLException {
    return count("SELECT count(*) FROM " + schema + "." + table + (where == null ? "" : " WHERE " + where));
  }

  long count(String sql) throws SQLException {
    try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  String text(String sql) throws SQLException {
    try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  void execute(String sql) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute(sql);
    }
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
