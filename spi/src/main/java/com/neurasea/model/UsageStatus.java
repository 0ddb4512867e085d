package com.neurasea.model;

/** How a reservation ended. Every reservation ends in exactly one usage record. */
public enum UsageStatus {
  /** Settled after the work succeeded. */
  SUCCEEDED,
  /** Settled after the work failed part-way (what was used is charged). */
  FAILED,
  /** Released before any work was done: nothing is charged. */
  RELEASED,
  /** Left open past its expiry (a crashed host, a caller that never settled): nothing is charged. */
  EXPIRED;

  /** The lower-case name used in the HTTP API and CSV. */
  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
