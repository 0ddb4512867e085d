package com.neurasea.sample;

import com.neurasea.NeuraSea;
import com.neurasea.http.AdminApiServlet;
import com.neurasea.http.GatewayServlet;
import com.neurasea.routing.GatewaySettings;
import com.neurasea.upstream.netty.NettyUpstreamTransport;
import com.neurasea.identity.BootstrapResult;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.quota.QuotaSettings;
import com.neurasea.spi.Storage;
import com.neurasea.store.sqlite.SqliteStorage;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import com.neurasea.gateway.netty.NettyGatewayServer;

/**
 * A runnable NeuraSea host on the embedded defaults: SQLite in a data directory, a key file next to
 * it, and the admin API on embedded Jetty.
 *
 * <pre>{@code
 * java -jar samples/plain-java/target/neurasea-sample.jar --port 8080 --data-dir ./neurasea-data
 * }</pre>
 *
 * <p>The first start creates the platform administrator and prints its API token once; later starts
 * reuse the data. Tests and other programs start it with {@link #start(SampleHostOptions)}.
 */
public final class SampleHost {
  /** The database file inside the data directory. */
  public static final String DATABASE_FILE = "neurasea.db";
  /** The quota settlement journal's directory in the data directory. */
  public static final String QUOTA_JOURNAL = "quota-journal";
  /** The key file inside the data directory. */
  public static final String KEY_FILE = "neurasea.key";
  /** The slug of the tenant created with the administrator on first start. */
  public static final String PLATFORM_TENANT = "platform";
  /** The exit status when the host cannot start. */
  public static final int EXIT_CANNOT_START = 2;

  private SampleHost() {}

