package com.neurasea.model;

/** Lifecycle of a user account. */
public enum AccountStatus {
  /** Created but not yet activated (e.g. awaiting verification). */
  PENDING,
  /** May sign in and act. */
  ACTIVE,
  /** Locked by an administrator; cannot sign in until unlocked. */
  LOCKED,
  /** Disabled; cannot sign in. */
  DISABLED
}
