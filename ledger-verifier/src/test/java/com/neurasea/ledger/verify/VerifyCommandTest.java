package com.neurasea.ledger.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyCommandTest {

  private static final KeyPair KEYS = Ed25519Keys.fromSeed(new byte[32]);
  private static final long[] SIZES = {0, 3, 8, 13, 20};
  private static final String ORIGIN = "neurasea.test/privacy-ledger";

  @TempDir Path dir;

  private final List<byte[]> entries = new ArrayList<>();
  private final MerkleLog log = new MerkleLog();
  private Path checkpoints;
  private Path key;
  private Path entryFile;
  private String stdout;
  private String stderr;

  @BeforeEach
  void exportASmallLog() throws IOException {
    for (int i = 0; i < 20; i++) {
      byte[] entry = ("{\"seq\":" + i + ",\"subject\":\"psn-" + (i % 4) + "\"}")
          .getBytes(StandardCharsets.UTF_8);
      entries.add(entry);
      log.appendEntry(entry);
    }
    checkpoints = dir.resolve("checkpoints.txt");
    key = dir.resolve("ledger.pub");
    entryFile = dir.resolve("entries.txt");
    Files.writeString(checkpoints, export(KEYS, log).format());
    Files.writeString(key, Ed25519Keys.formatPublicKey(KEYS.getPublic()) + "\n");
    writeEntries(entries);
  }

  @Test
  void anUntamperedExportVerifies() {
    assertThat(run("--checkpoints", checkpoints, "--public-key", key, "--entries", entryFile))
        .isEqualTo(VerifyCommand.OK);
    assertThat(stdout).contains("checkpoint #4 (size 20, ")
        .contains("consistent with checkpoint #3 (size 13)")
        .contains("root matches the first 13 exported entries")
        .endsWith("RESULT: OK (5 checkpoints verified)\n");
    assertThat(stderr).isEmpty();
  }

  @Test
  void aModifiedCheckpointIsNamed() throws IOException {
    String text = Files.readString(checkpoints);
    String[] lines = text.split("\n", -1);
    int sizeLine = indexOf(lines, "13");
    lines[sizeLine + 2] = "1"; // the timestamp of checkpoint #3, no longer what was signed
    Files.writeString(checkpoints, String.join("\n", lines));
    assertThat(run("--checkpoints", checkpoints, "--public-key", key)).isEqualTo(1);
    assertThat(stdout).contains("FAILED SIGNATURE_INVALID")
        .contains("RESULT: FAILED at checkpoint #3 (size 13, ");
  }

  @Test
  void aSignedForkIsCaughtByTheConsistencyProof() throws IOException {
    MerkleLog fork = new MerkleLog();
    for (int i = 0; i < 20; i++) {
      fork.appendEntry(i == 5 ? "rewritten".getBytes(StandardCharsets.UTF_8) : entries.get(i));
    }
    CheckpointExport honest = export(KEYS, log);
    CheckpointExport forked = export(KEYS, fork);
    List<ExportedCheckpoint> mixed = new ArrayList<>(honest.checkpoints().subList(0, 3));
    mixed.addAll(forked.checkpoints().subList(3, 5));
    Files.writeString(checkpoints, new CheckpointExport(mixed).format());
    assertThat(run("--checkpoints", checkpoints, "--public-key", key)).isEqualTo(1);
    assertThat(stdout).contains("FAILED ROOT_MISMATCH: not consistent with checkpoint #2")
        .contains("RESULT: FAILED at checkpoint #3 (size 13, ");
  }

  @Test
  void aModifiedEntryIsCaughtAtTheFirstCheckpointCoveringIt() throws IOException {
    List<byte[]> tampered = new ArrayList<>(entries);
    tampered.set(10, "{\"seq\":10,\"subject\":\"someone-else\"}".getBytes(StandardCharsets.UTF_8));
    writeEntries(tampered);
    assertThat(run("--checkpoints", checkpoints, "--public-key", key, "--entries", entryFile))
        .isEqualTo(1);
    assertThat(stdout).contains("ok     OK: root matches the first 8 exported entries")
        .contains("FAILED ENTRIES_ROOT_MISMATCH")
        .contains("RESULT: FAILED at checkpoint #3 (size 13, ");
  }

  @Test
  void aDeletedEntryLineIsReportedAtItsLine() throws IOException {
    String text = Files.readString(entryFile);
    Files.writeString(entryFile, text.replaceFirst("(?m)^5 .*\n", ""));
    assertThat(run("--checkpoints", checkpoints, "--public-key", key, "--entries", entryFile))
        .isEqualTo(1);
    assertThat(stderr).contains("line 7: entry index 6 where 5 was expected");
  }

  @Test
  void aShortEntryExportOnlyChecksWhatItCovers() throws IOException {
    writeEntries(entries.subList(0, 10));
    assertThat(run("--checkpoints", checkpoints, "--public-key", key, "--entries", entryFile))
        .isEqualTo(0);
    assertThat(stdout).contains("NOT_COVERED: the entry export holds only 10 entries");
  }

  @Test
  void anExportCutShortIsAnErrorNotAShorterLog() throws IOException {
    String text = Files.readString(entryFile);
    Files.writeString(entryFile, text.substring(0, text.indexOf("\n7 ") + 1));
    assertThat(run("--checkpoints", checkpoints, "--public-key", key, "--entries", entryFile)).isEqualTo(1);
    assertThat(stderr).contains("cut short");

    Files.writeString(entryFile, text.replace("end " + entries.size(), "end " + (entries.size() + 1)));
    assertThat(run("--checkpoints", checkpoints, "--public-key", key, "--entries", entryFile)).isEqualTo(1);
    assertThat(stderr).contains("the end line counts " + (entries.size() + 1));

    Files.writeString(entryFile, text + "99 AA==\n");
    assertThat(run("--checkpoints", checkpoints, "--public-key", key, "--entries", entryFile)).isEqualTo(1);
    assertThat(stderr).contains("nothing may follow the end line");
  }

  @Test
  void anUntrustedKeyFails() throws IOException {
    Files.writeString(key, Ed25519Keys.formatPublicKey(
        Ed25519Keys.fromSeed(new byte[] {
          1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
          17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}).getPublic()));
    assertThat(run("--checkpoints", checkpoints, "--public-key", key)).isEqualTo(1);
    assertThat(stdout).contains("FAILED UNKNOWN_KEY")
        .contains("RESULT: FAILED at checkpoint #0 (size 0, ");
  }

  @Test
  void malformedInputAndBadUsageAreReported() throws IOException {
    Files.writeString(checkpoints, Files.readString(checkpoints).replace("consistency-proof", "x"));
    assertThat(run("--checkpoints", checkpoints, "--public-key", key)).isEqualTo(1);
    assertThat(stderr).contains("line 16: expected 'consistency-proof <base64>...'");
    assertThat(stdout).contains("RESULT: FAILED");

    assertThat(run("--checkpoints", dir.resolve("missing.txt"), "--public-key", key)).isEqualTo(1);
    assertThat(stderr).contains("cannot read checkpoint export");

    assertThat(run("--checkpoints", checkpoints)).isEqualTo(VerifyCommand.USAGE);
    assertThat(run("--bogus", checkpoints)).isEqualTo(VerifyCommand.USAGE);
    assertThat(run("--help")).isEqualTo(VerifyCommand.OK);
  }

  @Test
  void exportFormatRoundTrips() {
    CheckpointExport export = export(KEYS, log);
    CheckpointExport parsed = CheckpointExport.parse(export.format());
    assertThat(parsed.format()).isEqualTo(export.format());
    assertThat(parsed.checkpoints()).hasSize(SIZES.length);
  }

  private static CheckpointExport export(KeyPair keys, MerkleLog source) {
    List<SignedCheckpoint> signed = new ArrayList<>();
    for (int i = 0; i < SIZES.length; i++) {
      Checkpoint checkpoint = new Checkpoint(
          ORIGIN, SIZES[i], source.root(SIZES[i]), 1_735_689_600_000L + i * 60_000L);
      signed.add(SignedCheckpoint.sign(checkpoint, keys));
    }
    return CheckpointExport.fromLog(signed, source);
  }

  private void writeEntries(List<byte[]> content) throws IOException {
    StringWriter out = new StringWriter();
    EntryExport.write(out, content);
    Files.writeString(entryFile, out.toString());
  }

  private static int indexOf(String[] lines, String value) {
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].equals(value)) {
        return i;
      }
    }
    throw new AssertionError("no line " + value);
  }

  private int run(Object... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] strings = new String[args.length];
    for (int i = 0; i < args.length; i++) {
      strings[i] = args[i].toString();
    }
    int status = VerifyCommand.run(strings, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    stdout = out.toString(StandardCharsets.UTF_8);
    stderr = err.toString(StandardCharsets.UTF_8);
    return status;
  }
}
