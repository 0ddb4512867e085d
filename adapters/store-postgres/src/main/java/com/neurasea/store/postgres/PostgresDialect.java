package com.neurasea.store.postgres;

import com.neurasea.store.jdbc.SqlDialect;
import com.neurasea.store.jdbc.SqlFailure;
import java.io.IOException;
import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * How PostgreSQL reports failures. The SQL-standard defaults of {@link SqlDialect} already cover
 * its main classes (23505 unique violation; 40001 serialization failure, 40P01 deadlock and 55P03
 * lock not available are transient; 08 connection exceptions, 53 insufficient resources and 57P
 * operator intervention such as 57P01 admin shutdown mean unavailable). This adds what the driver
 * and a server that went away report besides.
 */
final class PostgresDialect implements SqlDialect {
  @Override
  public SqlFailure classify(SQLException error) {
    String state = error.getSQLState();
    if (state != null && isUnavailableState(state)) {
      return SqlFailure.UNAVAILABLE;
    }
    SqlFailure standard = SqlDialect.super.classify(error);
    if (standard == SqlFailure.OTHER && brokenConnection(error)) {
      return SqlFailure.UNAVAILABLE;
    }
    return standard;
  }

  private static boolean isUnavailableState(String state) {
    return state.startsWith("28") // invalid authorization: the credentials stopped working
        || state.equals("3D000") // the database was dropped
        || state.equals("25006") // read-only transaction: a standby after a failover
        || state.equals("40003") // statement completion unknown
        || state.equals("57014") // query canceled: statement timeout or a cancel request
        || state.startsWith("58"); // system error: I/O
  }

  /** A closed connection or an I/O failure the driver reports without a connection SQLSTATE. */
  private static boolean brokenConnection(SQLException error) {
    for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof IOException) {
        return true;
      }
    }
    return false;
  }

  /**
   * PostgreSQL names the constraint: {@code duplicate key value violates unique constraint
   * "uq_users_username_key"}; the structured error carries it without parsing the message.
   */
  @Override
  public String violatedConstraint(SQLException error) {
    if (error instanceof PSQLException psql) {
      ServerErrorMessage server = psql.getServerErrorMessage();
      if (server != null && server.getConstraint() != null) {
        return server.getConstraint();
      }
    }
    return SqlDialect.super.violatedConstraint(error);
  }

  /** PostgreSQL plans the fenced lateral lookup as one index scan per subject. */
  @Override
  public boolean supportsLateralJoin() {
    return true;
  }

  /**
   * An exclusive table lock: it queues appenders on every host until the holder commits, lets plain
   * readers through, and, unlike {@code pg_advisory_xact_lock} in a {@code SELECT}, takes no
   * snapshot, so the next index read after it sees every append committed before.
   */
  @Override
  public String usageBatchSetup() {
    return "SET LOCAL plan_cache_mode = force_custom_plan";
  }

  @Override
  public String ledgerAppendLock() {
    return "LOCK TABLE ledger_entries IN EXCLUSIVE MODE";
  }
}
