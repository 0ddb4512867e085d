package com.neurasea.tck;

import com.neurasea.spi.Storage;
import com.neurasea.spi.StorageProvider;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that gives each test a fresh, empty database of its own on a storage backend
 * and opens storages on it through the backend's {@link StorageProvider}, so the same test runs on
 * every backend and the TCK stays free of any adapter's classes.
 *
 * <pre>{@code
 * class MyTest {
 *   @RegisterExtension final FreshStorage fresh = FreshStorage.postgres();
 *
 *   @Test
 *   void works() {
 *     Storage storage = fresh.storage();
 *     ...
 *   }
 * }
 * }</pre>
 *
 * <p>Built in: {@link #sqlite()} (a file in a new temporary directory) and {@link #postgres()} (a
 * new schema {@code t_<random>} in the database named by {@value #POSTGRES_URL}, with
 * {@value #POSTGRES_USER} and {@value #POSTGRES_PASSWORD}). Without that URL the PostgreSQL tests are
 * skipped, unless {@value #REQUIRE_SERVICES}{@code =1}, when they fail. After each test every
 * storage it opened is closed and its database dropped.
 */
public final class FreshStorage implements BeforeEachCallback, AfterEachCallback {
  /** The environment variable holding the JDBC URL of the PostgreSQL database tests may use. */
  public static final String POSTGRES_URL = "NEURASEA_TEST_POSTGRES_URL";
  /** The environment variable holding the PostgreSQL user name. */
  public static final String POSTGRES_USER = "NEURASEA_TEST_POSTGRES_USER";
  /** The environment variable holding the PostgreSQL password. */
  public static final String POSTGRES_PASSWORD = "NEURASEA_TEST_POSTGRES_PASSWORD";
  /** The environment variable that, set to {@code 1}, turns a missing service into a failure. */
  public static final String REQUIRE_SERVICES = "NEURASEA_REQUIRE_SERVICES";

  /** Makes and drops the databases of one backend. */
  public interface Backend {
    /**
     * The name of the backend's {@link StorageProvider}.
     *
     * @return the provider's name
     */
    String provider();

    /**
     * Makes a new, empty database, or aborts the test (a JUnit assumption) when the backend is not
     * available here.
     *
     * @return the provider settings that open storages on it
     * @throws Exception when it cannot be made
     */
    Map<String, String> create() throws Exception;

    /**
     * Drops a database {@link #create()} made; every storage on it is closed already.
     *
     * @param settings what {@link #create()} returned
     * @throws Exception when it cannot be dropped
     */
    void drop(Map<String, String> settings) throws Exception;
  }

  private final Backend backend;
  private final List<Storage> opened = new ArrayList<>();
  private Map<String, String> settings;

  private FreshStorage(Backend backend) {
    this.backend = Objects.requireNonNull(backend, "backend");
  }

  /**
   * Fresh storages on any backend.
   *
   * @param backend makes and drops the databases
   * @return the extension
   */
  public static FreshStorage using(Backend backend) {
    return new FreshStorage(backend);
  }

  /**
   * Fresh SQLite storages, one database file per test in a new temporary directory.
   *
   * @return the extension
   */
  public static FreshStorage sqlite() {
    return using(new SqliteFiles());
  }

  /**
   * Fresh PostgreSQL storages, one schema per test in the database the environment names.
   *
   * @return the extension
   */
  public static FreshStorage postgres() {
    return using(new PostgresSchemas(System::getenv));
  }

  /**
   * The settings that open a storage on this test's database through the backend's provider; for
   * PostgreSQL {@code url}, {@code username}, {@code password} and {@code schema}.
   *
   * @return the settings
   */
  public Map<String, String> settings() {
    requireActive();
    return settings;
  }

  /**
   * The storage of this test: opened on first use, closed after the test.
   *
   * @return the storage
   */
  public Storage storage() {
    requireActive();
    return opened.isEmpty() ? open() : opened.get(0);
  }

  /**
   * Opens another storage on this test's database, as a second platform instance would; it is
   * closed after the test.
   *
   * @return a new storage sharing the test's database
   */
  public Storage open() {
    requireActive();
    Storage storage = provider(backend.provider()).open(settings);
    opened.add(storage);
    return storage;
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    settings = Map.copyOf(backend.create());
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    try {
      for (Storage storage : opened) {
        storage.close();
      }
    } finally {
      opened.clear();
      Map<String, String> used = settings;
      settings = null;
      if (used != null) {
        backend.drop(used);
      }
    }
  }

  private void requireActive() {
    if (settings == null) {
      throw new IllegalStateException("FreshStorage is used only while a test runs; register it with "
          + "@RegisterExtension on an instance field");
    }
  }

  private static StorageProvider provider(String name) {
    List<StorageProvider> found = new ArrayList<>();
    TreeSet<String> available = new TreeSet<>();
    for (StorageProvider provider : ServiceLoader.load(StorageProvider.class)) {
      available.add(provider.name());
      if (provider.name().equals(name)) {
        found.add(provider);
      }
    }
    if (found.size() != 1) {
      throw new IllegalStateException("expected one storage provider named " + name
          + " on the test class path; available: " + available);
    }
    return found.get(0);
  }

  /** One SQLite file per test. */
  static final class SqliteFiles implements Backend {
    @Override
    public String provider() {
      return "sqlite";
    }

    @Override
    public Map<String, String> create() throws IOException {
      Path directory = Files.createTempDirectory("neurasea-fresh-");
      return Map.of("path", directory.resolve("neurasea.db").toString());
    }

    @Override
    public void drop(Map<String, String> settings) throws IOException {
      Path directory = Path.of(settings.get("path")).getParent();
      Files.walkFileTree(directory, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
          Files.delete(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    }
  }

  /** One PostgreSQL schema per test, dropped with everything in it afterwards. */
  static final class PostgresSchemas implements Backend {
    private final UnaryOperator<String> environment;

    PostgresSchemas(UnaryOperator<String> environment) {
      this.environment = environment;
    }

    @Override
    public String provider() {
      return "postgres";
    }

    @Override
    public Map<String, String> create() throws SQLException {
      String url = environment.apply(POSTGRES_URL);
      if (url == null || url.isBlank()) {
        String message = "PostgreSQL tests skipped: set " + POSTGRES_URL + " (a jdbc:postgresql:// URL), "
            + POSTGRES_USER + " and " + POSTGRES_PASSWORD + " to run them (.ci/postgres.sh start prints them)";
        if ("1".equals(environment.apply(REQUIRE_SERVICES))) {
          throw new IllegalStateException(REQUIRE_SERVICES + "=1 but " + POSTGRES_URL + " is not set: " + message);
        }
        Assumptions.abort(message);
      }
      String user = environment.apply(POSTGRES_USER);
      String password = Objects.requireNonNullElse(environment.apply(POSTGRES_PASSWORD), "");
      String schema = TckFixtures.randomId("t_");
      AdminConnection.of(url, user, password).execute("CREATE SCHEMA " + schema);
      return user == null
          ? Map.of("url", url, "schema", schema)
          : Map.of("url", url, "username", user, "password", password, "schema", schema);
    }

    @Override
    public void drop(Map<String, String> settings) throws SQLException {
      AdminConnection.of(settings.get("url"), settings.get("username"), settings.getOrDefault("password", ""))
          .execute("DROP SCHEMA IF EXISTS " + settings.get("schema") + " CASCADE");
    }
  }

  /**
   * One connection per database for creating and dropping schemas, kept for the whole run (logging
   * in costs more than the statements), and replaced when a test killed it.
   */
  private static final class AdminConnection {
    private static final Map<String, AdminConnection> OPEN = new ConcurrentHashMap<>();

    private final String url;
    private final String user;
    private final String password;
    private Connection connection;

    private AdminConnection(String url, String user, String password) {
      this.url = url;
      this.user = user;
      this.password = password;
    }

    static AdminConnection of(String url, String user, String password) {
      return OPEN.computeIfAbsent(url + "\n" + user, key -> new AdminConnection(url, user, password));
    }

    synchronized void execute(String sql) throws SQLException {
      try {
        run(sql);
      } catch (SQLException e) {
        if (connection != null && connection.isValid(2)) {
          throw e;
        }
        // Killed by a test (a terminated backend): log in again once.
        connection = null;
        run(sql);
      }
    }

    private void run(String sql) throws SQLException {
      if (connection == null) {
        connection = user == null ? DriverManager.getConnection(url) : DriverManager.getConnection(url, user, password);
      }
      try (Statement statement = connection.createStatement()) {
        statement.execute(sql);
      }
    }
  }
}
