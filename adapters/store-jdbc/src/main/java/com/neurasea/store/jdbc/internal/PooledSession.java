package com.neurasea.store.jdbc.internal;

import com.neurasea.model.NeuraSeaException;
import com.neurasea.store.jdbc.SqlFailure;
import java.util.Objects;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * Runs each piece of work on a pooled handle of its own (auto-commit, or one transaction for
 * multi-statement work), retrying it a bounded number of times while the database is busy. Work
 * started on a thread that is inside a transaction of the same storage joins that transaction
 * instead, so a store used from inside {@code inTransaction} never waits for its own lock.
 */
public final class PooledSession implements Session {
  private final Jdbi jdbi;
  private final SqlErrors errors;
  private final RetryPolicy retry;
  private final boolean savepoints;
  private final ThreadLocal<Handle> current = new ThreadLocal<>();
  private final String setIsolation;
  private final String setRowLockIsolation;
  private volatile boolean closed;

  /**
   * Creates the session.
   *
   * @param jdbi the configured Jdbi over the pool
   * @param errors the error translator
   * @param retry how often busy work is retried
   * @param isolation the isolation level of write transactions, {@code NONE} to keep the default
   * @param savepoints whether writes inside a transaction run under a savepoint ({@link BoundSession})
   */
  public PooledSession(Jdbi jdbi, SqlErrors errors, RetryPolicy retry, TransactionIsolationLevel isolation,
      boolean savepoints) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    this.errors = Objects.requireNonNull(errors, "errors");
    this.retry = Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(isolation, "isolation");
    this.setIsolation = setIsolation(isolation);
    // Work that locks the rows it changes needs no more than read committed.
    this.setRowLockIsolation = setIsolation(isolation == TransactionIsolationLevel.READ_UNCOMMITTED
        || isolation == TransactionIsolationLevel.NONE ? isolation : TransactionIsolationLevel.READ_COMMITTED);
    this.savepoints = savepoints;
  }

  /** The statement that sets a transaction's isolation, null to keep the database's default. */
  private static String setIsolation(TransactionIsolationLevel isolation) {
    if (isolation == TransactionIsolationLevel.NONE) {
      return null;
    }
    return "SET TRANSACTION ISOLATION LEVEL " + switch (isolation) {
      case READ_UNCOMMITTED -> "READ UNCOMMITTED";
      case READ_COMMITTED -> "READ COMMITTED";
      case REPEATABLE_READ -> "REPEATABLE READ";
      default -> "SERIALIZABLE";
    };
  }

  @Override
  public <T> T call(SqlWork<T> work, Conflicts conflicts) {
    return run(work, conflicts, false, setIsolation);
  }

  @Override
  public <T> T atomic(SqlWork<T> work, Conflicts conflicts) {
    return run(work, conflicts, true, setIsolation);
  }

  @Override
  public <T> T atomicWithRowLocks(SqlWork<T> work, Conflicts conflicts) {
    return run(work, conflicts, true, setRowLockIsolation);
  }

  @Override
  public <T> T read(SqlWork<T> work) {
    Handle joined = current.get();
    if (joined != null) {
      return new BoundSession(joined, errors, savepoints).read(work);
    }
    return run(work, Conflicts.NONE, false, setIsolation);
  }

  private <T> T run(SqlWork<T> work, Conflicts conflicts, boolean atomic, String isolationStatement) {
    Handle joined = current.get();
    if (joined != null) {
      return new BoundSession(joined, errors, savepoints).call(work, conflicts);
    }
    ensureOpen();
    for (int attempt = 1; ; attempt++) {
      try (Handle handle = jdbi.open()) {
        return atomic ? inWriteTransaction(handle, work::run, isolationStatement) : work.run(handle);
      } catch (RuntimeException e) {
        NeuraSeaException failure = errors.translate(e, conflicts);
        if (!(failure instanceof TransientFailure) || !retry.awaitRetry(attempt)) {
          throw failure;
        }
      }
    }
  }

  /**
   * Runs work in one write transaction on a fresh handle, retrying the whole transaction while the
   * database is busy. The work's own exceptions roll back and propagate unchanged; database errors
   * are translated. A nested call joins the thread's open transaction.
   *
   * @param work the work, given a session bound to the transaction
   * @param <T> the result type
   * @return the result
   */
  public <T> T transaction(Function<Session, T> work) {
    return transaction(work, setIsolation);
  }

  /**
   * Like {@link #transaction(Function)}, at the weaker isolation of {@link #atomicWithRowLocks}: for
   * work that locks every row it reads to change.
   *
   * @param work the work, given a session bound to the transaction
   * @param <T> the result type
   * @return the result
   */
  public <T> T lockingTransaction(Function<Session, T> work) {
    return transaction(work, setRowLockIsolation);
  }

  private <T> T transaction(Function<Session, T> work, String isolationStatement) {
    Handle joined = current.get();
    if (joined != null) {
      return work.apply(new BoundSession(joined, errors, savepoints));
    }
    ensureOpen();
    for (int attempt = 1; ; attempt++) {
      try (Handle handle = jdbi.open()) {
        BoundSession session = new BoundSession(handle, errors, savepoints);
        current.set(handle);
        try {
          return inWriteTransaction(handle, h -> work.apply(session), isolationStatement);
        } finally {
          current.remove();
          session.end();
        }
      } catch (RuntimeException e) {
        boolean busy = e instanceof TransientFailure
            || (!(e instanceof NeuraSeaException) && errors.classify(e) == SqlFailure.TRANSIENT);
        if (busy && retry.awaitRetry(attempt)) {
          continue;
        }
        throw outward(e);
      }
    }
  }

  private RuntimeException outward(RuntimeException e) {
    if (e instanceof NeuraSeaException || !(e instanceof JdbiException)) {
      return e;
    }
    return errors.translate(e, Conflicts.NONE);
  }

  private static <T> T inWriteTransaction(Handle handle, HandleCallback<T, RuntimeException> work,
      String isolationStatement) {
    if (isolationStatement == null) {
      return handle.inTransaction(work);
    }
    // Standard SQL, as the transaction's first statement: unlike switching the connection's level
    // (which the driver does by reading it, setting it and restoring it: four round trips on
    // PostgreSQL), it costs one statement and needs no restoring.
    return handle.inTransaction(h -> {
      h.execute(isolationStatement);
      return work.withHandle(h);
    });
  }

  private void ensureOpen() {
    if (closed) {
      throw errors.unavailable(new IllegalStateException("storage is closed"));
    }
  }

  /** Refuses further work; called when the storage closes. */
  public void close() {
    closed = true;
  }
}
