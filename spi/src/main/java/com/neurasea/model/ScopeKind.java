package com.neurasea.model;

/** Where a role binding applies. */
public enum ScopeKind {
  /** The whole platform (only for platform administrators). */
  PLATFORM,
  /** The whole tenant. */
  TENANT,
  /** One group and its descendants. */
  GROUP
}
