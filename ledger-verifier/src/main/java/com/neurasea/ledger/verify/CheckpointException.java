package com.neurasea.ledger.verify;

import java.util.Objects;

/**
 * Thrown when a signed checkpoint does not verify. The {@link #reason()} is a stable,
 * machine-readable code; the message is for people.
 */
public final class CheckpointException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why a signed checkpoint was rejected. The names are stable and may be shown to callers. */
  public enum Reason {
    /** The checkpoint names a key id other than the verifying key's. */
    KEY_ID_MISMATCH,
    /** The signature does not match the checkpoint body and the key. */
    SIGNATURE_INVALID
  }

  /** The stable reason code. */
  private final Reason reason;

  /**
   * Creates the exception.
   *
   * @param reason the stable reason code
   * @param message a human-readable explanation
   */
  public CheckpointException(Reason reason, String message) {
    super(Objects.requireNonNull(reason, "reason") + ": " + message);
    this.reason = reason;
  }

  /**
   * Returns why the checkpoint was rejected.
   *
   * @return the reason code
   */
  public Reason reason() {
    return reason;
  }
}
