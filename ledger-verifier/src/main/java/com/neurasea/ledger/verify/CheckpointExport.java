package com.neurasea.ledger.verify;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * An ordered series of signed checkpoints with the consistency proofs between consecutive ones:
 * what a ledger exports so that anyone can check offline that it only ever grew.
 *
 * <p>Text form ({@link #format()}, {@link #parse(String)}), UTF-8, every line ending in {@code
 * \n}: a header line, then per checkpoint a blank line and its six-line {@link
 * SignedCheckpoint#serialize() serialized form}; every checkpoint but the first is followed by one
 * line {@code consistency-proof} with the proof's hashes appended, each as a space and standard
 * padded base64:
 *
 * <pre>
 * neurasea-checkpoint-export/v1
 *
 * neurasea-checkpoint/v1
 * ...five more lines of the first signed checkpoint...
 *
 * neurasea-checkpoint/v1
 * ...five more lines of the second signed checkpoint...
 * consistency-proof h1base64= h2base64=
 * </pre>
 *
 * @param checkpoints the checkpoints in the order they were made, at least one
 */
public record CheckpointExport(List<ExportedCheckpoint> checkpoints) {

  /** The first line of an export. */
  public static final String HEADER = "neurasea-checkpoint-export/v1";

  private static final String PROOF_PREFIX = "consistency-proof";

  /**
   * Validates and copies the list.
   *
   * @param checkpoints the checkpoints, oldest first
   * @throws IllegalArgumentException if the list is empty or the first checkpoint has a proof
   */
  public CheckpointExport {
    checkpoints = List.copyOf(Objects.requireNonNull(checkpoints, "checkpoints"));
    if (checkpoints.isEmpty()) {
      throw new IllegalArgumentException("an export holds at least one checkpoint");
    }
    if (!checkpoints.get(0).consistencyProof().isEmpty()) {
      throw new IllegalArgumentException("the first checkpoint has no predecessor to prove");
    }
  }

  /**
   * Builds an export of signed checkpoints of a log, generating each consistency proof from the
   * log's leaves.
   *
   * @param signed the checkpoints, oldest first, sizes non-decreasing and within the log
   * @param log the log the checkpoints describe
   * @return the export
   * @throws IllegalArgumentException if the sizes decrease or exceed the log
   */
  public static CheckpointExport fromLog(List<SignedCheckpoint> signed, LeafHashes log) {
    Objects.requireNonNull(signed, "signed");
    Objects.requireNonNull(log, "log");
    List<ExportedCheckpoint> out = new ArrayList<>(signed.size());
    for (int i = 0; i < signed.size(); i++) {
      List<byte[]> proof = i == 0 ? List.of() : MerkleTree.consistencyProof(log,
          signed.get(i - 1).checkpoint().size(), signed.get(i).checkpoint().size());
      out.add(new ExportedCheckpoint(signed.get(i), proof));
    }
    return new CheckpointExport(out);
  }

  /**
   * Writes the text form described in the class documentation.
   *
   * @return the text, ending with a line break
   */
  public String format() {
    StringBuilder out = new StringBuilder(HEADER).append('\n');
    for (int i = 0; i < checkpoints.size(); i++) {
      ExportedCheckpoint exported = checkpoints.get(i);
      out.append('\n').append(exported.signed().serialize());
      if (i > 0) {
        out.append(PROOF_PREFIX);
        for (byte[] hash : exported.consistencyProof()) {
          out.append(' ').append(Base64.getEncoder().encodeToString(hash));
        }
        out.append('\n');
      }
    }
    return out.toString();
  }

  /**
   * Parses the text form strictly: no missing, extra or reordered lines, no carriage returns.
   *
   * @param text the export's content
   * @return the export (signatures and proofs are not checked here)
   * @throws IllegalArgumentException naming the line number of the first problem
   */
  public static CheckpointExport parse(String text) {
    Objects.requireNonNull(text, "text");
    if (!text.endsWith("\n")) {
      throw new IllegalArgumentException("export must end with a line break");
    }
    String[] lines = text.split("\n", -1);
    int last = lines.length - 1;
    if (!HEADER.equals(lines[0])) {
      throw lineError(0, "expected '" + HEADER + "'");
    }
    List<ExportedCheckpoint> checkpoints = new ArrayList<>();
    int at = 1;
    while (at < last) {
      if (!lines[at].isEmpty()) {
        throw lineError(at, "expected a blank line before the next checkpoint");
      }
      at++;
      int needed = SignedCheckpoint.lineCount() + (checkpoints.isEmpty() ? 0 : 1);
      if (at + needed > last) {
        throw lineError(at, "checkpoint #" + checkpoints.size() + " is truncated");
      }
      SignedCheckpoint signed;
      try {
        signed = SignedCheckpoint.fromLines(lines, at);
      } catch (IllegalArgumentException e) {
        throw lineError(at, "checkpoint #" + checkpoints.size() + ": " + e.getMessage());
      }
      at += SignedCheckpoint.lineCount();
      List<byte[]> proof = checkpoints.isEmpty() ? List.of() : proofLine(lines[at], at++);
      checkpoints.add(new ExportedCheckpoint(signed, proof));
    }
    if (checkpoints.isEmpty()) {
      throw lineError(at, "export holds no checkpoint");
    }
    return new CheckpointExport(checkpoints);
  }

  private static List<byte[]> proofLine(String line, int lineIndex) {
    String[] parts = line.split(" ", -1);
    if (!PROOF_PREFIX.equals(parts[0])) {
      throw lineError(lineIndex, "expected '" + PROOF_PREFIX + " <base64>...'");
    }
    List<byte[]> proof = new ArrayList<>(parts.length - 1);
    for (int i = 1; i < parts.length; i++) {
      byte[] hash;
      try {
        hash = TextFields.base64(parts[i], "proof hash " + (i - 1));
      } catch (IllegalArgumentException e) {
        throw lineError(lineIndex, e.getMessage());
      }
      if (hash.length != MerkleHashes.HASH_SIZE) {
        throw lineError(lineIndex, "proof hash " + (i - 1) + " is " + hash.length + " bytes");
      }
      proof.add(hash);
    }
    return proof;
  }

  private static IllegalArgumentException lineError(int lineIndex, String message) {
    return new IllegalArgumentException("line " + (lineIndex + 1) + ": " + message);
  }
}
