package com.neurasea.ledger.verify;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of auditing exported checkpoints: one finding per check, in the order made.
 *
 * @param findings what was checked and how it came out
 */
public record AuditReport(List<Finding> findings) {

  /**
   * One check's outcome.
   *
   * @param checkpoint the index of the checkpoint in the export that the check is about
   * @param ok whether the check passed
   * @param code a stable code: {@code OK} or a {@link ProofException.Reason}, a {@link
   *     CheckpointException.Reason}, {@code UNKNOWN_KEY}, {@code ORIGIN_CHANGED}, {@code
   *     TIME_WENT_BACK}, {@code ENTRIES_ROOT_MISMATCH} or {@code NOT_COVERED} (a note, still ok)
   * @param message a human-readable explanation
   */
  public record Finding(int checkpoint, boolean ok, String code, String message) {

    /**
     * Validates the fields.
     *
     * @param checkpoint the index of the checkpoint the check is about
     * @param ok whether the check passed
     * @param code the stable code
     * @param message the explanation
     * @throws NullPointerException if a text field is null
     */
    public Finding {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * Copies the findings.
   *
   * @param findings the findings
   * @throws NullPointerException if the list or an element is null
   */
  public AuditReport {
    findings = List.copyOf(findings);
  }

  /**
   * Tells whether every check passed.
   *
   * @return true if no finding failed
   */
  public boolean ok() {
    return findings.stream().allMatch(Finding::ok);
  }

  /**
   * Returns the first failed check, which names the first bad checkpoint.
   *
   * @return the first failure, or empty if all passed
   */
  public Optional<Finding> firstFailure() {
    return findings.stream().filter(f -> !f.ok()).findFirst();
  }
}
