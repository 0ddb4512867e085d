package com.neurasea.store.postgres;

import com.neurasea.model.NeuraSeaException;
import com.neurasea.spi.Storage;
import com.neurasea.store.jdbc.ProviderSettings;
import com.neurasea.spi.StorageProvider;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Opens the PostgreSQL storage by the name {@code postgres}. Settings: {@code url} (required, a
 * {@code jdbc:postgresql://host:port/database} URL), {@code username} and {@code password} (taken
 * from the environment variables {@value #USER_VARIABLE} and {@value #PASSWORD_VARIABLE} when
 * absent, so credentials never need to be on a command line), {@code schema}, {@code maxPoolSize}
 * (a positive integer) and {@code connectTimeout} (milliseconds or an ISO-8601 duration such as
 * {@code PT5S}). Unknown settings are rejected.
 */
public final class PostgresStorageProvider implements StorageProvider {
  /** The environment variable the user name comes from when the {@code username} setting is absent. */
  public static final String USER_VARIABLE = "NEURASEA_DB_USER";
  /** The environment variable the password comes from when the {@code password} setting is absent. */
  public static final String PASSWORD_VARIABLE = "NEURASEA_DB_PASSWORD";

  private static final Set<String> SETTINGS =
      Set.of("url", "username", "password", "schema", "maxPoolSize", "connectTimeout");

  private final UnaryOperator<String> environment;

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public PostgresStorageProvider() {
    this(System::getenv);
  }

  PostgresStorageProvider(UnaryOperator<String> environment) {
    this.environment = Objects.requireNonNull(environment, "environment");
  }

  @Override
  public String name() {
    return PostgresStorage.NAME;
  }

  /**
   * Accepts a PostgreSQL JDBC URL ({@code jdbc:postgresql://host:port/database}); the user and password
   * come from {@value #USER_VARIABLE} and {@value #PASSWORD_VARIABLE}, never from the URL's history.
   */
  @Override
  public Optional<Map<String, String>> settingsFor(String url) {
    if (url == null || !url.startsWith("jdbc:postgresql:")) {
      return Optional.empty();
    }
    return Optional.of(Map.of("url", url));
  }

  @Override
  public Storage open(Map<String, String> settings) {
    ProviderSettings.rejectUnknown("postgres", settings, SETTINGS);
    String url = settings.get("url");
    if (url == null || url.isBlank()) {
      throw NeuraSeaException.invalid("url", "is required: jdbc:postgresql://host:port/database");
    }
    PostgresStorage.Builder builder = PostgresStorage.builder().url(url);
    String username = orEnvironment(settings.get("username"), USER_VARIABLE);
    if (username != null) {
      builder.username(username);
    }
    String password = orEnvironment(settings.get("password"), PASSWORD_VARIABLE);
    if (password != null) {
      builder.password(password);
    }
    String schema = settings.get("schema");
    if (schema != null) {
      builder.schema(schema.trim());
    }
    String poolSize = settings.get("maxPoolSize");
    if (poolSize != null) {
      builder.maxPoolSize(ProviderSettings.positiveInt("maxPoolSize", poolSize));
    }
    String connectTimeout = settings.get("connectTimeout");
    if (connectTimeout != null) {
      builder.connectTimeout(ProviderSettings.duration("connectTimeout", connectTimeout, Duration.ofSeconds(1), Duration.ofMinutes(10)));
    }
    return builder.build();
  }

  private String orEnvironment(String value, String variable) {
    if (value != null) {
      return value;
    }
    String fromEnvironment = environment.apply(variable);
    return fromEnvironment == null || fromEnvironment.isEmpty() ? null : fromEnvironment;
  }

}