  /**
   * Runs the host until it is stopped (Ctrl-C or a termination signal). Prints a one-line reason
   * and exits with status 2 when it cannot start.
   *
   * @param args the flags; see {@code --help}
   */
  public static void main(String[] args) {
    quietLibraryLogs();
    int status = run(Arrays.asList(args), System.getenv(), System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /**
   * Starts the host: prepares the data directory, opens the storage and the platform, creates the
   * administrator on first start and serves the admin API.
   *
   * @param options where to listen and keep data
   * @return the running host; close it to stop
   * @throws StartupException with a one-line reason when it cannot start
   */
  public static RunningHost start(SampleHostOptions options) {
    Path dataDir = prepareDataDir(options.dataDir());
    Path keyFile = options.keyFile() != null ? options.keyFile() : dataDir.resolve(KEY_FILE);
    // SQLite in the data directory is opened here for its clear messages; a URL goes through the
    // adapter that claims it, owned (and closed) by the platform.
    Storage storage = options.db() == null ? openStorage(dataDir.resolve(DATABASE_FILE)) : null;
    NeuraSea platform = null;
    Server server = null;
    try {
      platform = storage != null
          ? NeuraSea.builder().storage(storage).keyFile(keyFile).privacyJurisdiction(options.jurisdiction())
              .minorRule(options.minorRule()).quotaSettings(quotaSettings(options, dataDir))
              .gatewaySettings(GatewaySettings.DEFAULT.withDemoChannel(options.demoChannel()))
              .upstreamTransport(transportFor(options)).build()
          : openByUrl(options, keyFile, dataDir);
      server = new Server();
      int port = listen(server, platform, options);
      // Only once the port is ours: a start that fails later would lose the one-time token.
      Optional<BootstrapResult> bootstrap = bootstrap(platform, options.adminUsername());
      String recovery = bootstrap.isEmpty() && options.issueAdminToken()
          ? platform.identity().issueRecoveryToken(options.adminUsername()).secret()
          : null;
      return new RunningHost(server, platform, storage, options, dataDir, port,
          bootstrap.map(result -> result.token().secret()).orElse(null), recovery);
    } catch (StartupException e) {
      RunningHost.shutDown(server, platform, storage);
      throw e;
    } catch (NeuraSeaException e) {
      RunningHost.shutDown(server, platform, storage);
      throw new StartupException("cannot start the platform: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      RunningHost.shutDown(server, platform, storage);
      throw new StartupException("cannot start the platform: " + e, e);
    }
  }

  /** Parses flags, starts, prints the greeting and waits; returns the exit status. */
  static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(SampleHostOptions.usage());
      return 0;
    }
    RunningHost host;
    try {
      host = start(SampleHostOptions.parse(args, env));
    } catch (StartupException e) {
      err.println("neurasea: " + e.getMessage());
      return EXIT_CANNOT_START;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(host::close, "neurasea-shutdown"));
    out.print(greeting(host));
    out.flush();
    try {
      host.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      host.close();
    }
    return 0;
  }

  /** What a person sees once the host is up. */
  static String greeting(RunningHost host) {
    StringBuilder text = new StringBuilder();
    text.append("NeuraSea sample host listening on ").append(host.baseUri())
        .append(" (bound to ").append(host.bind()).append(':').append(host.port()).append(")\n")
        .append("Data directory: ").append(host.dataDir()).append('\n');
    Optional<String> token = host.bootstrapToken();
    if (token.isEmpty() && host.recoveryToken().isPresent()) {
      return text.append("Reusing existing data. New API token for the administrator '").append(host.adminUsername())
          .append("' (shown ONCE; earlier tokens stay valid until revoked):\n\n    ")
          .append(host.recoveryToken().get()).append("\n\nPress Ctrl-C to stop.\n").toString();
    }
    if (token.isEmpty()) {
      return text.append("Reusing existing data: the administrator '").append(host.adminUsername())
          .append("' already exists. Use the API token printed on first start")
          .append(" (lost it? restart with --issue-admin-token).\n")
          .append("Press Ctrl-C to stop.\n").toString();
    }
    String rule = "=".repeat(78) + "\n";
    return text.append('\n').append(rule)
        .append("First start: created the platform administrator '").append(host.adminUsername())
        .append("' and the tenant '").append(PLATFORM_TENANT).append("'.\n\n")
        .append("Admin API token (shown ONCE; only its hash is stored, it cannot be shown again):\n\n")
        .append("    ").append(token.get()).append("\n\n")
        .append("Try it:\n\n")
        .append("    export NEURASEA_TOKEN='").append(token.get()).append("'\n")
        .append("    curl -H \"Authorization: Bearer $NEURASEA_TOKEN\" ").append(host.baseUri()).append("/admin/v1/me\n\n")
        .append("API description: ").append(host.baseUri()).append("/openapi.json\n")
        .append(rule).append("Press Ctrl-C to stop.\n").toString();
  }

  private static Path prepareDataDir(Path requested) {
    Path dir = requested.toAbsolutePath().normalize();
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new StartupException("the data directory " + dir + " is a file, not a directory; choose another with --data-dir");
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new StartupException("cannot create the data directory " + dir + " (" + reason(e)
          + "); choose another with --data-dir", e);
    }
    try {
      // Root passes every permission check; only a real write shows a read-only file system.
      Files.delete(Files.createTempFile(dir, ".write-check", ".tmp"));
    } catch (IOException e) {
      throw new StartupException("the data directory " + dir + " is not writable (" + reason(e)
          + "); choose another with --data-dir", e);
    }
    return dir;
  }

  private static Storage openStorage(Path database) {
    try {
      return SqliteStorage.builder().path(database).build();
    } catch (NeuraSeaException e) {
      throw new StartupException("cannot open the database " + database + ": " + e.getMessage(), e);
    }
  }

  /**
   * The upstream transport adapter, discovered and owned by the platform: Netty's with the event-loop
   * binding (it shares its event loops with the gateway, so a request and its upstream call stay on
   * one thread), the JDK's with the servlet binding.
   */
  private static String transportFor(SampleHostOptions options) {
    return options.binding().equals("netty") ? "netty" : "jdk";
  }

  private static NeuraSea openByUrl(SampleHostOptions options, Path keyFile, Path dataDir) {
    try {
      return NeuraSea.builder().storageUrl(options.db()).keyFile(keyFile).privacyJurisdiction(options.jurisdiction())
          .minorRule(options.minorRule()).quotaSettings(quotaSettings(options, dataDir))
          .gatewaySettings(GatewaySettings.DEFAULT.withDemoChannel(options.demoChannel()))
          .upstreamTransport(transportFor(options)).build();
    } catch (NeuraSeaException e) {
      throw new StartupException("cannot open the storage given by --db: " + e.getMessage(), e);
    }
  }

  /**
   * The host's quota settings: its settlement journal lives in the data directory, so a host killed
   * between a settle and the next batch write loses no usage record and finds its leases again.
   */
  private static QuotaSettings quotaSettings(SampleHostOptions options, Path dataDir) {
    return QuotaSettings.DEFAULT.withHostId(options.hostId()).withJournal(dataDir.resolve(QUOTA_JOURNAL));
  }

