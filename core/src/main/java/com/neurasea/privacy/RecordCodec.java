package com.neurasea.privacy;

import com.neurasea.model.ProcessingKind;
import com.neurasea.model.TenantId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The canonical bytes of a ledger entry and the text form of its erasable details.
 *
 * <p>Content is UTF-8 text: a header line, then one {@code name=value} line per field in a fixed
 * order, {@code -} for none. Every value is restricted to characters that need no escaping (keys,
 * ids, hex, decimal numbers), so one record has exactly one encoding. The entry commits to its own
 * index and to the leaf hash of the entry before it, which lets {@code verify()} name the first
 * entry that was modified, deleted, reordered or inserted.
 *
 * <p>Details are {@code category=value} lines with {@code %}, CR and LF percent-escaped.
 */
final class RecordCodec {
  static final String HEADER = "neurasea-record/v1";
  private static final List<String> FIELDS = List.of("index", "previous", "at", "kind", "tenant", "subject", "actor",
      "module", "categories", "purpose", "basis", "recipient", "ground", "consent", "reference", "details");
  private static final HexFormat HEX = HexFormat.of();

  private RecordCodec() {}

  /** The fields of one record, as they are hashed. */
  record Fields(long index, byte[] previous, Instant at, ProcessingKind kind, TenantId tenantId, String subjectKey,
      String actor, String module, List<String> categories, String purpose, String legalBasis, String recipient,
      String ground, Boolean separateConsent, String reference, List<String> detailCategories) {}

  static byte[] encode(Fields f) {
    return content(f.index(), f.previous(), body(f));
  }

  /** The lines of a record that do not depend on its position (everything after {@code previous}). */
  static String body(Fields f) {
    StringBuilder out = new StringBuilder(256);
    line(out, "at", Long.toString(f.at().toEpochMilli()));
    line(out, "kind", f.kind().name());
    line(out, "tenant", f.tenantId() == null ? null : f.tenantId().value());
    line(out, "subject", f.subjectKey());
    line(out, "actor", f.actor());
    line(out, "module", f.module());
    line(out, "categories", String.join(",", f.categories()));
    line(out, "purpose", f.purpose());
    line(out, "basis", f.legalBasis());
    line(out, "recipient", f.recipient());
    line(out, "ground", f.ground());
    line(out, "consent", f.separateConsent() == null ? null : f.separateConsent().toString());
    line(out, "reference", f.reference());
    line(out, "details", f.detailCategories().isEmpty() ? null : String.join(",", f.detailCategories()));
    return out.toString();
  }

  /** The content of a record at a position: the header, its index and predecessor, then its body. */
  static byte[] content(long index, byte[] previous, String body) {
    StringBuilder out = new StringBuilder(body.length() + 128).append(HEADER).append('\n');
    line(out, "index", Long.toString(index));
    line(out, "previous", previous == null ? null : HEX.formatHex(previous));
    return out.append(body).toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void line(StringBuilder out, String name, String value) {
    out.append(name).append('=').append(value == null ? "-" : value).append('\n');
  }

  /**
   * Parses content.
   *
   * @throws IllegalArgumentException when the content is not a canonical record
   */
  static Fields decode(byte[] content) {
    String text = new String(content, StandardCharsets.UTF_8);
    String[] lines = text.split("\n", -1);
    if (lines.length != FIELDS.size() + 2 || !lines[0].equals(HEADER) || !lines[lines.length - 1].isEmpty()) {
      throw new IllegalArgumentException("not a " + HEADER + " record");
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < FIELDS.size(); i++) {
      String prefix = FIELDS.get(i) + "=";
      if (!lines[i + 1].startsWith(prefix)) {
        throw new IllegalArgumentException("line " + (i + 2) + " is not the field " + FIELDS.get(i));
      }
      String value = lines[i + 1].substring(prefix.length());
      values.put(FIELDS.get(i), value.equals("-") ? null : value);
    }
    try {
      String consent = values.get("consent");
      if (consent != null && !consent.equals("true") && !consent.equals("false")) {
        throw new IllegalArgumentException("consent is neither true nor false");
      }
      String previous = values.get("previous");
      String categories = values.get("categories");
      String details = values.get("details");
      Fields fields = new Fields(
          Long.parseLong(required(values, "index")),
          previous == null ? null : HEX.parseHex(previous),
          Instant.ofEpochMilli(Long.parseLong(required(values, "at"))),
          ProcessingKind.valueOf(required(values, "kind")),
          values.get("tenant") == null ? null : new TenantId(values.get("tenant")),
          values.get("subject"),
          required(values, "actor"),
          required(values, "module"),
          categories == null ? List.of() : List.of(categories.split(",")),
          values.get("purpose"),
          values.get("basis"),
          values.get("recipient"),
          values.get("ground"),
          consent == null ? null : Boolean.valueOf(consent),
          values.get("reference"),
          details == null ? List.of() : List.of(details.split(",")));
      if (!Arrays.equals(encode(fields), content)) {
        throw new IllegalArgumentException("the record is not in canonical form");
      }
      return fields;
    } catch (RuntimeException e) {
      if (e instanceof IllegalArgumentException && e.getMessage() != null && e.getMessage().startsWith("the record")) {
        throw e;
      }
      throw new IllegalArgumentException("a field of the record is malformed: " + e.getMessage(), e);
    }
  }

  private static String required(Map<String, String> values, String name) {
    String value = values.get(name);
    if (value == null) {
      throw new IllegalArgumentException(name + " is missing");
    }
    return value;
  }

  static String encodeDetails(Map<String, String> details) {
    StringBuilder out = new StringBuilder();
    details.forEach((category, value) -> out.append(category).append('=').append(escape(value)).append('\n'));
    return out.toString();
  }

  static Map<String, String> decodeDetails(String text) {
    Map<String, String> details = new LinkedHashMap<>();
    if (text == null) {
      return details;
    }
    for (String line : text.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        details.put(line.substring(0, eq), unescape(line.substring(eq + 1)));
      }
    }
    return details;
  }

  private static String escape(String value) {
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
  }

  private static String unescape(String value) {
    return value.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%");
  }
}
