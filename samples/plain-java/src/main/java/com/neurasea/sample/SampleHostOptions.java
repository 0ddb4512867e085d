package com.neurasea.sample;

import com.neurasea.model.Patterns;
import com.neurasea.privacy.Jurisdiction;
import com.neurasea.privacy.MinorRule;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How the sample host runs: where it listens, where it keeps its data and who its first
 * administrator is. Flags win over environment variables, which win over the defaults.
 *
 * @param port the TCP port, 0 for any free port
 * @param bind the address to listen on
 * @param dataDir the directory holding {@code neurasea.db} and {@code neurasea.key}
 * @param adminUsername the platform administrator created on first start
 * @param issueAdminToken whether to issue (and print) a new token for the administrator at start,
 *     for an operator who lost the first one
 * @param db the storage URL ({@code sqlite:<path>} or a PostgreSQL JDBC URL, credentials from
 *     {@code NEURASEA_DB_USER} and {@code NEURASEA_DB_PASSWORD}); null for SQLite in the data directory
 * @param keyFile the token-hash key file; null for {@code neurasea.key} in the data directory. Hosts
 *     sharing one database must share this key.
 * @param jurisdiction the law whose legal bases the platform's own privacy-ledger records cite
 * @param minorRule how accounts flagged as minors' are treated
 * @param hostId this host's name in quota leases and usage records; null for a random one per start.
 *     Hosts sharing one database need distinct ids; a stable one lets a restarted host find its leases.
 * @param demoChannel serve the in-process echo model {@code demo-echo} through the gateway (a first try
 *     without a provider account)
 * @param binding {@code netty}: the event-loop gateway binding on the port, the admin API behind it (the
 *     default); {@code servlet}: Jetty serves both
 */
