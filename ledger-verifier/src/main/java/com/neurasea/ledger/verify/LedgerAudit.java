package com.neurasea.ledger.verify;

import com.neurasea.ledger.verify.AuditReport.Finding;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Offline audit of a {@link CheckpointExport}: every signature against the trusted keys, every
 * consistency proof between consecutive checkpoints, one origin, non-decreasing time, and
 * optionally every root against roots recomputed from exported entries.
 *
 * <p>All checks run even after a failure, so the report lists every problem; {@link
 * AuditReport#firstFailure()} names the first bad checkpoint.
 */
public final class LedgerAudit {

  private LedgerAudit() {}

  /**
   * Audits an export.
   *
   * @param export the checkpoints and consistency proofs
   * @param trustedKeys the Ed25519 public keys that may sign checkpoints
   * @param entryRoots roots recomputed from exported entries, if entries were supplied
   * @return the report
   */
  public static AuditReport audit(
      CheckpointExport export, Collection<PublicKey> trustedKeys, Optional<EntryRoots> entryRoots) {
    Objects.requireNonNull(export, "export");
    Objects.requireNonNull(trustedKeys, "trustedKeys");
    Objects.requireNonNull(entryRoots, "entryRoots");
    Map<String, PublicKey> keys = new HashMap<>();
    trustedKeys.forEach(key -> keys.put(Ed25519Keys.keyId(key), key));
    List<Finding> findings = new ArrayList<>();
    List<ExportedCheckpoint> checkpoints = export.checkpoints();
    for (int i = 0; i < checkpoints.size(); i++) {
      findings.add(signature(i, checkpoints.get(i).signed(), keys));
      if (i > 0) {
        findings.addAll(link(i, checkpoints.get(i - 1), checkpoints.get(i)));
      }
      if (entryRoots.isPresent()) {
        findings.add(entries(i, export, entryRoots.get()));
      }
    }
    return new AuditReport(findings);
  }

  private static Finding signature(int i, SignedCheckpoint signed, Map<String, PublicKey> keys) {
    PublicKey key = keys.get(signed.keyId());
    if (key == null) {
      return new Finding(i, false, "UNKNOWN_KEY",
          "signed by key " + signed.keyId() + ", which is not a trusted key");
    }
    try {
      signed.verify(key);
      return new Finding(i, true, "OK", "signature of key " + signed.keyId() + " is valid");
    } catch (CheckpointException e) {
      return new Finding(i, false, e.reason().name(), e.getMessage());
    }
  }

  private static List<Finding> link(int i, ExportedCheckpoint before, ExportedCheckpoint after) {
    Checkpoint older = before.signed().checkpoint();
    Checkpoint newer = after.signed().checkpoint();
    List<Finding> findings = new ArrayList<>();
    if (!older.origin().equals(newer.origin())) {
      findings.add(new Finding(i, false, "ORIGIN_CHANGED",
          "origin changed from '" + older.origin() + "' to '" + newer.origin() + "'"));
    }
    if (newer.timestampMillis() < older.timestampMillis()) {
      findings.add(new Finding(i, false, "TIME_WENT_BACK",
          "timestamp " + newer.timestampMillis() + " is before " + older.timestampMillis()));
    }
    try {
      MerkleVerifier.verifyConsistency(older.size(), newer.size(), after.consistencyProof(),
          older.root(), newer.root());
      findings.add(new Finding(i, true, "OK",
          "consistent with checkpoint #" + (i - 1) + " (size " + older.size() + ")"));
    } catch (ProofException e) {
      findings.add(new Finding(i, false, e.reason().name(),
          "not consistent with checkpoint #" + (i - 1) + ": " + e.getMessage()));
    }
    return findings;
  }

  private static Finding entries(int i, CheckpointExport export, EntryRoots roots) {
    Checkpoint checkpoint = export.checkpoints().get(i).signed().checkpoint();
    Optional<byte[]> recomputed = roots.rootAt(checkpoint.size());
    if (recomputed.isEmpty()) {
      return new Finding(i, true, "NOT_COVERED", "the entry export holds only "
          + roots.entryCount() + " entries; root of size " + checkpoint.size() + " not checked");
    }
    if (!MerkleHashes.sameHash(recomputed.get(), checkpoint.root())) {
      return new Finding(i, false, "ENTRIES_ROOT_MISMATCH", "the first " + checkpoint.size()
          + " exported entries hash to a different root than the checkpoint signs");
    }
    return new Finding(i, true, "OK",
        "root matches the first " + checkpoint.size() + " exported entries");
  }
}
