package com.neurasea.model;

import java.util.regex.Pattern;

/** Shape check shared by the typed identifiers. */
final class Ids {
  private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}");

  private Ids() {}

  static void check(String field, String value) {
    if (value == null || !SHAPE.matcher(value).matches()) {
      throw NeuraSeaException.invalid(field, "must be 1-80 characters of letters, digits, '_', '.', ':' or '-'");
    }
  }
}
