package com.neurasea.model;

/** Where a data-subject request stands. */
public enum RequestStatus {
  /** Received; the requester's identity is not verified yet. */
  RECEIVED,
  /** The requester was verified to be the subject. */
  VERIFIED,
  /** Routed to the administrators of the subject's enterprise tenant, who handle it first. */
  ROUTED,
  /** Being carried out (an erasure runs step by step and resumes after a crash). */
  IN_PROGRESS,
  /** Done. */
  FULFILLED,
  /** Refused, with reasons. */
  REFUSED;

  /** Whether the request still needs work. */
  public boolean open() {
    return this != FULFILLED && this != REFUSED;
  }
}
