package com.neurasea.privacy;

import static com.neurasea.Errors.assertCode;
import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.Backends;
import com.neurasea.RawDatabase;
import com.neurasea.TestPlatform;
import com.neurasea.ledger.verify.MerkleHashes;
import com.neurasea.ledger.verify.VerifyCommand;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.Tenant;
import com.neurasea.permissions.AccessCacheSettings;
import com.neurasea.privacy.VerificationReport.Problem;
import com.neurasea.spi.PasswordCredentials;
import com.neurasea.tck.FreshStorage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rows of the stored ledger changed behind the library's back are found by {@code verify()}, which
 * names the first bad entry, and by the offline verifier; a tampered log gets no new checkpoint.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"sqlite", "postgres"})
class LedgerTamperTest {
  @RegisterExtension final FreshStorage fresh;
  @TempDir Path dir;
  TestPlatform t;
  PrivacyLedger ledger;
  RawDatabase db;
  long firstCheckpoint;
  long size;

  LedgerTamperTest(String backend) {
    this.fresh = Backends.fresh(backend);
  }

  @BeforeEach
  void setUp() {
    t = new TestPlatform(fresh.storage(), dir, AccessCacheSettings.DEFAULT);
    ledger = t.platform.privacy();
    db = new RawDatabase(fresh);
    Tenant acme = t.tenant("acme");
    for (int i = 0; i < 4; i++) {
      t.user(acme, "user" + i, BuiltInRole.MEMBER);
    }
    firstCheckpoint = ledger.checkpoint(t.admin).checkpoint().size();
    for (int i = 0; i < 3; i++) {
      t.platform.identity().authenticate(new PasswordCredentials("user" + i, TestPlatform.PASSWORD, "192.0.2." + i,
          "curl/8"));
    }
    size = ledger.checkpoint(t.admin).checkpoint().size();
    assertThat(size).isGreaterThan(firstCheckpoint + 2);
    assertThat(firstCheckpoint).isGreaterThan(4);
  }

  @AfterEach
  void tearDown() {
    t.close();
  }

  @Test
  void anUntouchedLedgerVerifies() {
    VerificationReport report = ledger.verify(t.admin);
    assertThat(report.ok()).as(report.message()).isTrue();
    assertThat(report.entriesChecked()).isEqualTo(size);
    assertThat(report.checkpointsChecked()).isEqualTo(2);
    assertThat(report.firstBad()).isEmpty();
  }

  @Test
  void modifiedContentIsAHashMismatchAtThatEntry() {
    rewrite(3, false);
    assertFirstBad(3, Problem.HASH_MISMATCH);
  }

  @Test
  void modifiedContentWithARecomputedHashBreaksTheNextEntrysLink() {
    rewrite(2, true);
    assertFirstBad(2, Problem.BROKEN_LINK);
  }

  @Test
  void aRewrittenLastEntryIsCaughtByTheCheckpointAfterTheLastGoodOne() {
    rewrite(size - 1, true);
    assertFirstBad(firstCheckpoint, Problem.ROOT_MISMATCH);
  }

  @Test
  void aDeletedEntryIsMissing() {
    db.update("DELETE FROM ledger_entries WHERE idx = ?", 4L);
    assertFirstBad(4, Problem.MISSING_ENTRY);
  }

  @Test
  void aDeletedEntryWithTheRestRenumberedIsAWrongPosition() {
    db.update("DELETE FROM ledger_entries WHERE idx = ?", 1L);
    for (long i = 2; i < size; i++) {
      db.update("UPDATE ledger_entries SET idx = ? WHERE idx = ?", i - 1, i);
    }
    assertFirstBad(1, Problem.WRONG_POSITION);
  }

  @Test
  void aTruncatedLogIsMissingWhatTheCheckpointCovers() {
    db.update("DELETE FROM ledger_entries WHERE idx = ?", size - 1);
    assertFirstBad(size - 1, Problem.MISSING_ENTRY);
  }

  @Test
  void swappedEntriesAreAWrongPosition() {
    db.update("UPDATE ledger_entries SET idx = ? WHERE idx = ?", -1L, 5L);
    db.update("UPDATE ledger_entries SET idx = ? WHERE idx = ?", 5L, 6L);
    db.update("UPDATE ledger_entries SET idx = ? WHERE idx = ?", 6L, -1L);
    assertFirstBad(5, Problem.WRONG_POSITION);
  }

