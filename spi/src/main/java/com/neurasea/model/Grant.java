package com.neurasea.model;

import java.util.Objects;

/**
 * One permission pattern a user holds through some binding, and where it holds it.
 *
 * @param scope the scope of the binding that grants it
 * @param permission the permission pattern
 */
public record Grant(Scope scope, String permission) {
  /** Validates the components. */
  public Grant {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(permission, "permission");
  }
}
