package com.neurasea.store.jdbc.internal;

import com.neurasea.model.NeuraSeaException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Maps a unique violation of one statement to the field it concerns. Each rule names a column that
 * appears in the violated constraint's name (PostgreSQL) or column list (SQLite); a violation that
 * matches no rule concerns the fallback field, usually the primary key.
 */
public final class Conflicts {
  /** For statements where a duplicate can only be a repeated identifier. */
  public static final Conflicts NONE = fallback("id", "an item with this id already exists");

  private record Rule(String column, String field, String message) {}

  private final List<Rule> rules;
  private final Rule fallback;

  private Conflicts(List<Rule> rules, Rule fallback) {
    this.rules = List.copyOf(rules);
    this.fallback = fallback;
  }

  /**
   * Conflicts whose violations all concern one field.
   *
   * @param field the field
   * @param message the message shown to the caller
   * @return the mapping
   */
  public static Conflicts fallback(String field, String message) {
    return new Conflicts(List.of(), new Rule("", field, message));
  }

  /**
   * Adds a rule: a violated constraint that mentions {@code column} concerns {@code field}.
   *
   * @param column a column name distinctive of the constraint
   * @param field the field
   * @param message the message shown to the caller
   * @return a new mapping with the rule first
   */
  public Conflicts on(String column, String field, String message) {
    List<Rule> all = new ArrayList<>(rules);
    all.add(new Rule(column.toLowerCase(Locale.ROOT), field, message));
    return new Conflicts(all, fallback);
  }

  /**
   * The conflict for a violated constraint.
   *
   * @param constraint the constraint's name or columns as the dialect reports them
   * @return a {@code CONFLICT} exception naming the field
   */
  NeuraSeaException resolve(String constraint) {
    String text = constraint == null ? "" : constraint.toLowerCase(Locale.ROOT);
    for (Rule rule : rules) {
      if (text.contains(rule.column())) {
        return NeuraSeaException.conflict(rule.field(), rule.message());
      }
    }
    return NeuraSeaException.conflict(fallback.field(), fallback.message());
  }
}
