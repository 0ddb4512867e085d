package com.neurasea.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/**
 * The few things that differ between the databases the portable stores run on. The defaults follow
 * the SQL standard's SQLSTATE classes, which is what PostgreSQL reports; an adapter overrides what
 * its driver reports differently.
 */
public interface SqlDialect {
  /**
   * Classifies a database error.
   *
   * @param error the error the driver raised
   * @return what kind of failure it is
   */
  default SqlFailure classify(SQLException error) {
    if (error instanceof SQLTransientConnectionException || error instanceof SQLNonTransientConnectionException) {
      return SqlFailure.UNAVAILABLE;
    }
    String state = error.getSQLState();
    if (state == null) {
      return SqlFailure.OTHER;
    }
    if (state.equals("23505")) {
      return SqlFailure.UNIQUE_VIOLATION;
    }
    if (state.equals("40001") || state.equals("40P01") || state.equals("55P03")) {
      return SqlFailure.TRANSIENT;
    }
    if (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P")) {
      return SqlFailure.UNAVAILABLE;
    }
    return SqlFailure.OTHER;
  }

  /**
   * Text that names the unique constraint a {@link SqlFailure#UNIQUE_VIOLATION} broke, or its
   * columns. The stores only search it for column names to tell which field collided; it is never
   * shown to a caller.
   *
   * @param error a unique violation
   * @return the constraint's name or columns, or the driver's message
   */
  default String violatedConstraint(SQLException error) {
    String message = error.getMessage();
    if (message == null) {
      return "";
    }
    // Standard drivers quote the constraint name: ... violates unique constraint "uq_users_username_key"
    int open = message.indexOf('"');
    int close = open < 0 ? -1 : message.indexOf('"', open + 1);
    return close > open ? message.substring(open + 1, close) : message;
  }

  /**
   * The isolation level write transactions run at, one of the {@link Connection}
   * {@code TRANSACTION_*} constants, or {@link Connection#TRANSACTION_NONE} to leave the
   * connection's level alone because the database's default is already serializable.
   *
   * @return the isolation level
   */
  default int writeTransactionIsolation() {
    return Connection.TRANSACTION_SERIALIZABLE;
  }

  /**
   * Whether a failed statement aborts the whole transaction it ran in, as in PostgreSQL, where
   * every later statement of the transaction fails until it rolls back. The stores then run each
   * write inside a transaction under a savepoint and roll back to it when the write fails, so a
   * caller that catches, say, a {@code CONFLICT} inside {@code inTransaction} can carry on, as it
   * can on a database that only undoes the failed statement (SQLite). Standard SQL leaves it to the
   * database; the default assumes the stricter behaviour.
   *
   * @return true to guard writes inside transactions with savepoints
   */
  default boolean statementFailureAbortsTransaction() {
    return true;
  }

  /**
   * Whether the stores should keep prepared statements open per pooled connection and reuse them.
   * Worth it for drivers that do not cache prepared statements themselves (SQLite); drivers that
   * do (PostgreSQL) leave it off.
   *
   * @return true to cache prepared statements
   */
  default boolean cachePreparedStatements() {
    return false;
  }

  /**
   * Whether the database supports {@code CROSS JOIN LATERAL} with a fenced subquery. When it does,
   * the access query looks bindings up per subject through the index instead of letting the planner
   * guess the size of the recursive group set (PostgreSQL otherwise hashes every binding of the tenant).
   *
   * @return true to use the lateral form of the access query
   */
  default boolean supportsLateralJoin() {
    return false;
  }

  /**
   * A statement that serializes privacy-ledger appenders across every connection and host, run
   * first in an append's transaction and held until it ends; null when the database's write
   * transactions already serialize writers (SQLite's {@code BEGIN IMMEDIATE}). It must not fix the
   * transaction's snapshot before the lock is held: under repeatable read or serializable isolation
   * the next index is read after it, and must see every append committed before.
   *
   * @return the lock statement, or null for none
   */
  default String ledgerAppendLock() {
    return null;
  }

  /**
   * The clause appended to a {@code SELECT} of rows the same transaction goes on to change from what
   * it read (a quota pool's balance): it locks them until the transaction ends, so that concurrent
   * hosts take turns instead of both acting on one balance. Empty when the database's write
   * transactions already serialize writers (SQLite's {@code BEGIN IMMEDIATE}, which has no such
   * clause). The default is the standard {@code FOR UPDATE}.
   *
   * @return the clause with a leading space, or the empty string
   */
  default String rowLockClause() {
    return " FOR UPDATE";
  }

  /**
   * A statement run first in a transaction that writes a batch of usage records, or null for none.
   * PostgreSQL sets {@code plan_cache_mode = force_custom_plan} there: a statement prepared while
   * {@code usage_records} was empty may otherwise keep a generic plan that scans the whole table for
   * every replayed-record check once it has grown, until autovacuum analyzes it.
   *
   * @return the statement, or null
   */
  default String usageBatchSetup() {
    return null;
  }
}
