package com.neurasea.model;

/** What a role binding grants its role to. */
public enum SubjectKind {
  /** One user. */
  USER,
  /** Every member of a group and of its descendant groups. */
  GROUP
}
