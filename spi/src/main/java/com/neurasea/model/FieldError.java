package com.neurasea.model;

import java.util.Objects;

/**
 * One offending field of a rejected command.
 *
 * @param field the field's path, e.g. {@code email} or {@code permissions[2]}
 * @param message a human-readable explanation that never echoes secrets
 */
public record FieldError(String field, String message) {
  /** Validates the components. */
  public FieldError {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(message, "message");
  }
}