  @Test
  void anInsertedEntryIsFoundAtItsPosition() {
    for (long i = size - 1; i >= 3; i--) {
      db.update("UPDATE ledger_entries SET idx = ? WHERE idx = ?", i + 1, i);
    }
    // A forged record that claims position 3 and links correctly to entry 2.
    String original = content(4);
    String forged = original.replace("purpose=account_security", "purpose=legal_compliance");
    assertThat(forged).isNotEqualTo(original);
    byte[] bytes = forged.getBytes(StandardCharsets.UTF_8);
    db.update("INSERT INTO ledger_entries (idx, recorded_at, tenant_id, subject_key, content, leaf_hash) "
            + "SELECT ?, recorded_at, tenant_id, subject_key, ?, ? FROM ledger_entries WHERE idx = ?", 3L,
        Base64.getEncoder().encodeToString(bytes), HexFormat.of().formatHex(MerkleHashes.leafHash(bytes)), 4L);
    assertFirstBad(3, Problem.WRONG_POSITION);
  }

  @Test
  void aChangedSubjectColumnDisagreesWithTheHashedContent() {
    db.update("UPDATE ledger_entries SET subject_key = ? WHERE idx = ?", "sk_someone_else_entirely", 2L);
    assertFirstBad(2, Problem.COLUMN_MISMATCH);
  }

  @Test
  void aForgedCheckpointSignatureIsFound() {
    String signed = db.text("SELECT signed_text FROM ledger_checkpoints WHERE size = ?", firstCheckpoint);
    db.update("UPDATE ledger_checkpoints SET signed_text = ? WHERE size = ?",
        signed.replace("neurasea-privacy-ledger", "neurasea-privacy-ledgeR"), firstCheckpoint);
    VerificationReport report = ledger.verify(t.admin);
    assertThat(report.problem()).isEqualTo(Problem.BAD_SIGNATURE);
  }

  @Test
  void erasedDetailsLeaveTheLogIntact() {
    assertThat(db.update("DELETE FROM ledger_details")).isGreaterThan(0);
    assertThat(ledger.verify(t.admin).ok()).isTrue();
  }

  @Test
  void aTamperedLogGetsNoNewCheckpointFromAnInstanceThatReadsIt() {
    rewrite(1, true);
    try (var restarted = t.sibling(dir, AccessCacheSettings.DEFAULT)) {
      t.user(t.tenant("later"), "late", null);
      assertCode(() -> restarted.privacy().checkpoint(t.admin), ErrorCode.FAILED_PRECONDITION);
    }
  }

  @Test
  void theOfflineVerifierAcceptsTheExportAndRejectsATamperedOne() throws Exception {
    assertThat(offlineVerify()).isEqualTo(VerifyCommand.OK);
    rewrite(size - 2, true);
    assertThat(offlineVerify()).isEqualTo(VerifyCommand.FAILED);
  }

  private int offlineVerify() throws Exception {
    Path checkpoints = dir.resolve("checkpoints.txt");
    Path key = dir.resolve("key.txt");
    Path entries = dir.resolve("entries.txt");
    Files.writeString(checkpoints, ledger.exportCheckpoints(t.admin));
    Files.writeString(key, ledger.publicKeyText());
    StringWriter out = new StringWriter();
    ledger.exportEntries(t.admin, out);
    Files.writeString(entries, out.toString());
    ByteArrayOutputStream report = new ByteArrayOutputStream();
    return VerifyCommand.run(new String[] {"--checkpoints", checkpoints.toString(), "--public-key", key.toString(),
        "--entries", entries.toString()}, new PrintStream(report, true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
  }

  private void assertFirstBad(long index, Problem problem) {
    VerificationReport report = ledger.verify(t.admin);
    assertThat(report.ok()).isFalse();
    assertThat(report.problem()).as(report.message()).isEqualTo(problem);
    assertThat(report.firstBadIndex()).as(report.message()).isEqualTo(index);
  }

  private String content(long index) {
    return new String(Base64.getDecoder().decode(db.text("SELECT content FROM ledger_entries WHERE idx = ?", index)),
        StandardCharsets.UTF_8);
  }

  /** Changes an entry's purpose; with {@code rehash} its leaf hash too, as a careful attacker would. */
  private void rewrite(long index, boolean rehash) {
    String original = content(index);
    String changed = original.contains("purpose=account_security")
        ? original.replace("purpose=account_security", "purpose=legal_compliance")
        : original.replace("purpose=security_monitoring", "purpose=legal_compliance");
    assertThat(changed).isNotEqualTo(original);
    byte[] bytes = changed.getBytes(StandardCharsets.UTF_8);
    db.update("UPDATE ledger_entries SET content = ? WHERE idx = ?", Base64.getEncoder().encodeToString(bytes), index);
    if (rehash) {
      db.update("UPDATE ledger_entries SET leaf_hash = ? WHERE idx = ?",
          HexFormat.of().formatHex(MerkleHashes.leafHash(bytes)), index);
    }
  }
}
