package com.neurasea.model;

/** Shape check shared by the typed identifiers. */
final class Ids {
  private static final int MAX_LENGTH = 80;

  private Ids() {}

  /**
   * Checks {@code [A-Za-z0-9][A-Za-z0-9_.:-]{0,79}}. A loop, not a regular expression: identifiers
   * are checked on hot paths (every quota chain names several).
   */
  static void check(String field, String value) {
    if (!wellFormed(value)) {
      throw NeuraSeaException.invalid(field, "must be 1-80 characters of letters, digits, '_', '.', ':' or '-'");
    }
  }

  private static boolean wellFormed(String value) {
    if (value == null || value.isEmpty() || value.length() > MAX_LENGTH || !alphanumeric(value.charAt(0))) {
      return false;
    }
    for (int i = 1; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!alphanumeric(c) && c != '_' && c != '.' && c != ':' && c != '-') {
        return false;
      }
    }
    return true;
  }

  private static boolean alphanumeric(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }
}
