package com.neurasea.ledger.verify;

import java.util.Base64;

/** Strict parsing of the fields of the text formats in this package. */
final class TextFields {

  private TextFields() {}

  /**
   * Decodes canonical padded standard base64; rejects whitespace, URL-safe letters and encodings
   * that do not round-trip, so that every value has exactly one textual form.
   */
  static byte[] base64(String text, String what) {
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " is not valid base64: " + abbreviate(text), e);
    }
    if (!Base64.getEncoder().encodeToString(decoded).equals(text)) {
      throw new IllegalArgumentException(what + " is not canonical base64: " + abbreviate(text));
    }
    return decoded;
  }

  /** Parses a canonical non-negative decimal: no sign, no leading zeros, at most 19 digits. */
  static long nonNegative(String text, String what) {
    boolean digits = !text.isEmpty() && text.length() <= 19 && text.chars().allMatch(
        c -> c >= '0' && c <= '9');
    if (!digits || (text.length() > 1 && text.charAt(0) == '0')) {
      throw new IllegalArgumentException(
          what + " must be a non-negative decimal number: " + abbreviate(text));
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " is out of range: " + abbreviate(text), e);
    }
  }

  /** Rejects text that is empty, too long, or holds a control character (line breaks included). */
  static String printable(String text, String what, int maxLength) {
    if (text.isEmpty() || text.length() > maxLength) {
      throw new IllegalArgumentException(what + " must be 1 to " + maxLength + " characters");
    }
    for (int i = 0; i < text.length(); i++) {
      if (Character.isISOControl(text.charAt(i))) {
        throw new IllegalArgumentException(what + " must not contain control characters");
      }
    }
    if (!text.strip().equals(text)) {
      throw new IllegalArgumentException(what + " must not start or end with whitespace");
    }
    return text;
  }

  static String abbreviate(String text) {
    String shown = text.length() > 60 ? text.substring(0, 57) + "..." : text;
    return "'" + shown.replaceAll("\\p{Cntrl}", "?") + "'";
  }
}
