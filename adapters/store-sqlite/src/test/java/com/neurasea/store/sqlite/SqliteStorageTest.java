package com.neurasea.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.Tenant;
import com.neurasea.spi.Storage;
import com.neurasea.spi.StorageProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStorageTest {
  @TempDir Path dir;

  @Test
  void opensInWalModeAndKeepsDataAcrossReopen() throws Exception {
    Path file = dir.resolve("nested/dirs/neurasea.db");
    Tenant tenant = Fixtures.tenant();
    try (Storage storage = SqliteStorage.builder().path(file).maxPoolSize(2).busyTimeout(Duration.ofSeconds(1))
        .build()) {
      assertThat(storage.name()).isEqualTo("sqlite");
      storage.tenancy().insertTenant(tenant);
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("wal");
    }
    try (Storage reopened = SqliteStorage.builder().path(file).build()) {
      assertThat(reopened.tenancy().findTenant(tenant.id())).contains(tenant);
    }
  }

  @Test
  void builderRejectsBadAndRepeatedSettings() {
    assertThatThrownBy(() -> SqliteStorage.builder().build()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> SqliteStorage.builder().path(dir).path(dir)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> SqliteStorage.builder().maxPoolSize(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SqliteStorage.builder().busyTimeout(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SqliteStorage.builder().path(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void aFileInTheWayOfTheDirectoryIsAClearError() throws Exception {
    Path blocker = Files.writeString(dir.resolve("not-a-dir"), "x");
    Path file = blocker.resolve("sub/neurasea.db");
    NeuraSeaException e = catchThrowableOfType(NeuraSeaException.class,
        () -> SqliteStorage.builder().path(file).build());
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.fieldErrors()).extracting(f -> f.field()).containsExactly("path");
    assertThat(e.getMessage()).contains(blocker.toString());
  }

  @Test
  void aDirectoryAsTheDatabaseFileIsAClearError() {
    NeuraSeaException e = catchThrowableOfType(NeuraSeaException.class,
        () -> SqliteStorage.builder().path(dir).build());
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains(dir.toString());
  }

  @Test
  void anUnwritableDirectoryIsAClearError() throws Exception {
    Path readOnly = Files.createDirectory(dir.resolve("read-only"));
    assertThat(readOnly.toFile().setWritable(false, false)).isTrue();
    try {
      if (Files.isWritable(readOnly)) {
        return; // running as root: permissions are not enforced, nothing to check
      }
      NeuraSeaException e = catchThrowableOfType(NeuraSeaException.class,
          () -> SqliteStorage.builder().path(readOnly.resolve("neurasea.db")).build());
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(e.getMessage()).contains(readOnly.toString());
    } finally {
      readOnly.toFile().setWritable(true, false);
    }
  }

  @Test
  void aDirectoryNobodyMayCreateIsAClearError() {
    // sysfs refuses new directories even to root, unlike a chmod-ed temporary directory.
    Path sys = Path.of("/sys");
    assumeTrue(Files.isDirectory(sys), "needs Linux sysfs");
    Path file = sys.resolve("neurasea-test/neurasea.db");
    NeuraSeaException e = catchThrowableOfType(NeuraSeaException.class,
        () -> SqliteStorage.builder().path(file).build());
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains(file.toString());
    assertThat(e.getCause()).isNull();
  }

  @Test
  void aFileThatIsNotADatabaseIsUnavailableNamingThePath() throws Exception {
    Path garbage = Files.writeString(dir.resolve("garbage.db"), "this is not a database ".repeat(200));
    NeuraSeaException e = catchThrowableOfType(NeuraSeaException.class,
        () -> SqliteStorage.builder().path(garbage).build());
    assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(e.getMessage()).contains(garbage.toString());
  }

  @Test
  void aDatabaseWrittenByANewerReleaseIsRefused() throws Exception {
    Path file = dir.resolve("future.db");
    SqliteStorage.builder().path(file).build().close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO neurasea_schema_history (installed_rank, version, description, type, script, "
          + "checksum, installed_by, execution_time, success) "
          + "VALUES (99, '999', 'from the future', 'SQL', 'V999__from_the_future.sql', 0, 'test', 1, 1)");
    }
    NeuraSeaException e = catchThrowableOfType(NeuraSeaException.class,
        () -> SqliteStorage.builder().path(file).build());
    assertThat(e.code()).isEqualTo(ErrorCode.FAILED_PRECONDITION);
    assertThat(e.getMessage()).isEqualTo("database schema version 999 is newer than this library supports (6); "
        + "upgrade NeuraSea or use another data directory");
  }

  @Test
  void aClosedStorageIsUnavailable() {
    Storage storage = Fixtures.open(dir);
    storage.close();
    storage.close();
    NeuraSeaException e = catchThrowableOfType(NeuraSeaException.class,
        () -> storage.tenancy().findTenant(Fixtures.tenant().id()));
    assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
    NeuraSeaException tx = catchThrowableOfType(NeuraSeaException.class, () -> storage.inTransaction(s -> null));
    assertThat(tx.code()).isEqualTo(ErrorCode.UNAVAILABLE);
  }

  @Test
  void providerIsDiscoveredByNameAndOpensFromSettings() {
    StorageProvider provider = ServiceLoader.load(StorageProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.name().equals("sqlite"))
        .findFirst()
        .orElseThrow();
    Path file = dir.resolve("provided.db");
    try (Storage storage = provider.open(Map.of("path", file.toString(), "maxPoolSize", "3",
        "busyTimeout", "PT2S"))) {
      Tenant tenant = Fixtures.tenant();
      storage.tenancy().insertTenant(tenant);
      assertThat(storage.tenancy().findTenant(tenant.id())).contains(tenant);
    }
    provider.open(Map.of("path", file.toString(), "busyTimeout", "250")).close();
  }

  @Test
  void providerRejectsBadSettingsNamingTheField() {
    StorageProvider provider = new SqliteStorageProvider();
    String path = dir.resolve("x.db").toString();
    assertInvalid(() -> provider.open(Map.of()), "path");
    assertInvalid(() -> provider.open(Map.of("path", " ")), "path");
    assertInvalid(() -> provider.open(Map.of("path", path, "maxPoolSize", "zero")), "maxPoolSize");
    assertInvalid(() -> provider.open(Map.of("path", path, "maxPoolSize", "0")), "maxPoolSize");
    assertInvalid(() -> provider.open(Map.of("path", path, "busyTimeout", "soon")), "busyTimeout");
    assertInvalid(() -> provider.open(Map.of("path", path, "url", "jdbc:x")), "url");
  }

  private static void assertInvalid(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String field) {
    NeuraSeaException e = catchThrowableOfType(NeuraSeaException.class, call);
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.fieldErrors()).extracting(f -> f.field()).containsExactly(field);
  }
}
