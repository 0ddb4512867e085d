package com.neurasea.privacy;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of a {@link Taxonomy}.
 *
 * @param kind what the term names
 * @param key its stable key, such as {@code user.contact.email} or {@code gdpr.contract}
 * @param label a human-readable label
 * @param attributes further facts, such as {@code retention=P180D} for a category
 */
public record Term(TermKind kind, String key, String label, Map<String, String> attributes) {
  /** Copies the attributes. */
  public Term {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(label, "label");
    attributes = Map.copyOf(attributes == null ? Map.of() : attributes);
  }

  /**
   * One attribute.
   *
   * @param name the attribute's name
   * @return its value, or empty
   */
  public Optional<String> attribute(String name) {
    return Optional.ofNullable(attributes.get(name));
  }
}
