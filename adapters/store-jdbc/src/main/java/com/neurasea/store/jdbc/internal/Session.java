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
