package com.neurasea.store.jdbc.internal;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import org.jdbi.v3.core.Handle;

/**
 * Runs every statement on the handle of an enclosing transaction. Errors are translated but never
 * retried here: a busy database surfaces as {@link TransientFailure} and the transaction as a whole
 * is retried.
 */
public final class BoundSession implements Session {
  private final Handle handle;
  private final SqlErrors errors;
  private volatile boolean ended;

  /**
   * Binds a session to a handle.
   *
   * @param handle the transaction's handle
   * @param errors the error translator
   */
  public BoundSession(Handle handle, SqlErrors errors) {
    this.handle = handle;
    this.errors = errors;
  }

  @Override
  public <T> T call(SqlWork<T> work, Conflicts conflicts) {
    if (ended) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "the transaction these stores belong to has ended");
    }
    try {
      return work.run(handle);
    } catch (RuntimeException e) {
      throw errors.translate(e, conflicts);
    }
  }

  @Override
  public <T> T atomic(SqlWork<T> work, Conflicts conflicts) {
    return call(work, conflicts);
  }

  /** Marks the transaction ended: stores that leaked out of it refuse further work. */
  void end() {
    ended = true;
  }
}
