package com.neurasea.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.neurasea.model.BuiltInRole;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.Tenant;
import com.neurasea.model.User;
import com.neurasea.spi.Storage;
import com.neurasea.spi.Stores;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteTransactionTest {
  @TempDir Path dir;
  Path file;
  Storage storage;
  Tenant tenant;

  @BeforeEach
  void open() {
    file = dir.resolve("tx.db");
    storage = SqliteStorage.builder().path(file).build();
    storage.permissions().syncBuiltInRoles(List.of(BuiltInRole.MEMBER.toRole()));
    tenant = Fixtures.tenant();
    storage.tenancy().insertTenant(tenant);
  }

  @AfterEach
  void close() {
    storage.close();
  }

  @Test
  void nestedAndPlainCallsJoinTheThreadsTransaction() {
    User outer = Fixtures.user();
    User nested = Fixtures.user();
    User plain = Fixtures.user();
    Throwable thrown = catchThrowable(() -> storage.inTransaction(stores -> {
      stores.tenancy().insertUser(outer);
      storage.inTransaction(inner -> {
        inner.tenancy().insertUser(nested);
        return null;
      });
      storage.tenancy().insertUser(plain);
      assertThat(storage.tenancy().findUser(outer.id())).isPresent();
      throw new IllegalStateException("roll back all three");
    }));
    assertThat(thrown).hasMessage("roll back all three");
    assertThat(storage.tenancy().findUser(outer.id())).isEmpty();
    assertThat(storage.tenancy().findUser(nested.id())).isEmpty();
    assertThat(storage.tenancy().findUser(plain.id())).isEmpty();
  }

  @Test
  void storesThatOutliveTheirTransactionRefuseWork() {
    Stores leaked = storage.inTransaction(stores -> stores);
    NeuraSeaException e = catchThrowableOfType(NeuraSeaException.class,
        () -> leaked.tenancy().findTenant(tenant.id()));
    assertThat(e.code()).isEqualTo(ErrorCode.FAILED_PRECONDITION);
  }

  @Test
  void busyDatabaseIsRetriedThenReportedUnavailable() throws Exception {
    try (Storage impatient = SqliteStorage.builder().path(file).busyTimeout(Duration.ofMillis(20)).build();
        Connection locker = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement lock = locker.createStatement()) {
      lock.execute("BEGIN IMMEDIATE");
      // Released while the storage is still retrying: the write lands.
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread release = new Thread(() -> {
        try {
          Thread.sleep(60);
          lock.execute("COMMIT");
        } catch (Exception e) {
          failure.set(e);
        }
      });
      release.start();
      User user = Fixtures.user();
      impatient.inTransaction(stores -> {
        stores.tenancy().insertUser(user);
        return null;
      });
      release.join();
      assertThat(failure.get()).isNull();
      assertThat(impatient.tenancy().findUser(user.id())).isPresent();

      // Held for longer than every retry: UNAVAILABLE, and nothing written.
      lock.execute("BEGIN IMMEDIATE");
      User blocked = Fixtures.user();
      NeuraSeaException e = catchThrowableOfType(NeuraSeaException.class, () -> impatient.inTransaction(stores -> {
        stores.tenancy().insertUser(blocked);
        return null;
      }));
      lock.execute("ROLLBACK");
      assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
      Fixtures.assertNoSql(e);
      assertThat(impatient.tenancy().findUser(blocked.id())).isEmpty();
    }
  }

  private int countRows(String table) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        var rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
