package com.neurasea.model;

/** What kind of actor a principal is. */
public enum PrincipalKind {
  /** A user signed in interactively. */
  USER,
  /** A user acting through one of its API tokens. */
  API_TOKEN,
  /** The platform itself (bootstrap, scheduled sweeps). */
  SYSTEM
}
