package com.neurasea;

import com.neurasea.tck.FreshStorage;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * Plain JDBC access to the database behind a {@link FreshStorage}, for tests that must change rows
 * behind the library's back (an attacker or an operator editing the database).
 */
public final class RawDatabase {
  private final Map<String, String> settings;

  public RawDatabase(FreshStorage fresh) {
    this.settings = fresh.settings();
  }

  /** Runs one statement with positional parameters and returns the number of rows it changed. */
  public int update(String sql, Object... parameters) {
    try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setObject(i + 1, parameters[i]);
      }
      return statement.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("statement failed: " + sql, e);
    }
  }

  /** Reads one text value. */
  public String text(String sql, Object... parameters) {
    try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setObject(i + 1, parameters[i]);
      }
      try (var rows = statement.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("query failed: " + sql, e);
    }
  }

  private Connection connect() throws SQLException {
    if (settings.containsKey("path")) {
      Connection connection = DriverManager.getConnection("jdbc:sqlite:" + settings.get("path"));
      try (Statement statement = connection.createStatement()) {
        statement.execute("PRAGMA busy_timeout = 5000");
      }
      return connection;
    }
    Connection connection = DriverManager.getConnection(settings.get("url"), settings.get("username"),
        settings.get("password"));
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET search_path TO " + settings.get("schema"));
    }
    return connection;
  }
}