public record SampleHostOptions(
    int port, String bind, Path dataDir, String adminUsername, boolean issueAdminToken, String db, Path keyFile,
    Jurisdiction jurisdiction, MinorRule minorRule, String hostId, boolean demoChannel, String binding) {
  /** The port when none is given. */
  public static final int DEFAULT_PORT = 8080;
  /** The address when none is given: loopback only. */
  public static final String DEFAULT_BIND = "127.0.0.1";
  /** The data directory when none is given, relative to the working directory. */
  public static final String DEFAULT_DATA_DIR = "./neurasea-data";
  /** The gateway binding when none is given: the event loop. */
  public static final String DEFAULT_BINDING = "netty";
  /** The administrator's username when none is given. */
  public static final String DEFAULT_ADMIN_USERNAME = "admin";
  /** The shape of a host id, as the quota engine accepts it. */
  private static final String HOST_ID = "[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}";

  /** Validates the components. */
  public SampleHostOptions {
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(adminUsername, "adminUsername");
    Objects.requireNonNull(jurisdiction, "jurisdiction");
    Objects.requireNonNull(minorRule, "minorRule");
    if (!"netty".equals(binding) && !"servlet".equals(binding)) {
      throw new IllegalArgumentException("binding must be netty or servlet, was " + binding);
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be from 0 to 65535, was " + port);
    }
    if (hostId != null && !hostId.matches(HOST_ID)) {
      throw new IllegalArgumentException("hostId must be 1-64 letters, digits, '_', '.', ':' or '-', was " + hostId);
    }
  }

  /** Options without a token reissue. */
  public SampleHostOptions(int port, String bind, Path dataDir, String adminUsername) {
    this(port, bind, dataDir, adminUsername, false, null, null, Jurisdiction.GDPR, MinorRule.GUARDIAN_CONSENT, null,
        false, DEFAULT_BINDING);
  }

  /** The defaults: port 8080 on 127.0.0.1, data in {@code ./neurasea-data}, administrator {@code admin}. */
  public static SampleHostOptions defaults() {
    return new SampleHostOptions(DEFAULT_PORT, DEFAULT_BIND, Path.of(DEFAULT_DATA_DIR), DEFAULT_ADMIN_USERNAME);
  }

  /** The same options with another port. */
  public SampleHostOptions withPort(int newPort) {
    return new SampleHostOptions(newPort, bind, dataDir, adminUsername, issueAdminToken, db, keyFile, jurisdiction,
        minorRule, hostId, demoChannel, binding);
  }

  /** The same options with another data directory. */
  public SampleHostOptions withDataDir(Path newDataDir) {
    return new SampleHostOptions(port, bind, newDataDir, adminUsername, issueAdminToken, db, keyFile, jurisdiction,
        minorRule, hostId, demoChannel, binding);
  }

  /**
   * Reads flags ({@code --port 8080} or {@code --port=8080}) over environment variables over the
   * defaults. {@code --help} is not an option; the caller looks for it first.
   *
   * @param args the command line
   * @param env the environment
   * @return the options
   * @throws StartupException naming the flag or variable with an unusable value, or an unknown flag
   */
  public static SampleHostOptions parse(List<String> args, Map<String, String> env) {
    String port = env.get("NEURASEA_PORT");
    String portSource = "NEURASEA_PORT";
    String bind = env.getOrDefault("NEURASEA_BIND", DEFAULT_BIND);
    String bindSource = "NEURASEA_BIND";
    String dataDir = env.getOrDefault("NEURASEA_DATA_DIR", DEFAULT_DATA_DIR);
    String dataDirSource = "NEURASEA_DATA_DIR";
    String admin = env.getOrDefault("NEURASEA_ADMIN_USERNAME", DEFAULT_ADMIN_USERNAME);
    String adminSource = "NEURASEA_ADMIN_USERNAME";
    boolean issueAdminToken = false;
    boolean demoChannel = parseBoolean(env.getOrDefault("NEURASEA_DEMO_CHANNEL", "false"), "NEURASEA_DEMO_CHANNEL");
    String db = blankToNull(env.get("NEURASEA_DB"));
    String keyFile = blankToNull(env.get("NEURASEA_KEY_FILE"));
    String jurisdiction = env.getOrDefault("NEURASEA_PRIVACY_JURISDICTION", "gdpr");
    String jurisdictionSource = "NEURASEA_PRIVACY_JURISDICTION";
    String minorRule = env.getOrDefault("NEURASEA_MINOR_RULE", "guardian-consent");
    String minorRuleSource = "NEURASEA_MINOR_RULE";
    String hostId = blankToNull(env.get("NEURASEA_HOST_ID"));
    String hostIdSource = "NEURASEA_HOST_ID";
    String binding = env.getOrDefault("NEURASEA_BINDING", DEFAULT_BINDING);
    String bindingSource = "NEURASEA_BINDING";
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--issue-admin-token")) {
        issueAdminToken = true;
        continue;
      }
      if (arg.equals("--demo-channel")) {
        demoChannel = true;
        continue;
      }
      int equals = arg.indexOf('=');
      String flag = arg.startsWith("--") && equals > 0 ? arg.substring(0, equals) : arg;
      String value;
      if (equals > 0 && arg.startsWith("--")) {
        value = arg.substring(equals + 1);
      } else if (isFlag(flag)) {
        if (i + 1 >= args.size()) {
          throw new StartupException(flag + " needs a value; run with --help to see the flags");
        }
        value = args.get(++i);
      } else if (arg.startsWith("-")) {
        throw new StartupException("unknown flag " + arg + "; run with --help to see the flags");
      } else {
        throw new StartupException("unexpected argument '" + arg + "'; run with --help to see the flags");
      }
      switch (flag) {
        case "--port" -> {
          port = value;
          portSource = flag;
        }
        case "--bind" -> {
          bind = value;
          bindSource = flag;
        }
        case "--data-dir" -> {
          dataDir = value;
          dataDirSource = flag;
        }
        case "--admin-username" -> {
          admin = value;
          adminSource = flag;
        }
        case "--db" -> db = requireText(value, flag);
        case "--key-file" -> keyFile = requireText(value, flag);
        case "--privacy-jurisdiction" -> {
          jurisdiction = value;
          jurisdictionSource = flag;
        }
        case "--minor-rule" -> {
          minorRule = value;
          minorRuleSource = flag;
        }
        case "--host-id" -> {
          hostId = value;
          hostIdSource = flag;
        }
        case "--binding" -> {
          binding = value;
          bindingSource = flag;
        }
        default -> throw new StartupException("unknown flag " + flag + "; run with --help to see the flags");
      }
    }
    return new SampleHostOptions(port == null ? DEFAULT_PORT : parsePort(port, portSource),
        requireText(bind, bindSource), Path.of(requireText(dataDir, dataDirSource)), checkUsername(admin, adminSource),
        issueAdminToken, db, keyFile == null ? null : Path.of(keyFile), parseJurisdiction(jurisdiction, jurisdictionSource),
        parseMinorRule(minorRule, minorRuleSource), checkHostId(hostId, hostIdSource), demoChannel,
        parseBinding(binding, bindingSource));
  }

  /** What {@code --help} prints. */
  public static String usage() {
    return """
        Usage: java -jar neurasea-sample.jar [flags]

        Runs the NeuraSea admin API (/api/v1) and the OpenAI-compatible gateway (/v1) on embedded Jetty
        over SQLite. On first start it creates the platform administrator and prints its API token once.

        Flags (each may also be written --flag=value; a flag wins over its environment variable):
          --port N                TCP port to listen on, 0 for any free port    [env NEURASEA_PORT, default 8080]
          --bind ADDRESS          address to listen on; 0.0.0.0 for every one   [env NEURASEA_BIND, default 127.0.0.1]
          --data-dir DIR          directory for neurasea.db and neurasea.key    [env NEURASEA_DATA_DIR, default ./neurasea-data]
          --admin-username NAME   platform administrator created on first start [env NEURASEA_ADMIN_USERNAME, default admin]
          --db URL                storage: sqlite:<path> or jdbc:postgresql://host:port/db (user and password
                                  from NEURASEA_DB_USER / NEURASEA_DB_PASSWORD, never on the command line)
                                                                        [env NEURASEA_DB, default SQLite in the data directory]
          --key-file PATH         token-hash key; hosts sharing one database must share it
                                                                        [env NEURASEA_KEY_FILE, default <data-dir>/neurasea.key]
          --privacy-jurisdiction gdpr|pipl  legal bases the platform's own privacy records cite
                                                                        [env NEURASEA_PRIVACY_JURISDICTION, default gdpr]
          --minor-rule guardian-consent|block  accounts flagged as minors' wait for a guardian, or are disabled
                                                                        [env NEURASEA_MINOR_RULE, default guardian-consent]
          --host-id ID            this host's name in quota leases and usage records; hosts sharing one
                                  database need distinct ones   [env NEURASEA_HOST_ID, default random per start]
          --binding netty|servlet  netty: the event-loop gateway serves the port and passes the admin API
                                  to Jetty on loopback; servlet: Jetty serves both  [env NEURASEA_BINDING, default netty]
          --demo-channel          serve the local demo model 'demo-echo' (echoes, in-process; no provider
                                  account needed)                       [env NEURASEA_DEMO_CHANNEL=true, default off]
          --issue-admin-token     issue and print a new API token for the administrator (a lost first token)
          --help                  print this help and exit

        Exit codes: 0 after a clean shutdown, 2 when the host cannot start (the reason is printed).
        """;
  }

  private static boolean isFlag(String flag) {
    return flag.equals("--port") || flag.equals("--bind") || flag.equals("--data-dir")
        || flag.equals("--admin-username") || flag.equals("--db") || flag.equals("--key-file")
        || flag.equals("--privacy-jurisdiction") || flag.equals("--minor-rule") || flag.equals("--host-id")
        || flag.equals("--binding");
  }

  private static String parseBinding(String value, String source) {
    String binding = value.strip().toLowerCase(java.util.Locale.ROOT);
    if (!binding.equals("netty") && !binding.equals("servlet")) {
      throw new StartupException(source + " must be netty or servlet, was '" + value + "'");
    }
    return binding;
  }

  private static boolean parseBoolean(String value, String source) {
    return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off", "" -> false;
      default -> throw new StartupException(source + " must be true or false, was '" + value + "'");
    };
  }

  private static Jurisdiction parseJurisdiction(String value, String source) {
    return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "gdpr" -> Jurisdiction.GDPR;
      case "pipl" -> Jurisdiction.PIPL;
      default -> throw new StartupException(source + " must be gdpr or pipl, was '" + value + "'");
    };
  }

  private static MinorRule parseMinorRule(String value, String source) {
    return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "guardian-consent" -> MinorRule.GUARDIAN_CONSENT;
      case "block" -> MinorRule.BLOCK;
      default -> throw new StartupException(source + " must be guardian-consent or block, was '" + value + "'");
    };
  }

  private static String checkHostId(String value, String source) {
    if (value == null) {
      return null;
    }
    String id = value.strip();
    if (!id.matches(HOST_ID)) {
      throw new StartupException(source + " must be 1-64 letters, digits, '_', '.', ':' or '-', starting with a letter"
          + " or digit, was '" + value + "'");
    }
    return id;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static int parsePort(String value, String source) {
    try {
      int port = Integer.parseInt(value.strip());
      if (port >= 0 && port <= 65_535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new StartupException(source + " must be a port number from 0 to 65535, was '" + value + "'");
  }

  private static String requireText(String value, String source) {
    if (value == null || value.isBlank()) {
      throw new StartupException(source + " must not be empty");
    }
    return value.strip();
  }

  private static String checkUsername(String value, String source) {
    if (value == null || !value.matches(Patterns.USERNAME)) {
      throw new StartupException(source + " must be 3-64 letters, digits, '.', '_' or '-', starting with a letter or"
          + " digit, was '" + value + "'");
    }
    return value;
  }
}
