package com.neurasea.model;

import java.util.Objects;

/**
 * One piece of personal information in an access export.
 *
 * @param category the taxonomy category it belongs to, such as {@code user.contact.email}
 * @param field what it is, such as {@code email} or {@code memberships[0].tenant}
 * @param value its value as text, null when it is absent
 */
public record PersonalDataItem(String category, String field, String value) {
  /** Checks the category and field. */
  public PersonalDataItem {
    Objects.requireNonNull(category, "category");
    Objects.requireNonNull(field, "field");
  }
}
