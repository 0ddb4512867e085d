package com.neurasea.store.jdbc;

/** What kind of failure a database error is, as far as the stores care. */
public enum SqlFailure {
  /** A unique or primary-key constraint rejected a duplicate. */
  UNIQUE_VIOLATION,
  /** Contention that goes away when the work is retried (a busy database, a serialization failure). */
  TRANSIENT,
  /** The database cannot be reached or used (connection lost, file unreadable, disk full). */
  UNAVAILABLE,
  /** Anything else: a defect. */
  OTHER
}
