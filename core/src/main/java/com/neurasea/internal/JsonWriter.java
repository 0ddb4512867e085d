package com.neurasea.internal;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A small streaming JSON writer for the exports core produces (core has no JSON library): objects,
 * arrays, strings, numbers, booleans and null, with two-space indentation. Keys and strings are
 * escaped per RFC 8259. Misuse (a value where a key is due) is a programming error.
 */
public final class JsonWriter {
  private final StringBuilder out = new StringBuilder();
  private final Deque<int[]> stack = new ArrayDeque<>(); // [0] = 1 for object, [1] = items written
  private boolean keyPending;

  /** Starts an object (as a value, or as the document). */
  public JsonWriter beginObject() {
    beforeValue();
    out.append('{');
    stack.push(new int[] {1, 0});
    return this;
  }

  /** Ends the current object. */
  public JsonWriter endObject() {
    return end('}');
  }

  /** Starts an array. */
  public JsonWriter beginArray() {
    beforeValue();
    out.append('[');
    stack.push(new int[] {0, 0});
    return this;
  }

  /** Ends the current array. */
  public JsonWriter endArray() {
    return end(']');
  }

  /** Writes the key of the next member of the current object. */
  public JsonWriter name(String key) {
    int[] top = stack.peek();
    if (top == null || top[0] != 1 || keyPending) {
      throw new IllegalStateException("a key is not expected here");
    }
    nextItem(top);
    string(key);
    out.append(": ");
    keyPending = true;
    return this;
  }

  /** Writes a string value, or null. */
  public JsonWriter value(String value) {
    beforeValue();
    if (value == null) {
      out.append("null");
    } else {
      string(value);
    }
    return this;
  }

  /** Writes a number. */
  public JsonWriter value(long value) {
    beforeValue();
    out.append(value);
    return this;
  }

  /** Writes a boolean, or null. */
  public JsonWriter value(Boolean value) {
    beforeValue();
    out.append(value == null ? "null" : value.toString());
    return this;
  }

  /** Writes a member with a string value. */
  public JsonWriter member(String key, String value) {
    return name(key).value(value);
  }

  /** Writes a member with a number value. */
  public JsonWriter member(String key, long value) {
    return name(key).value(value);
  }

  /** Writes a member whose value is an array of strings. */
  public JsonWriter member(String key, Iterable<String> values) {
    name(key).beginArray();
    values.forEach(this::value);
    return endArray();
  }

  /** The document written so far. */
  @Override
  public String toString() {
    return out.toString();
  }

  private JsonWriter end(char close) {
    int[] top = stack.pop();
    if ((close == '}') != (top[0] == 1) || keyPending) {
      throw new IllegalStateException("unbalanced JSON");
    }
    if (top[1] > 0) {
      newline();
    }
    out.append(close);
    return this;
  }

  private void beforeValue() {
    int[] top = stack.peek();
    if (top == null) {
      if (out.length() > 0) {
        throw new IllegalStateException("one document only");
      }
    } else if (top[0] == 1) {
      if (!keyPending) {
        throw new IllegalStateException("a value needs a key in an object");
      }
      keyPending = false;
    } else {
      nextItem(top);
    }
  }

  private void nextItem(int[] top) {
    if (top[1]++ > 0) {
      out.append(',');
    }
    newline();
  }

  private void newline() {
    out.append('\n');
    out.append("  ".repeat(stack.size()));
  }

  private void string(String value) {
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
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
