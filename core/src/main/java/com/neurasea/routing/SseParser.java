package com.neurasea.routing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * An incremental parser of a Server-Sent Events stream (the WHATWG "event stream" format), fed with
 * the bytes of an upstream response as they arrive. Chunks may split the stream anywhere: inside a
 * line, inside a UTF-8 sequence, or between the {@code \r} and {@code \n} of a line ending.
 *
 * <p>Lines end in {@code \n}, {@code \r\n} or {@code \r}. A line starting with {@code :} is a comment.
 * Otherwise the text before the first colon is the field name and the rest, less one leading space,
 * its value (a line without a colon is a field with an empty value). {@code data} values are joined
 * with {@code \n}; {@code event} sets the event type; every other field ({@code id}, {@code retry},
 * unknown names) is ignored. An empty line dispatches the event if at least one {@code data} line was
 * seen, and in any case resets the event type. A leading byte order mark is skipped.
 *
 * <p>Bytes are scanned without decoding; a line is copied into a reusable buffer only when a chunk
 * ends inside it, and is decoded as UTF-8 (malformed input replaced) once complete. The size of an
 * event, bounded by {@code maxEventBytes}, is the sum of the bytes of its {@code data} and
 * {@code event} lines plus the line being read, without line endings: comments and ignored fields
 * are not retained, so each counts only while it is read (a single line longer than the limit is
 * refused whatever its kind, however the stream is split).
 *
 * <p>Not thread-safe: one parser per stream.
 */
final class SseParser {
  /** Receives each dispatched event, on the thread that called {@link #feed}. */
  interface Listener {
    /**
     * Handles one event.
     *
     * @param event the value of the event's last {@code event} field, or null when it had none (or an empty one)
     * @param data the event's data lines joined with {@code \n}
     */
    void onEvent(String event, String data);
  }

  private static final int INITIAL_LINE_CAPACITY = 1024;
  /** A line buffer grown past this is dropped after use, so idle streams do not pin large arrays. */
  private static final int RETAINED_LINE_CAPACITY = 64 * 1024;
  private static final int SCRATCH_BYTES = 8192;
  private static final byte[] DATA = {'d', 'a', 't', 'a'};
  private static final byte[] EVENT = {'e', 'v', 'e', 'n', 't'};

  private final Listener listener;
  private final int maxEventBytes;

  /** The bytes of a line a chunk ended in, not yet terminated. */
  private byte[] line = new byte[INITIAL_LINE_CAPACITY];
  private int lineLength;
  /** The last chunk ended with {@code \r}: a {@code \n} starting the next one belongs to that line ending. */
  private boolean skipLineFeed;
  /** No line has been completed yet (the byte order mark check is pending). */
  private boolean atStreamStart = true;
  /** Retained bytes of the current event's completed {@code data} and {@code event} lines. */
  private long eventBytes;
  private String eventType;
  private int dataLines;
  private String firstData;
  private StringBuilder joinedData;
  /** Copy space for chunks that are not backed by an accessible array. */
  private byte[] scratch;

  /**
   * Creates a parser.
   *
   * @param listener receives each event
   * @param maxEventBytes the largest event accepted, in bytes (see the class documentation)
   */
  SseParser(Listener listener, int maxEventBytes) {
    this.listener = Objects.requireNonNull(listener, "listener");
    if (maxEventBytes <= 0) {
      throw new IllegalArgumentException("maxEventBytes must be positive");
    }
    this.maxEventBytes = maxEventBytes;
  }

  /**
   * Consumes all remaining bytes of a chunk (its position ends at its limit), dispatching every event
   * the chunk completes, in order.
   *
   * @param chunk the next bytes of the stream
   * @throws IllegalStateException when an event exceeds the size limit; the stream must then be abandoned
   */
  void feed(ByteBuffer chunk) {
    if (chunk.hasArray()) {
      int offset = chunk.arrayOffset() + chunk.position();
      int length = chunk.remaining();
      chunk.position(chunk.limit());
      feed(chunk.array(), offset, length);
      return;
    }
    if (scratch == null) {
      scratch = new byte[SCRATCH_BYTES];
    }
    while (chunk.hasRemaining()) {
      int length = Math.min(chunk.remaining(), scratch.length);
      chunk.get(scratch, 0, length);
      feed(scratch, 0, length);
    }
  }

  /** Returns whether bytes of an event not yet dispatched are pending, as when a stream was cut short. */
  boolean hasPartialEvent() {
    return lineLength > 0 || dataLines > 0 || eventType != null;
  }

