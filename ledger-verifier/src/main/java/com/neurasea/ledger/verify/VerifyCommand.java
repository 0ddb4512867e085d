package com.neurasea.ledger.verify;

import com.neurasea.ledger.verify.AuditReport.Finding;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The offline ledger verifier's command line.
 *
 * <pre>
 * java -jar neurasea-ledger-verifier.jar --checkpoints FILE --public-key FILE [--public-key FILE]...
 *     [--entries FILE]
 * </pre>
 *
 * <ul>
 *   <li>{@code --checkpoints}: a {@link CheckpointExport} (signed checkpoints, oldest first, with
 *       the consistency proof between each and the one before it).
 *   <li>{@code --public-key}: a trusted signing key, as {@code ed25519 <base64 of 32 bytes>} or a
 *       PEM {@code PUBLIC KEY} block ({@link Ed25519Keys#parsePublicKey(String)}); repeat it for
 *       rotated keys. Checkpoints name their key by {@link Ed25519Keys#keyId(PublicKey)}.
 *   <li>{@code --entries} (optional): an {@link EntryExport}; the root of its first {@code size}
 *       entries is recomputed and compared with every checkpoint it covers.
 * </ul>
 *
 * <p>It prints one line per check to standard output and a final {@code RESULT: OK} or {@code
 * RESULT: FAILED ...} line naming the first bad checkpoint. Exit status: 0 when everything
 * verifies, 1 when anything fails to verify or a file is unreadable or malformed, 2 on a usage
 * error.
 */
public final class VerifyCommand {

  /** Exit status when every check passed. */
  public static final int OK = 0;

  /** Exit status when a check failed or an input was unreadable or malformed. */
  public static final int FAILED = 1;

  /** Exit status for a usage error. */
  public static final int USAGE = 2;

  private static final String USAGE_TEXT = "usage: VerifyCommand --checkpoints FILE"
      + " --public-key FILE [--public-key FILE]... [--entries FILE]";

  private VerifyCommand() {}

  /**
   * Runs the verifier and exits with its status.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs the verifier without exiting the JVM.
   *
   * @param args the command line
   * @param out where the report goes
   * @param err where usage and input errors go
   * @return the exit status: {@link #OK}, {@link #FAILED} or {@link #USAGE}
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Arguments arguments;
    try {
      arguments = Arguments.parse(args);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      err.println(USAGE_TEXT);
      return USAGE;
    }
    if (arguments.help()) {
      out.println(USAGE_TEXT);
      return OK;
    }
    CheckpointExport export;
    List<PublicKey> keys = new ArrayList<>();
    Optional<EntryRoots> entryRoots;
    try {
      export = parseExport(arguments.checkpoints());
      for (Path keyFile : arguments.publicKeys()) {
        keys.add(parseKey(keyFile));
      }
      entryRoots = arguments.entries().isEmpty()
          ? Optional.empty()
          : Optional.of(entryRoots(arguments.entries().get(), export));
    } catch (InputException e) {
      err.println("error: " + e.getMessage());
      out.println("RESULT: FAILED (unreadable or malformed input)");
      return FAILED;
    }
    AuditReport report = LedgerAudit.audit(export, keys, entryRoots);
    print(export, report, out);
    return report.ok() ? OK : FAILED;
  }

  private static void print(CheckpointExport export, AuditReport report, PrintStream out) {
    int shown = -1;
    for (Finding finding : report.findings()) {
      if (finding.checkpoint() != shown) {
        shown = finding.checkpoint();
        out.println(describe(export, shown));
      }
      out.println("  " + (finding.ok() ? "ok     " : "FAILED ") + finding.code() + ": "
          + finding.message());
    }
    Optional<Finding> first = report.firstFailure();
    if (first.isEmpty()) {
      out.println("RESULT: OK (" + export.checkpoints().size() + " checkpoints verified)");
      return;
    }
    out.println("RESULT: FAILED at " + describe(export, first.get().checkpoint()) + ": "
        + first.get().code());
  }

  private static String describe(CheckpointExport export, int index) {
    Checkpoint checkpoint = export.checkpoints().get(index).signed().checkpoint();
    return "checkpoint #" + index + " (size " + checkpoint.size() + ", "
        + Instant.ofEpochMilli(checkpoint.timestampMillis()) + ")";
  }

  private static EntryRoots entryRoots(Path file, CheckpointExport export) throws InputException {
    Set<Long> sizes = new HashSet<>();
    export.checkpoints().forEach(c -> sizes.add(c.signed().checkpoint().size()));
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return EntryExport.rootsAt(in, sizes);
    } catch (IOException e) {
      throw new InputException("cannot read entry export " + file + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new InputException("entry export " + file + ", " + e.getMessage());
    }
  }

  private static CheckpointExport parseExport(Path file) throws InputException {
    String text = read(file, "checkpoint export");
    try {
      return CheckpointExport.parse(text);
    } catch (IllegalArgumentException e) {
      throw new InputException("checkpoint export " + file + ", " + e.getMessage());
    }
  }

  private static PublicKey parseKey(Path file) throws InputException {
    try {
      return Ed25519Keys.parsePublicKey(read(file, "public key"));
    } catch (IllegalArgumentException e) {
      throw new InputException("public key " + file + ": " + e.getMessage());
    }
  }

  private static String read(Path file, String what) throws InputException {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InputException("cannot read " + what + " " + file + ": " + e);
    } catch (IllegalArgumentException e) {
      throw new InputException(what + " " + file + ": " + e.getMessage());
    }
  }

  /** An input file that cannot be read or parsed; always ends the run with {@link #FAILED}. */
  private static final class InputException extends Exception {
    private static final long serialVersionUID = 1L;

    InputException(String message) {
      super(message);
    }
  }

  /** The parsed command line. */
  private record Arguments(
      boolean help, Path checkpoints, List<Path> publicKeys, Optional<Path> entries) {

    static Arguments parse(String[] args) {
      Path checkpoints = null;
      List<Path> keys = new ArrayList<>();
      Path entries = null;
      for (int i = 0; i < args.length; i++) {
        String flag = args[i];
        if (flag.equals("--help") || flag.equals("-h")) {
          return new Arguments(true, null, List.of(), Optional.empty());
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("missing value after " + flag);
        }
        Path value = Path.of(args[++i]);
        switch (flag) {
          case "--checkpoints" -> checkpoints = once(checkpoints, value, flag);
          case "--public-key" -> keys.add(value);
          case "--entries" -> entries = once(entries, value, flag);
          default -> throw new IllegalArgumentException("unknown option " + flag);
        }
      }
      if (checkpoints == null || keys.isEmpty()) {
        throw new IllegalArgumentException("--checkpoints and --public-key are required");
      }
      return new Arguments(false, checkpoints, List.copyOf(keys), Optional.ofNullable(entries));
    }

    private static Path once(Path current, Path value, String flag) {
      if (current != null) {
        throw new IllegalArgumentException(flag + " given twice");
      }
      return value;
    }
  }
}
