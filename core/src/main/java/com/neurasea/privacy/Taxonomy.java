package com.neurasea.privacy;

import com.neurasea.model.FieldError;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Period;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The vocabulary of the privacy ledger, as data: the controller, the categories of personal
 * information, the purposes, the legal bases, the kinds of recipient, the disclosure grounds and
 * the security measures. {@link #defaults()} holds the platform's privacy policy; hosts add their
 * own terms with {@link #builder()} and the same text format, and the ledger rejects any key its
 * taxonomy does not hold.
 *
 * <p>The text format has one term per line, {@code <kind> <key> | <label> | <name>=<value>; ...},
 * with {@code #} comments and blank lines ignored (see the bundled {@code taxonomy.txt}).
 */
public final class Taxonomy {
  /** What a key looks like: lower-case words joined by dots. */
  public static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z0-9_]+){0,7}");
  private static final String DEFAULTS = "taxonomy.txt";
  private static final Taxonomy DEFAULT_TAXONOMY = builder().load(DEFAULTS, resource()).build();

  private final Map<TermKind, Map<String, Term>> terms;

  private Taxonomy(Map<TermKind, Map<String, Term>> terms) {
    this.terms = terms;
  }

  /**
   * The taxonomy of the platform's privacy policy.
   *
   * @return the default taxonomy
   */
  public static Taxonomy defaults() {
    return DEFAULT_TAXONOMY;
  }

  /**
   * Starts a taxonomy that extends the defaults.
   *
   * @return a builder holding the default terms
   */
  public static Builder builder() {
    return DEFAULT_TAXONOMY == null ? new Builder() : new Builder(DEFAULT_TAXONOMY);
  }

  /**
   * Starts an empty taxonomy, for hosts that replace the platform's policy entirely.
   *
   * @return an empty builder
   */
  public static Builder empty() {
    return new Builder();
  }

  /**
   * The term of a kind and key.
   *
   * @param kind the kind
   * @param key the key
   * @return the term, or empty
   */
  public Optional<Term> find(TermKind kind, String key) {
    return Optional.ofNullable(terms.get(kind).get(key));
  }

  /**
   * The term of a kind and key, or an error naming the field.
   *
   * @param kind the kind
   * @param key the key
   * @param field the field the key came in, for the error
   * @return the term
   * @throws NeuraSeaException {@code INVALID_ARGUMENT} naming {@code field} when the key is missing or unknown
   */
  public Term require(TermKind kind, String key, String field) {
    if (key == null || key.isEmpty()) {
      throw NeuraSeaException.invalid(field, "is required");
    }
    Term term = terms.get(kind).get(key);
    if (term == null) {
      throw NeuraSeaException.invalid(field, "'" + clip(key) + "' is not a " + kind.word()
          + " of the privacy taxonomy");
    }
    return term;
  }

  /**
   * The terms of a kind, in the order they were defined.
   *
   * @param kind the kind
   * @return the terms
   */
  public List<Term> terms(TermKind kind) {
    return List.copyOf(terms.get(kind).values());
  }

  /**
   * The controller term; a taxonomy without one names an unnamed controller.
   *
   * @return the controller
   */
  public Term controller() {
    return terms.get(TermKind.CONTROLLER).values().stream().findFirst()
        .orElse(new Term(TermKind.CONTROLLER, "platform", "(controller not configured)", Map.of()));
  }

  /**
   * How long information of a category is kept after collection, when the taxonomy gives a period.
   *
   * @param category a category key
   * @return the period, or empty when it is kept while the account exists or no period is given
   */
  public Optional<Period> retention(String category) {
    return find(TermKind.CATEGORY, category).flatMap(t -> t.attribute("retention")).flatMap(Taxonomy::period);
  }

  /** The taxonomy in its text format, which {@link Builder#load} reads back. */
  public String format() {
    StringBuilder out = new StringBuilder();
    for (TermKind kind : TermKind.values()) {
      for (Term term : terms.get(kind).values()) {
        out.append(kind.word()).append(' ').append(term.key()).append(" | ").append(term.label());
        if (!term.attributes().isEmpty()) {
          out.append(" | ");
          List<String> parts = new ArrayList<>();
          term.attributes().entrySet().stream().sorted(Map.Entry.comparingByKey())
              .forEach(e -> parts.add(e.getKey() + "=" + e.getValue()));
          out.append(String.join("; ", parts));
        }
        out.append('\n');
      }
    }
    return out.toString();
  }

  static Optional<Period> period(String text) {
    try {
      return Optional.of(Period.parse(text));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static String clip(String key) {
    return key.length() > 80 ? key.substring(0, 80) + "…" : key;
  }

  private static Reader resource() {
    InputStream in = Taxonomy.class.getResourceAsStream(DEFAULTS);
    if (in == null) {
      throw new IllegalStateException("the default privacy taxonomy " + DEFAULTS + " is missing from the class path");
    }
    return new InputStreamReader(in, StandardCharsets.UTF_8);
  }

  /** Builds a {@link Taxonomy}. A key may be defined once per kind. */
  public static final class Builder {
    private final Map<TermKind, Map<String, Term>> terms = new EnumMap<>(TermKind.class);

    private Builder() {
      for (TermKind kind : TermKind.values()) {
        terms.put(kind, new LinkedHashMap<>());
      }
    }

    private Builder(Taxonomy base) {
      this();
      base.terms.forEach((kind, byKey) -> terms.get(kind).putAll(byKey));
    }

    /**
     * Adds a term.
     *
     * @param kind the kind
     * @param key the key, lower-case words joined by dots
     * @param label the label, not blank, without {@code |} or line breaks
     * @param attributes the attributes; a category's {@code retention} must be an ISO-8601 period
     *     or {@code account}
     * @return this builder
     * @throws NeuraSeaException {@code INVALID_ARGUMENT} naming the problem when the key is malformed
     *     or already defined for the kind, the label is blank, or an attribute is malformed
     */
    public Builder add(TermKind kind, String key, String label, Map<String, String> attributes) {
      if (kind == null) {
        throw NeuraSeaException.invalid("kind", "is required");
      }
      if (key == null || !KEY.matcher(key).matches() || key.length() > 120) {
        throw NeuraSeaException.invalid("key", "'" + key + "' must be lower-case words joined by dots, "
            + "at most 120 characters");
      }
      if (terms.get(kind).containsKey(key)) {
        throw NeuraSeaException.invalid("key", kind.word() + " '" + key + "' is already defined");
      }
      if (kind == TermKind.CONTROLLER && !terms.get(kind).isEmpty()) {
        throw NeuraSeaException.invalid("key", "a taxonomy has one controller; use controller(...) to replace it");
      }
      if (label == null || label.isBlank() || label.contains("|") || label.contains("\n")) {
        throw NeuraSeaException.invalid("label", "of " + kind.word() + " '" + key + "' must be non-blank text "
            + "without '|' or line breaks");
      }
      Map<String, String> attrs = attributes == null ? Map.of() : attributes;
      attrs.forEach((name, value) -> {
        if (name == null || !name.matches("[a-z][a-z_]*") || value == null || value.isBlank()
            || value.contains(";") || value.contains("|") || value.contains("\n")) {
          throw NeuraSeaException.invalid("attributes", "of " + kind.word() + " '" + key
              + "' must be name=value pairs of lower-case names and non-blank values without ';' or '|'");
        }
      });
      String retention = attrs.get("retention");
      if (kind == TermKind.CATEGORY && retention != null && !retention.equals("account") && period(retention).isEmpty()) {
        throw NeuraSeaException.invalid("attributes", "retention of category '" + key
            + "' must be an ISO-8601 period such as P180D, or 'account'");
      }
      terms.get(kind).put(key, new Term(kind, key, label.strip(), attrs));
      return this;
    }

    /**
     * Replaces the controller: the organization responsible for the processing.
     *
     * @param name its name
     * @param contact how to reach it (or its data protection officer)
     * @return this builder
     */
    public Builder controller(String name, String contact) {
      terms.get(TermKind.CONTROLLER).clear();
      return add(TermKind.CONTROLLER, "platform", name, contact == null ? Map.of() : Map.of("contact", contact));
    }

    /**
     * Adds the terms of a text in the taxonomy format.
     *
     * @param text the text
     * @return this builder
     * @throws NeuraSeaException {@code INVALID_ARGUMENT} naming the line of the first bad term
     */
    public Builder load(String text) {
      return load("text", new StringReader(text));
    }

    /**
     * Adds the terms of a text in the taxonomy format, read to its end and closed.
     *
     * @param source a name for the text in errors
     * @param reader the text
     * @return this builder
     * @throws NeuraSeaException {@code INVALID_ARGUMENT} naming the source's line of the first bad term
     */
    public Builder load(String source, Reader reader) {
      try (BufferedReader in = new BufferedReader(reader)) {
        String line;
        int number = 0;
        while ((line = in.readLine()) != null) {
          number++;
          String trimmed = line.strip();
          if (trimmed.isEmpty() || trimmed.startsWith("#")) {
            continue;
          }
          try {
            parseLine(trimmed);
          } catch (NeuraSeaException e) {
            String detail = e.fieldErrors().isEmpty() ? e.getMessage()
                : e.fieldErrors().get(0).field() + " " + e.fieldErrors().get(0).message();
            throw new NeuraSeaException(ErrorCode.INVALID_ARGUMENT, "taxonomy " + source + " line " + number
                + ": " + detail, List.of(new FieldError(source + ":" + number, detail)), null);
          }
        }
        return this;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read taxonomy " + source, e);
      }
    }

    private void parseLine(String line) {
      String[] parts = line.split("\\|", -1);
      if (parts.length < 2 || parts.length > 3) {
        throw NeuraSeaException.invalid("line", "must be '<kind> <key> | <label> [| <name>=<value>; ...]'");
      }
      String[] head = parts[0].strip().split("\\s+");
      if (head.length != 2) {
        throw NeuraSeaException.invalid("line", "must start with '<kind> <key>'");
      }
      TermKind kind = null;
      for (TermKind candidate : TermKind.values()) {
        if (candidate.word().equals(head[0])) {
          kind = candidate;
        }
      }
      if (kind == null) {
        throw NeuraSeaException.invalid("kind", "'" + head[0] + "' is not one of controller, category, purpose, "
            + "basis, recipient, ground, measure");
      }
      Map<String, String> attributes = new LinkedHashMap<>();
      if (parts.length == 3 && !parts[2].isBlank()) {
        for (String pair : parts[2].split(";")) {
          int eq = pair.indexOf('=');
          if (eq < 0) {
            throw NeuraSeaException.invalid("attributes", "'" + pair.strip() + "' is not name=value");
          }
          attributes.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
        }
      }
      if (kind == TermKind.CONTROLLER) {
        terms.get(TermKind.CONTROLLER).clear();
      }
      add(kind, head[1], parts[1], attributes);
    }

    /**
     * The taxonomy.
     *
     * @return the taxonomy
     */
    public Taxonomy build() {
      Map<TermKind, Map<String, Term>> copy = new EnumMap<>(TermKind.class);
      terms.forEach((kind, byKey) -> copy.put(kind, Collections.unmodifiableMap(new LinkedHashMap<>(byKey))));
      return new Taxonomy(Collections.unmodifiableMap(copy));
    }
  }
}