  /** Scans {@code bytes[offset, offset + length)} for line endings, processing each completed line. */
  private void feed(byte[] bytes, int offset, int length) {
    int end = offset + length;
    int i = offset;
    if (skipLineFeed && i < end) {
      skipLineFeed = false;
      if (bytes[i] == '\n') {
        i++;
      }
    }
    while (i < end) {
      int start = i;
      while (i < end && bytes[i] != '\n' && bytes[i] != '\r') {
        i++;
      }
      int segment = i - start;
      if (segment > 0 && eventBytes + lineLength + segment > maxEventBytes) {
        tooLarge();
      }
      if (i == end) {
        append(bytes, start, segment);
        return;
      }
      if (bytes[i++] == '\r') {
        if (i < end) {
          if (bytes[i] == '\n') {
            i++;
          }
        } else {
          skipLineFeed = true;
        }
      }
      if (lineLength == 0) {
        line(bytes, start, segment);
      } else {
        append(bytes, start, segment);
        int pending = lineLength;
        lineLength = 0;
        line(line, 0, pending);
        if (line.length > RETAINED_LINE_CAPACITY) {
          line = new byte[INITIAL_LINE_CAPACITY];
        }
      }
    }
  }

  /** Adds bytes to the unfinished line, growing its buffer (the size check has already passed). */
  private void append(byte[] bytes, int offset, int length) {
    if (length == 0) {
      return;
    }
    int needed = lineLength + length;
    if (needed > line.length) {
      long grown = Math.max((long) line.length * 2, needed);
      byte[] larger = new byte[(int) Math.min(grown, Math.max(needed, maxEventBytes))];
      System.arraycopy(line, 0, larger, 0, lineLength);
      line = larger;
    }
    System.arraycopy(bytes, offset, line, lineLength, length);
    lineLength = needed;
  }

  /** Interprets one complete line, without its ending. */
  private void line(byte[] bytes, int offset, int length) {
    if (atStreamStart) {
      atStreamStart = false;
      if (length >= 3 && bytes[offset] == (byte) 0xEF && bytes[offset + 1] == (byte) 0xBB
          && bytes[offset + 2] == (byte) 0xBF) {
        offset += 3;
        length -= 3;
      }
    }
    if (length == 0) {
      dispatch();
      return;
    }
    if (bytes[offset] == ':') {
      return;
    }
    int end = offset + length;
    int colon = offset;
    while (colon < end && bytes[colon] != ':') {
      colon++;
    }
    int valueStart = colon < end ? colon + 1 : end;
    if (valueStart < end && bytes[valueStart] == ' ') {
      valueStart++;
    }
    int nameLength = colon - offset;
    if (is(bytes, offset, nameLength, DATA)) {
      eventBytes += length;
      data(decode(bytes, valueStart, end - valueStart));
    } else if (is(bytes, offset, nameLength, EVENT)) {
      eventBytes += length;
      eventType = decode(bytes, valueStart, end - valueStart);
    }
  }

  /** Adds the value of a {@code data} line, keeping a single line as its decoded string. */
  private void data(String value) {
    if (dataLines == 0) {
      firstData = value;
    } else {
      if (joinedData == null) {
        joinedData = new StringBuilder(firstData.length() + value.length() + 16);
      }
      if (dataLines == 1) {
        joinedData.setLength(0);
        joinedData.append(firstData);
      }
      joinedData.append('\n').append(value);
    }
    dataLines++;
  }

  /** Ends the current event at an empty line, handing it to the listener when it has data. */
  private void dispatch() {
    int lines = dataLines;
    String event = eventType == null || eventType.isEmpty() ? null : eventType;
    String data = lines == 0 ? null : lines == 1 ? firstData : joinedData.toString();
    reset();
    if (lines > 0) {
      listener.onEvent(event, data);
    }
  }

  /** Forgets the current event. */
  private void reset() {
    eventBytes = 0;
    eventType = null;
    dataLines = 0;
    firstData = null;
    if (joinedData != null && joinedData.capacity() > RETAINED_LINE_CAPACITY) {
      joinedData = null;
    }
  }

  /** Drops all pending state and reports the oversized event. */
  private void tooLarge() {
    reset();
    lineLength = 0;
    skipLineFeed = false;
    throw new IllegalStateException("upstream event larger than " + maxEventBytes + " bytes");
  }

  private static boolean is(byte[] bytes, int offset, int length, byte[] name) {
    if (length != name.length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (bytes[offset + i] != name[i]) {
        return false;
      }
    }
    return true;
  }

  private static String decode(byte[] bytes, int offset, int length) {
    return length == 0 ? "" : new String(bytes, offset, length, StandardCharsets.UTF_8);
  }
}
