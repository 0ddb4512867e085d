package com.neurasea.ledger.verify;

import java.util.Objects;

/**
 * Thrown when an inclusion or consistency proof does not verify. The {@link #reason()} is a stable,
 * machine-readable code; the message is for people.
 */
public final class ProofException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why a proof was rejected. The names are stable and may be shown to callers. */
  public enum Reason {
    /** A tree size is negative. */
    INVALID_SIZE,
    /** The leaf index is negative or not smaller than the tree size. */
    INDEX_OUT_OF_RANGE,
    /** The second tree of a consistency proof is smaller than the first. */
    SIZE_DECREASED,
    /** A leaf hash, root or proof element is missing or not {@link MerkleHashes#HASH_SIZE} bytes. */
    WRONG_HASH_SIZE,
    /** The proof has more or fewer elements than the sizes require (including an empty proof). */
    WRONG_PROOF_SIZE,
    /** The root recomputed from the proof differs from the expected root. */
    ROOT_MISMATCH
  }

  /** The stable reason code. */
  private final Reason reason;

  /**
   * Creates the exception.
   *
   * @param reason the stable reason code
   * @param message a human-readable explanation
   */
  public ProofException(Reason reason, String message) {
    super(Objects.requireNonNull(reason, "reason") + ": " + message);
    this.reason = reason;
  }

  /**
   * Returns why the proof was rejected.
   *
   * @return the reason code
   */
  public Reason reason() {
    return reason;
  }
}
