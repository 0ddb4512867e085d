package com.neurasea.store.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.store.jdbc.SqlDialect;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.Test;

class SqlErrorsTest {
  private static final Conflicts USER = Conflicts.fallback("id", "duplicate id")
      .on("username_key", "username", "username taken");
  private final SqlErrors errors = new SqlErrors(new SqlDialect() {}, "the test database");

  @Test
  void uniqueViolationNamesTheFieldOfTheConstraint() {
    NeuraSeaException byName = errors.translate(wrapped(new SQLException(
        "ERROR: duplicate key value violates unique constraint \"uq_users_username_key\"\n  Detail: Key "
            + "(username_key)=(bob) already exists.", "23505")), USER);
    assertThat(byName.code()).isEqualTo(ErrorCode.CONFLICT);
    assertThat(byName.fieldErrors()).extracting(f -> f.field()).containsExactly("username");
    assertThat(byName.getMessage()).isEqualTo("username taken");

    NeuraSeaException byKey = errors.translate(wrapped(new SQLException(
        "ERROR: duplicate key value violates unique constraint \"users_pkey\"", "23505")), USER);
    assertThat(byKey.fieldErrors()).extracting(f -> f.field()).containsExactly("id");
  }

  @Test
  void connectionAndContentionFailuresAreClassified() {
    NeuraSeaException lost = errors.translate(wrapped(new SQLException("connection refused", "08001")),
        Conflicts.NONE);
    assertThat(lost.code()).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(lost.getMessage()).isEqualTo("the test database is unavailable");

    NeuraSeaException timeout = errors.translate(wrapped(new SQLTransientConnectionException("pool timeout")),
        Conflicts.NONE);
    assertThat(timeout.code()).isEqualTo(ErrorCode.UNAVAILABLE);

    NeuraSeaException busy = errors.translate(wrapped(new SQLException("could not serialize", "40001")),
        Conflicts.NONE);
    assertThat(busy).isInstanceOf(TransientFailure.class);
    assertThat(busy.code()).isEqualTo(ErrorCode.UNAVAILABLE);
  }

  @Test
  void otherFailuresAreInternalAndNeverQuoteTheStatement() {
    SQLException cause = new SQLException("syntax error", "42601");
    NeuraSeaException e = errors.translate(wrapped(cause), Conflicts.NONE);
    assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(e.getMessage()).isEqualTo("storage operation failed");
    assertThat(e.getCause()).isSameAs(cause);

    NeuraSeaException known = NeuraSeaException.conflict("x", "y");
    assertThat(errors.translate(known, Conflicts.NONE)).isSameAs(known);
  }

  private static RuntimeException wrapped(SQLException e) {
    return new UnableToExecuteStatementException("SELECT secret FROM t WHERE x = 'value'", e, null);
  }
}
