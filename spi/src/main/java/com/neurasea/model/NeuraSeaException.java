package com.neurasea.model;

import java.util.List;
import java.util.Objects;

/**
 * The one exception family of the platform. Every failure a caller can see carries a stable
 * {@link ErrorCode}; validation failures also list each offending field.
 */
public class NeuraSeaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final List<FieldError> fieldErrors;

  /**
   * Creates an exception.
   *
   * @param code the stable code
   * @param message a message safe to show to the caller
   */
  public NeuraSeaException(ErrorCode code, String message) {
    this(code, message, List.of(), null);
  }

  /**
   * Creates an exception with field errors and a cause.
   *
   * @param code the stable code
   * @param message a message safe to show to the caller
   * @param fieldErrors the offending fields, may be empty
   * @param cause the underlying cause, may be null
   */
  public NeuraSeaException(ErrorCode code, String message, List<FieldError> fieldErrors, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
    this.fieldErrors = List.copyOf(fieldErrors);
  }

  /** Returns the stable code. */
  public ErrorCode code() {
    return code;
  }

  /** Returns the offending fields: for {@link ErrorCode#INVALID_ARGUMENT} each invalid field, for {@link ErrorCode#CONFLICT} the colliding one; may be empty. */
  public List<FieldError> fieldErrors() {
    return fieldErrors;
  }

  /** An {@link ErrorCode#INVALID_ARGUMENT} for one field. */
  public static NeuraSeaException invalid(String field, String message) {
    return new NeuraSeaException(
        ErrorCode.INVALID_ARGUMENT, field + ": " + message, List.of(new FieldError(field, message)), null);
  }

  /** A {@link ErrorCode#NOT_FOUND} naming the kind of thing, never whether it exists elsewhere. */
  public static NeuraSeaException notFound(String what) {
    return new NeuraSeaException(ErrorCode.NOT_FOUND, what + " not found");
  }

  /** A {@link ErrorCode#CONFLICT} for one field. */
  public static NeuraSeaException conflict(String field, String message) {
    return new NeuraSeaException(
        ErrorCode.CONFLICT, message, List.of(new FieldError(field, message)), null);
  }

  /** A {@link ErrorCode#PERMISSION_DENIED} naming the missing permission. */
  public static NeuraSeaException denied(String permission) {
    return new NeuraSeaException(ErrorCode.PERMISSION_DENIED, "missing permission " + permission);
  }

  /** A {@link ErrorCode#UNAUTHENTICATED} with a message that never tells which part was wrong. */
  public static NeuraSeaException unauthenticated() {
    return new NeuraSeaException(ErrorCode.UNAUTHENTICATED, "invalid or expired credentials");
  }
}
