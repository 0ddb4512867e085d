package com.neurasea.store.postgres;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.FieldError;
import com.neurasea.model.NeuraSeaException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Turns a failure to open the first connection into one clear exception that names the setting to
 * fix. Messages name the host, port, database and user, never the URL or the password.
 */
final class ConnectFailures {
  private ConnectFailures() {}

  static NeuraSeaException explain(Throwable failure, PostgresTarget target, String username, Duration timeout) {
    SQLException sql = first(failure, SQLException.class);
    String state = sql == null || sql.getSQLState() == null ? "" : sql.getSQLState();
    Throwable cause = sql != null ? sql : failure;
    if (state.startsWith("28")) {
      String who = username == null ? "the configured user" : "user " + username;
      String message = "PostgreSQL at " + target.hosts() + " refused the login of " + who
          + " (username, password): " + serverText(sql, "authentication failed");
      return new NeuraSeaException(ErrorCode.INVALID_ARGUMENT, message,
          List.of(new FieldError("username", "login refused"), new FieldError("password", "login refused")), cause);
    }
    if (state.equals("3D000")) {
      String message = "PostgreSQL at " + target.hosts() + " has no database named " + target.database() + " (url)";
      return new NeuraSeaException(ErrorCode.INVALID_ARGUMENT, message,
          List.of(new FieldError("url", "no such database: " + target.database())), cause);
    }
    return new NeuraSeaException(ErrorCode.UNAVAILABLE,
        "cannot connect to PostgreSQL at " + target.hosts() + " (url): " + reason(failure, sql, timeout),
        List.of(), cause);
  }

  private static String reason(Throwable failure, SQLException sql, Duration timeout) {
    UnknownHostException unknown = first(failure, UnknownHostException.class);
    if (unknown != null) {
      return "unknown host " + unknown.getMessage();
    }
    if (first(failure, NoRouteToHostException.class) != null) {
      return "no route to host";
    }
    if (first(failure, ConnectException.class) != null) {
      return "connection refused";
    }
    if (first(failure, SocketTimeoutException.class) != null) {
      return "no answer within " + timeout.toMillis() + " ms (connectTimeout)";
    }
    if (sql != null && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
      return "connection failed (" + sql.getSQLState() + ")";
    }
    return serverText(sql, failure.getClass().getSimpleName());
  }

  /** The server's own message (it never echoes a password), else the fallback. */
  private static String serverText(SQLException sql, String fallback) {
    if (sql instanceof PSQLException psql) {
      ServerErrorMessage server = psql.getServerErrorMessage();
      if (server != null && server.getMessage() != null) {
        return server.getMessage();
      }
    }
    return fallback;
  }

  private static <T extends Throwable> T first(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
