package com.neurasea.store.jdbc.internal;

import org.jdbi.v3.core.Handle;

/**
 * Database work done on one handle.
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface SqlWork<T> {
  /**
   * Does the work.
   *
   * @param handle the handle to run statements on
   * @return the result
   */
  T run(Handle handle);
}
