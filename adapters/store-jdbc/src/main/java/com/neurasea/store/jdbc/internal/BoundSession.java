package com.neurasea.store.jdbc.internal;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.Handle;

/**
 * Runs every statement on the handle of an enclosing transaction. Errors are translated but never
 * retried here: a busy database surfaces as {@link TransientFailure} and the transaction as a whole
 * is retried.
 *
 * <p>On a database where a failed statement aborts the whole transaction (PostgreSQL), each write
 * runs under a savepoint and a failed write rolls back to it, so the transaction stays usable
 * after, say, a caught {@code CONFLICT}, just as on a database that only undoes the failed
 * statement. Reads run without one: they fail only when the database does.
 */
public final class BoundSession implements Session {
  private final Handle handle;
  private final SqlErrors errors;
  private final boolean savepoints;
  private volatile boolean ended;

  /**
   * Binds a session to a handle.
   *
   * @param handle the transaction's handle
   * @param errors the error translator
   * @param savepoints whether writes run under a savepoint (see the class description)
   */
  public BoundSession(Handle handle, SqlErrors errors, boolean savepoints) {
    this.handle = handle;
    this.errors = errors;
    this.savepoints = savepoints;
  }

  @Override
  public <T> T call(SqlWork<T> work, Conflicts conflicts) {
    ensureActive();
    if (!savepoints) {
      return run(work, conflicts);
    }
    Connection connection = handle.getConnection();
    Savepoint savepoint;
    try {
      savepoint = connection.setSavepoint();
    } catch (SQLException e) {
      throw errors.translate(new ConnectionException(e), conflicts);
    }
    T result;
    try {
      result = work.run(handle);
    } catch (RuntimeException e) {
      NeuraSeaException failure = errors.translate(e, conflicts);
      rollBackTo(connection, savepoint, failure);
      throw failure;
    }
    try {
      connection.releaseSavepoint(savepoint);
    } catch (SQLException e) {
      throw errors.translate(new ConnectionException(e), conflicts);
    }
    return result;
  }

  @Override
  public <T> T atomic(SqlWork<T> work, Conflicts conflicts) {
    return call(work, conflicts);
  }

  @Override
  public <T> T read(SqlWork<T> work) {
    ensureActive();
    return run(work, Conflicts.NONE);
  }

  private <T> T run(SqlWork<T> work, Conflicts conflicts) {
    try {
      return work.run(handle);
    } catch (RuntimeException e) {
      throw errors.translate(e, conflicts);
    }
  }

  private static void rollBackTo(Connection connection, Savepoint savepoint, NeuraSeaException failure) {
    try {
      connection.rollback(savepoint);
    } catch (SQLException e) {
      // The connection is gone or the transaction is beyond saving: the failure says what matters.
      failure.addSuppressed(e);
    }
  }

  private void ensureActive() {
    if (ended) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "the transaction these stores belong to has ended");
    }
  }

  /** Marks the transaction ended: stores that leaked out of it refuse further work. */
  void end() {
    ended = true;
  }
}
