package com.neurasea.store.sqlite;

import com.neurasea.store.jdbc.SqlDialect;
import com.neurasea.store.jdbc.SqlFailure;
import java.sql.Connection;
import java.sql.SQLException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** How SQLite reports failures, and what it needs from the portable stores. */
final class SqliteDialect implements SqlDialect {
  private static final String CONSTRAINT_FAILED = "constraint failed: ";

  @Override
  public SqlFailure classify(SQLException error) {
    int extended = error instanceof SQLiteException sqlite && sqlite.getResultCode() != null
        ? sqlite.getResultCode().code
        : error.getErrorCode();
    int primary = extended & 0xff;
    switch (primary) {
      case 19: // SQLITE_CONSTRAINT
        return isUniqueViolation(error, extended) ? SqlFailure.UNIQUE_VIOLATION : SqlFailure.OTHER;
      case 5: // SQLITE_BUSY
      case 6: // SQLITE_LOCKED
        return SqlFailure.TRANSIENT;
      case 3: // SQLITE_PERM
      case 8: // SQLITE_READONLY
      case 10: // SQLITE_IOERR
      case 11: // SQLITE_CORRUPT
      case 13: // SQLITE_FULL
      case 14: // SQLITE_CANTOPEN
      case 15: // SQLITE_PROTOCOL
      case 23: // SQLITE_AUTH
      case 26: // SQLITE_NOTADB
        return SqlFailure.UNAVAILABLE;
      default:
        return SqlDialect.super.classify(error);
    }
  }

  private static boolean isUniqueViolation(SQLException error, int extended) {
    if (extended == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE.code
        || extended == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY.code) {
      return true;
    }
    String message = error.getMessage();
    return message != null && (message.contains("UNIQUE constraint failed")
        || message.contains("PRIMARY KEY constraint failed"));
  }

  /** SQLite names the columns: {@code UNIQUE constraint failed: users.username_key}. */
  @Override
  public String violatedConstraint(SQLException error) {
    String message = error.getMessage();
    if (message == null) {
      return "";
    }
    int at = message.lastIndexOf(CONSTRAINT_FAILED);
    return at < 0 ? message : message.substring(at + CONSTRAINT_FAILED.length());
  }

  /** SQLite transactions are serializable; the connection needs no isolation change. */
  @Override
  public int writeTransactionIsolation() {
    return Connection.TRANSACTION_NONE;
  }

  /** A failed statement in SQLite undoes only itself; the transaction carries on without savepoints. */
  @Override
  public boolean statementFailureAbortsTransaction() {
    return false;
  }

  /** SQLite has no row locks: {@code BEGIN IMMEDIATE} already makes writers take turns. */
  @Override
  public String rowLockClause() {
    return "";
  }

  /** sqlite-jdbc compiles every prepared statement anew; the stores cache them per connection. */
  @Override
  public boolean cachePreparedStatements() {
    return true;
  }
}
