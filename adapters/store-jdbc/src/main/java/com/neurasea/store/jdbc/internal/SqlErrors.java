package com.neurasea.store.jdbc.internal;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.store.jdbc.SqlDialect;
import com.neurasea.store.jdbc.SqlFailure;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;

/**
 * Turns database errors into {@link NeuraSeaException}s. Messages never contain SQL or bound
 * values; the driver's {@link SQLException} is kept as the cause (Jdbi's wrappers, whose messages
 * quote the statement, are dropped).
 */
public final class SqlErrors {
  private final SqlDialect dialect;
  private final String location;

  /**
   * Creates a translator.
   *
   * @param dialect classifies driver errors
   * @param location names the database in messages, e.g. {@code the SQLite database /data/ns.db}
   */
  public SqlErrors(SqlDialect dialect, String location) {
    this.dialect = Objects.requireNonNull(dialect, "dialect");
    this.location = Objects.requireNonNull(location, "location");
  }

  /**
   * Translates a failure of a store operation.
   *
   * @param failure what the operation threw
   * @param conflicts how a unique violation maps to a field
   * @return the exception to throw; {@link TransientFailure} when a retry may succeed
   */
  public NeuraSeaException translate(RuntimeException failure, Conflicts conflicts) {
    if (failure instanceof NeuraSeaException known) {
      return known;
    }
    SQLException sql = sqlCause(failure);
    if (sql == null) {
      return new NeuraSeaException(ErrorCode.INTERNAL, "storage operation failed", List.of(), failure);
    }
    return switch (dialect.classify(sql)) {
      case UNIQUE_VIOLATION -> conflicts.resolve(dialect.violatedConstraint(sql));
      case TRANSIENT -> new TransientFailure(sql);
      case UNAVAILABLE -> unavailable(sql);
      case OTHER -> new NeuraSeaException(ErrorCode.INTERNAL, "storage operation failed", List.of(), sql);
    };
  }

  /**
   * An {@code UNAVAILABLE} failure naming the database.
   *
   * @param cause the underlying error
   * @return the exception
   */
  public NeuraSeaException unavailable(Throwable cause) {
    return new NeuraSeaException(ErrorCode.UNAVAILABLE, location + " is unavailable", List.of(), cause);
  }

  /**
   * Classifies the first {@link SQLException} in a failure's cause chain.
   *
   * @param failure any throwable
   * @return its classification, {@link SqlFailure#OTHER} when it holds no database error
   */
  public SqlFailure classify(Throwable failure) {
    SQLException sql = sqlCause(failure);
    return sql == null ? SqlFailure.OTHER : dialect.classify(sql);
  }

  /**
   * The first {@link SQLException} in a cause chain.
   *
   * @param failure any throwable
   * @return the database error, or null
   */
  public static SQLException sqlCause(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        return sql;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
