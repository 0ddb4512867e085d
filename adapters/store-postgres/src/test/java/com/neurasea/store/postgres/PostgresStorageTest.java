package com.neurasea.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.FieldError;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.Tenant;
import com.neurasea.spi.Storage;
import com.neurasea.spi.StorageProvider;
import com.neurasea.tck.FreshStorage;
import com.neurasea.tck.TckFixtures;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresStorageTest {
  @RegisterExtension final FreshStorage fresh = FreshStorage.postgres();

  @Test
  void opensAMigratedStorageInItsOwnSchema() throws Exception {
    Storage storage = fresh.storage();
    assertThat(storage.name()).isEqualTo("postgres");
    Tenant tenant = TckFixtures.tenant();
    storage.tenancy().insertTenant(tenant);
    try (PgAdmin admin = PgAdmin.of(fresh)) {
      assertThat(admin.rows("tenants", null)).isEqualTo(1);
      assertThat(admin.text("SELECT max(version) FROM " + admin.schema() + ".neurasea_schema_history"))
          .isEqualTo("6");
      assertThat(admin.count("SELECT count(*) FROM information_schema.tables WHERE table_name = 'tenants' "
          + "AND table_schema = '" + admin.schema() + "'")).isEqualTo(1);
    }
  }

  @Test
  void dataOutlivesTheStorageAndIsSharedByInstances() {
    Tenant tenant = TckFixtures.tenant();
    Storage first = fresh.open();
    first.tenancy().insertTenant(tenant);
    first.close();
    assertThat(fresh.open().tenancy().findTenant(tenant.id())).contains(tenant);
  }

  @Test
  void aSecondSchemaIsASeparateDeployment() throws Exception {
    String other = fresh.settings().get("schema") + "_other";
    try (PgAdmin admin = PgAdmin.of(fresh)) {
      try (Storage second = builder().schema(other).build()) {
        Tenant tenant = TckFixtures.tenant();
        second.tenancy().insertTenant(tenant);
        assertThat(fresh.storage().tenancy().findTenant(tenant.id())).isEmpty();
        assertThat(admin.count("SELECT count(*) FROM " + other + ".tenants")).isEqualTo(1);
      } finally {
        admin.execute("DROP SCHEMA IF EXISTS " + other + " CASCADE");
      }
    }
  }

  @Test
  void builderRejectsBadAndRepeatedSettings() {
    assertThatThrownBy(() -> PostgresStorage.builder().build()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> PostgresStorage.builder().username("a").username("b"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> PostgresStorage.builder().maxPoolSize(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PostgresStorage.builder().connectTimeout(Duration.ofMillis(10)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PostgresStorage.builder().password(null)).isInstanceOf(NullPointerException.class);
    assertInvalid(() -> PostgresStorage.builder().schema("Robert'); DROP TABLE users;--"), "schema");
    assertInvalid(() -> PostgresStorage.builder().schema("1abc"), "schema");
  }

  @Test
  void aMalformedUrlIsInvalidNamingTheUrl() {
    for (String url : new String[] {"not a url", "jdbc:mysql://127.0.0.1/neurasea",
        "jdbc:postgresql://127.0.0.1:notaport/neurasea?password=secret"}) {
      NeuraSeaException e = assertInvalid(() -> PostgresStorage.builder().url(url), "url");
      assertThat(e.getMessage()).doesNotContain("secret").doesNotContain(url);
    }
  }

  @Test
  void aRefusedConnectionIsUnavailableNamingTheUrl() {
    long start = System.nanoTime();
    NeuraSeaException e = catchThrowableOfType(NeuraSeaException.class, () -> builderFor(
        "jdbc:postgresql://127.0.0.1:1/neurasea?password=secret-in-url").build());
    assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(e.getMessage()).isEqualTo("cannot connect to PostgreSQL at 127.0.0.1:1 (url): connection refused");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertNoSecrets(e);
  }

  @Test
  void anUnknownHostIsUnavailableNamingTheUrl() {
    NeuraSeaException e = catchThrowableOfType(NeuraSeaException.class,
        () -> builderFor("jdbc:postgresql://no-such-host.invalid:5432/neurasea").build());
    assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(e.getMessage()).startsWith("cannot connect to PostgreSQL at no-such-host.invalid:5432 (url): ")
        .contains("unknown host");
    assertNoSecrets(e);
  }

  @Test
  void aWrongPasswordIsInvalidNamingTheCredentials() {
    NeuraSeaException e = catchThrowableOfType(NeuraSeaException.class, () -> PostgresStorage.builder()
        .url(fresh.settings().get("url"))
        .username(fresh.settings().get("username"))
        .password("wrong-password-1234")
        .build());
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.fieldErrors()).extracting(FieldError::field).containsExactly("username", "password");
    assertThat(e.getMessage()).contains("refused the login of user " + fresh.settings().get("username"))
        .contains("(username, password)")
        .doesNotContain("wrong-password-1234");
    assertNoSecrets(e);
  }

  @Test
  void aMissingDatabaseIsInvalidNamingTheUrl() {
    String url = fresh.settings().get("url").replaceAll("/[^/?]+(\\?.*)?$", "/no_such_database");
    NeuraSeaException e = catchThrowableOfType(NeuraSeaException.class, () -> builderFor(url).build());
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.fieldErrors()).extracting(FieldError::field).containsExactly("url");
    assertThat(e.getMessage()).contains("has no database named no_such_database (url)");
    assertNoSecrets(e);
  }

  @Test
  void aDatabaseWrittenByANewerReleaseIsRefused() throws Exception {
    fresh.storage();
    try (PgAdmin admin = PgAdmin.of(fresh)) {
      admin.execute("INSERT INTO " + admin.schema() + ".neurasea_schema_history (installed_rank, version, "
          + "description, type, script, checksum, installed_by, execution_time, success) "
          + "VALUES (99, '999', 'from the future', 'SQL', 'V999__from_the_future.sql', 0, 'test', 1, true)");
    }
    NeuraSeaException e = catchThrowableOfType(NeuraSeaException.class, () -> fresh.open());
    assertThat(e.code()).isEqualTo(ErrorCode.FAILED_PRECONDITION);
    assertThat(e.getMessage()).isEqualTo("database schema version 999 is newer than this library supports (6); "
        + "upgrade NeuraSea or use another data directory");
  }

  @Test
  void aClosedStorageIsUnavailable() {
    Storage storage = fresh.open();
    storage.close();
    storage.close();
    NeuraSeaException e = catchThrowableOfType(NeuraSeaException.class,
        () -> storage.tenancy().findTenant(TckFixtures.tenant().id()));
    assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
    NeuraSeaException tx = catchThrowableOfType(NeuraSeaException.class, () -> storage.inTransaction(s -> null));
    assertThat(tx.code()).isEqualTo(ErrorCode.UNAVAILABLE);
    storage.changeNotifier().orElseThrow().publish("tenant:closed");
  }

  @Test
  void providerIsDiscoveredByNameAndOpensFromSettings() {
    StorageProvider provider = ServiceLoader.load(StorageProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.name().equals("postgres"))
        .findFirst()
        .orElseThrow();
    Map<String, String> settings = new HashMap<>(fresh.settings());
    settings.put("maxPoolSize", "3");
    settings.put("connectTimeout", "PT2S");
    try (Storage storage = provider.open(settings)) {
      Tenant tenant = TckFixtures.tenant();
      storage.tenancy().insertTenant(tenant);
      assertThat(storage.tenancy().findTenant(tenant.id())).contains(tenant);
      assertThat(storage.changeNotifier()).isPresent();
    }
  }

  @Test
  void providerTakesMissingCredentialsFromTheEnvironment() {
    Map<String, String> environment = Map.of(
        PostgresStorageProvider.USER_VARIABLE, fresh.settings().get("username"),
        PostgresStorageProvider.PASSWORD_VARIABLE, fresh.settings().get("password"));
    StorageProvider provider = new PostgresStorageProvider(environment::get);
    try (Storage storage = provider.open(Map.of("url", fresh.settings().get("url"),
        "schema", fresh.settings().get("schema")))) {
      assertThat(storage.tenancy().findTenant(TckFixtures.tenant().id())).isEmpty();
    }
    NeuraSeaException wrong = catchThrowableOfType(NeuraSeaException.class, () -> provider.open(Map.of(
        "url", fresh.settings().get("url"), "password", "not-the-password-42")));
    assertThat(wrong.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(wrong.getMessage()).doesNotContain("not-the-password-42");
  }

  @Test
  void providerRejectsBadSettingsNamingTheField() {
    StorageProvider provider = new PostgresStorageProvider(name -> null);
    String url = "jdbc:postgresql://127.0.0.1:1/neurasea";
    assertInvalid(() -> provider.open(Map.of()), "url");
    assertInvalid(() -> provider.open(Map.of("url", " ")), "url");
    assertInvalid(() -> provider.open(Map.of("url", "jdbc:sqlite:x.db")), "url");
    assertInvalid(() -> provider.open(Map.of("url", url, "maxPoolSize", "zero")), "maxPoolSize");
    assertInvalid(() -> provider.open(Map.of("url", url, "connectTimeout", "soon")), "connectTimeout");
    assertInvalid(() -> provider.open(Map.of("url", url, "schema", "Bad Schema")), "schema");
    assertInvalid(() -> provider.open(Map.of("url", url, "path", "x.db")), "path");
  }

  private PostgresStorage.Builder builder() {
    return builderFor(fresh.settings().get("url"));
  }

  private PostgresStorage.Builder builderFor(String url) {
    return PostgresStorage.builder()
        .url(url)
        .username(fresh.settings().get("username"))
        .password(fresh.settings().get("password"))
        .connectTimeout(Duration.ofSeconds(2));
  }

  private void assertNoSecrets(NeuraSeaException e) {
    String password = fresh.settings().get("password");
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertThat(String.valueOf(t.getMessage())).doesNotContain(password).doesNotContain("secret-in-url");
    }
  }

  private static NeuraSeaException assertInvalid(ThrowingCallable call, String field) {
    NeuraSeaException e = catchThrowableOfType(NeuraSeaException.class, call);
    assertThat(e).as("expected INVALID_ARGUMENT on " + field).isNotNull();
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.fieldErrors()).extracting(FieldError::field).containsExactly(field);
    return e;
  }
}
