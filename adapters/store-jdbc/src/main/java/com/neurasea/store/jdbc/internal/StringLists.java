package com.neurasea.store.jdbc.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Encodes a list of strings as a JSON array of strings in one text column, and back. Any string
 * round-trips, including quotes, backslashes, control and non-ASCII characters.
 */
public final class StringLists {
  private StringLists() {}

  /**
   * Encodes a list.
   *
   * @param values the strings, none null
   * @return a JSON array such as {@code ["a","b"]}
   */
  public static String encode(List<String> values) {
    StringBuilder out = new StringBuilder(2 + values.size() * 16).append('[');
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      appendQuoted(out, values.get(i));
    }
    return out.append(']').toString();
  }

  private static void appendQuoted(StringBuilder out, String value) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /**
   * Decodes what {@link #encode} produced (any JSON array of strings).
   *
   * @param json the stored text; null or blank decodes to an empty list
   * @return the strings
   * @throws IllegalArgumentException if the text is not a JSON array of strings
   */
  public static List<String> decode(String json) {
    if (json == null || json.isBlank()) {
      return List.of();
    }
    Parser parser = new Parser(json);
    List<String> values = parser.array();
    parser.skipSpace();
    if (!parser.atEnd()) {
      throw new IllegalArgumentException("trailing characters after a string list");
    }
    return values;
  }

  private static final class Parser {
    private final String text;
    private final boolean escaped;
    private int pos;

    Parser(String text) {
      this.text = text;
      this.escaped = text.indexOf('\\') >= 0;
    }

    List<String> array() {
      skipSpace();
      expect('[');
      List<String> values = new ArrayList<>();
      skipSpace();
      if (peek() == ']') {
        pos++;
        return values;
      }
      while (true) {
        skipSpace();
        values.add(string());
        skipSpace();
        char c = next();
        if (c == ']') {
          return values;
        }
        if (c != ',') {
          throw new IllegalArgumentException("malformed string list");
        }
      }
    }

    private String string() {
      expect('"');
      int close = text.indexOf('"', pos);
      if (close >= 0 && !escaped) {
        // The common case: nothing escaped.
        String plain = text.substring(pos, close);
        pos = close + 1;
        return plain;
      }
      StringBuilder out = new StringBuilder();
      while (true) {
        char c = next();
        if (c == '"') {
          return out.toString();
        }
        if (c != '\\') {
          out.append(c);
          continue;
        }
        char e = next();
        switch (e) {
          case '"', '\\', '/' -> out.append(e);
          case 'b' -> out.append('\b');
          case 'f' -> out.append('\f');
          case 'n' -> out.append('\n');
          case 'r' -> out.append('\r');
          case 't' -> out.append('\t');
          case 'u' -> {
            if (pos + 4 > text.length()) {
              throw new IllegalArgumentException("malformed string list");
            }
            out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
            pos += 4;
          }
          default -> throw new IllegalArgumentException("malformed string list");
        }
      }
    }

    void skipSpace() {
      while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
        pos++;
      }
    }

    boolean atEnd() {
      return pos >= text.length();
    }

    private char peek() {
      if (atEnd()) {
        throw new IllegalArgumentException("malformed string list");
      }
      return text.charAt(pos);
    }

    private char next() {
      char c = peek();
      pos++;
      return c;
    }

    private void expect(char c) {
      if (next() != c) {
        throw new IllegalArgumentException("malformed string list");
      }
    }
  }
}
