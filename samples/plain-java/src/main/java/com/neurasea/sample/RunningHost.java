package com.neurasea.sample;

import com.neurasea.NeuraSea;
import com.neurasea.spi.Storage;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started sample host: Jetty serving the admin API over the platform and its SQLite storage.
 * {@link #close()} stops Jetty, then closes the platform, then the storage; it may be called more
 * than once (the shutdown hook and a test may both call it).
 */
public final class RunningHost implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunningHost.class);

  private final Server server;
  private final NeuraSea platform;
  private final Storage storage;
  private final SampleHostOptions options;
  private final Path dataDir;
  private final int port;
  private final String bootstrapToken;
  private final String recoveryToken;
  private boolean closed;

  RunningHost(Server server, NeuraSea platform, Storage storage, SampleHostOptions options, Path dataDir, int port,
      String bootstrapToken, String recoveryToken) {
    this.server = server;
    this.platform = platform;
    this.storage = storage;
    this.options = options;
    this.dataDir = dataDir;
    this.port = port;
    this.bootstrapToken = bootstrapToken;
    this.recoveryToken = recoveryToken;
  }

  /** The port Jetty listens on (the actual one when 0 was asked for). */
  public int port() {
    return port;
  }

  /** The address Jetty listens on. */
  public String bind() {
    return options.bind();
  }

  /** The data directory, absolute. */
  public Path dataDir() {
    return dataDir;
  }

  /** The administrator's username. */
  public String adminUsername() {
    return options.adminUsername();
  }

  /** The administrator's API token if this start created it (first start only); it is never stored. */
  public Optional<String> bootstrapToken() {
    return Optional.ofNullable(bootstrapToken);
  }

  /**
   * The token issued at this start by {@code --issue-admin-token} on existing data, shown once.
   *
   * @return the secret, empty unless a reissue was asked for on existing data
   */
  public Optional<String> recoveryToken() {
    return Optional.ofNullable(recoveryToken);
  }

  /** The platform, for hosts that embed the sample. */
  public NeuraSea platform() {
    return platform;
  }

  /** A URI a local client can reach the host at (loopback when listening on every address). */
  public URI baseUri() {
    String host = options.bind();
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      host = "127.0.0.1";
    } else if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + port);
  }

  /** Waits until the host is stopped. */
  public void join() throws InterruptedException {
    server.join();
  }

  /** Stops Jetty, then closes the platform and the storage. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    shutDown(server, platform, storage);
  }

  /** Stops and closes what exists, in order, logging (not throwing) what fails. */
  static void shutDown(Server server, NeuraSea platform, Storage storage) {
    if (server != null) {
      try {
        server.stop();
      } catch (Exception e) {
        LOG.warn("stopping Jetty failed: {}", e.toString());
      }
    }
    if (platform != null) {
      try {
        platform.close();
      } catch (RuntimeException e) {
        LOG.warn("closing the platform failed: {}", e.toString());
      }
    }
    if (storage != null) {
      try {
        storage.close();
      } catch (RuntimeException e) {
        LOG.warn("closing the storage failed: {}", e.toString());
      }
    }
  }
}
