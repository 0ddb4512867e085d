package com.neurasea.store.jdbc.internal;

/**
 * Where a store's statements run: on a pooled handle of their own (auto-commit, retried when the
 * database is busy) or on the handle of an enclosing transaction. The stores are written once
 * against this interface, so both modes share every statement.
 */
public interface Session {
  /**
   * Runs a single-statement piece of work, translating database errors.
   *
   * @param work the work
   * @param conflicts how a unique violation maps to a field
   * @param <T> the result type
   * @return the result
   */
  <T> T call(SqlWork<T> work, Conflicts conflicts);

  /**
   * Runs a multi-statement piece of work atomically: in its own transaction, or as part of the
   * enclosing one.
   *
   * @param work the work
   * @param conflicts how a unique violation maps to a field
   * @param <T> the result type
   * @return the result
   */
  <T> T atomic(SqlWork<T> work, Conflicts conflicts);

  /**
   * Runs multi-statement work atomically that locks every row it changes from what it read, with
   * {@link com.neurasea.store.jdbc.SqlDialect#rowLockClause()}, before it reads it. In a
   * transaction of its own the work may run at a weaker isolation than other writes (read
   * committed on PostgreSQL), where a row read under a lock is its last committed version and
   * contention means waiting for the lock, not a serialization failure; as part of an enclosing
   * transaction it runs at that transaction's isolation, like {@link #atomic}.
   *
   * @param work the work
   * @param conflicts how a unique violation maps to a field
   * @param <T> the result type
   * @return the result
   */
  default <T> T atomicWithRowLocks(SqlWork<T> work, Conflicts conflicts) {
    return atomic(work, conflicts);
  }

  /**
   * Runs a read, translating database errors.
   *
   * @param work the work
   * @param <T> the result type
   * @return the result
   */
  default <T> T read(SqlWork<T> work) {
    return call(work, Conflicts.NONE);
  }
}