  private static Optional<BootstrapResult> bootstrap(NeuraSea platform, String adminUsername) {
    try {
      return platform.bootstrap(adminUsername, PLATFORM_TENANT);
    } catch (NeuraSeaException e) {
      if (e.code() == ErrorCode.CONFLICT) {
        throw new StartupException("the data directory already holds a platform set up with another administrator;"
            + " start with the --admin-username used the first time", e);
      }
      throw new StartupException("cannot create the administrator '" + adminUsername + "': " + e.getMessage(), e);
    }
  }

  /**
   * Listens on {@code --bind}:{@code --port}. With the event-loop binding (the default) Netty serves
   * the gateway there and passes every other path to the admin servlet, which Jetty serves on a
   * loopback port of its own; with {@code --binding servlet} Jetty serves both on the port.
   */
  private static int listen(Server server, NeuraSea platform, SampleHostOptions options) {
    boolean netty = options.binding().equals("netty");
    HttpConfiguration http = new HttpConfiguration();
    if (netty) {
      // Only the proxy on this host reaches this connector: it says who the client is.
      http.addCustomizer(new ForwardedRequestCustomizer());
    }
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(netty ? "127.0.0.1" : options.bind());
    connector.setPort(netty ? 0 : options.port());
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    // Mapped at the root so that every unknown path also gets the API's JSON 404.
    context.addServlet(new ServletHolder("neurasea-admin-api", new AdminApiServlet(platform)), "/*");
    ServletHolder gateway = new ServletHolder("neurasea-gateway", new GatewayServlet(platform));
    gateway.setAsyncSupported(true);
    context.addServlet(gateway, GatewayServlet.URL_PATTERN);
    server.setHandler(context);
    try {
      server.start();
    } catch (Exception e) {
      throw listenFailure(options, e);
    }
    if (!netty) {
      return connector.getLocalPort();
    }
    NettyGatewayServer front;
    try {
      NettyGatewayServer.Options frontOptions = NettyGatewayServer.Options.DEFAULT
          .withAdminFallback(new AdminProxy(connector.getLocalPort()));
      if (platform.gateway().transport().orElse(null) instanceof NettyUpstreamTransport upstream) {
        frontOptions = frontOptions.withEventLoopGroup(upstream.eventLoopGroup());
      }
      front = NettyGatewayServer.start(platform, options.bind(), options.port(), frontOptions);
    } catch (RuntimeException e) {
      throw listenFailure(options, e);
    }
    server.addManaged(new AbstractLifeCycle() {
      @Override
      protected void doStop() {
        front.close();
      }
    });
    return front.port();
  }

  private static StartupException listenFailure(SampleHostOptions options, Exception e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (!(cause instanceof BindException) && cause instanceof java.io.IOException
          && String.valueOf(cause.getMessage()).contains("Address already in use")) {
        // Netty's native transport reports a busy port with its own IOException.
        return new StartupException("port " + options.port() + " on " + options.bind()
            + " is already in use; choose another with --port", e);
      }
      if (cause instanceof BindException bind) {
        String message = String.valueOf(bind.getMessage());
        if (message.contains("in use")) {
          return new StartupException("port " + options.port() + " on " + options.bind()
              + " is already in use; choose another with --port", e);
        }
        return new StartupException("cannot listen on " + options.bind() + ":" + options.port() + " (" + message
            + "); choose another address with --bind", e);
      }
      if (cause instanceof java.nio.channels.UnresolvedAddressException) {
        return new StartupException("cannot listen on " + options.bind() + ": unknown address; choose another with --bind", e);
      }
    }
    return new StartupException("cannot start the HTTP server on " + options.bind() + ":" + options.port() + ": " + e, e);
  }

  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileAlreadyExistsException exists) {
      return "a file is in the way: " + exists.getFile();
    }
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return fs.getReason() + (fs.getFile() == null ? "" : ": " + fs.getFile());
    }
    return e.toString();
  }

  private static void quietLibraryLogs() {
    // Jetty, Hikari and Flyway announce themselves at INFO; the sample's own output says enough.
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    if (System.getProperty("org.jboss.logging.provider") == null) {
      // Hibernate Validator logs through JBoss Logging, which would otherwise pick java.util.logging.
      System.setProperty("org.jboss.logging.provider", "slf4j");
    }
  }
}
