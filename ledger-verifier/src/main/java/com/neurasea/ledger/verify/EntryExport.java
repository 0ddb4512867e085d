package com.neurasea.ledger.verify;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The exported entries of a log, from which a verifier recomputes the roots its checkpoints sign.
 *
 * <p>Text form, UTF-8, every line ending in {@code \n}: the header line {@value #HEADER}, then one
 * line per entry, in log order: the entry's index in decimal, one space, and the entry bytes (the
 * leaf data whose {@link MerkleHashes#leafHash(byte[]) leaf hash} is in the log) in standard padded
 * base64; an empty entry leaves nothing after the space; and last the line {@code end <count>}.
 * Indexes start at 0 and have no gaps, so a deleted, inserted or reordered line is reported at its
 * line; the end line makes a truncated export (a transfer cut short) an error rather than a shorter
 * log.
 *
 * <pre>
 * neurasea-entry-export/v1
 * 0 eyJraW5kIjoiY29sbGVjdGlvbiJ9
 * 1 eyJraW5kIjoidXNlIn0=
 * end 2
 * </pre>
 */
public final class EntryExport {

  /** The first line of an entry export. */
  public static final String HEADER = "neurasea-entry-export/v1";

  private static final String END = "end ";

  private EntryExport() {}

  /**
   * Writes entries in the text form.
   *
   * @param out where to write
   * @param entries the entries in log order
   * @throws IOException if writing fails
   */
  public static void write(Writer out, Iterable<byte[]> entries) throws IOException {
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(entries, "entries");
    out.write(HEADER + "\n");
    long index = 0;
    for (byte[] entry : entries) {
      out.write(index++ + " " + Base64.getEncoder().encodeToString(entry) + "\n");
    }
    out.write(END + index + "\n");
  }

  /**
   * Reads an entry export in one pass and returns the root of the log at each requested size.
   * Memory stays O(log n) however long the export is.
   *
   * @param in the export's content
   * @param sizes the tree sizes whose roots are wanted; sizes beyond the export are left out
   * @return the number of entries and the roots found
   * @throws IOException if reading fails
   * @throws IllegalArgumentException naming the line of the first malformed or out-of-order entry, or
   *     when the end line is missing or counts other than the entries read
   */
  public static EntryRoots rootsAt(BufferedReader in, Set<Long> sizes) throws IOException {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(sizes, "sizes");
    String header = in.readLine();
    if (!HEADER.equals(header)) {
      throw new IllegalArgumentException("line 1: expected '" + HEADER + "'");
    }
    CompactRange range = new CompactRange();
    Map<Long, byte[]> roots = new HashMap<>();
    if (sizes.contains(0L)) {
      roots.put(0L, range.root());
    }
    long lineNumber = 1;
    boolean ended = false;
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      lineNumber++;
      if (ended) {
        throw new IllegalArgumentException("line " + lineNumber + ": nothing may follow the end line");
      }
      if (line.startsWith(END)) {
        long count;
        try {
          count = TextFields.nonNegative(line.substring(END.length()), "entry count");
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("line " + lineNumber + ": " + e.getMessage(), e);
        }
        if (count != range.size()) {
          throw new IllegalArgumentException("line " + lineNumber + ": the end line counts " + count
              + " entries where " + range.size() + " were read");
        }
        ended = true;
        continue;
      }
      range.append(MerkleHashes.leafHash(entry(line, range.size(), lineNumber)));
      if (sizes.contains(range.size())) {
        roots.put(range.size(), range.root());
      }
    }
    if (!ended) {
      throw new IllegalArgumentException("the export ends without its 'end <count>' line: it was cut short");
    }
    return new EntryRoots(range.size(), roots);
  }

  private static byte[] entry(String line, long expectedIndex, long lineNumber) {
    int space = line.indexOf(' ');
    if (space < 0) {
      throw new IllegalArgumentException(
          "line " + lineNumber + ": expected '<index> <base64 entry>'");
    }
    try {
      long index = TextFields.nonNegative(line.substring(0, space), "entry index");
      if (index != expectedIndex) {
        throw new IllegalArgumentException(
            "entry index " + index + " where " + expectedIndex + " was expected");
      }
      return TextFields.base64(line.substring(space + 1), "entry " + index);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("line " + lineNumber + ": " + e.getMessage(), e);
    }
  }
}
