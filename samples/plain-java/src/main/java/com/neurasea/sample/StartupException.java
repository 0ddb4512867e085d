package com.neurasea.sample;

/**
 * Why the sample host could not start, in one line a person can act on (a busy port, an unusable
 * data directory, a database from a newer release, a bad flag). {@link SampleHost#main} prints the
 * message without a stack trace and exits with status 2.
 */
public final class StartupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the reason, one line
   */
  public StartupException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message the reason, one line
   * @param cause what went wrong underneath
   */
  public StartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
