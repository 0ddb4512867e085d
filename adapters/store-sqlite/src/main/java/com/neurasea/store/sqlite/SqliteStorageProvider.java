package com.neurasea.store.sqlite;

import com.neurasea.model.NeuraSeaException;
import com.neurasea.spi.Storage;
import com.neurasea.store.jdbc.ProviderSettings;
import com.neurasea.spi.StorageProvider;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Opens the SQLite storage by the name {@code sqlite}. Settings: {@code path} (required, the
 * database file), {@code maxPoolSize} (a positive integer) and {@code busyTimeout} (milliseconds or
 * an ISO-8601 duration such as {@code PT5S}). Unknown settings are rejected. Hosts may also name it by
 * URL: {@code sqlite:<path>}.
 */
public final class SqliteStorageProvider implements StorageProvider {
  private static final Set<String> SETTINGS = Set.of("path", "maxPoolSize", "busyTimeout");
  /** The scheme of SQLite storage URLs: {@code sqlite:<path>}. */
  public static final String URL_PREFIX = "sqlite:";

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public SqliteStorageProvider() {}

  @Override
  public String name() {
    return SqliteStorage.NAME;
  }

  @Override
  public Storage open(Map<String, String> settings) {
    ProviderSettings.rejectUnknown("sqlite", settings, SETTINGS);
    String path = settings.get("path");
    if (path == null || path.isBlank()) {
      throw NeuraSeaException.invalid("path", "is required: the SQLite database file");
    }
    SqliteStorage.Builder builder = SqliteStorage.builder();
    try {
      builder.path(Path.of(path));
    } catch (InvalidPathException e) {
      throw NeuraSeaException.invalid("path", "is not a valid file path");
    }
    String poolSize = settings.get("maxPoolSize");
    if (poolSize != null) {
      builder.maxPoolSize(ProviderSettings.positiveInt("maxPoolSize", poolSize));
    }
    String busyTimeout = settings.get("busyTimeout");
    if (busyTimeout != null) {
      builder.busyTimeout(ProviderSettings.duration("busyTimeout", busyTimeout, Duration.ZERO, Duration.ofMillis(Integer.MAX_VALUE)));
    }
    return builder.build();
  }

  /** Accepts {@code sqlite:<path>}, the path relative to the working directory or absolute. */
  @Override
  public Optional<Map<String, String>> settingsFor(String url) {
    if (url == null || !url.startsWith(URL_PREFIX)) {
      return Optional.empty();
    }
    return Optional.of(Map.of("path", url.substring(URL_PREFIX.length())));
  }

}
