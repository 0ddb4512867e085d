package com.neurasea.store.jdbc;

import com.neurasea.model.NeuraSeaException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Parsing shared by the SQL adapters' {@link com.neurasea.spi.StorageProvider}s: every bad setting
 * is an {@code INVALID_ARGUMENT} naming the setting.
 */
public final class ProviderSettings {
  private ProviderSettings() {}

  /**
   * Rejects settings the provider does not know.
   *
   * @param storage the provider's name, for the message
   * @param settings the settings given
   * @param known the settings the provider reads
   */
  public static void rejectUnknown(String storage, Map<String, String> settings, Set<String> known) {
    Set<String> unknown = new TreeSet<>(settings.keySet());
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw NeuraSeaException.invalid(unknown.iterator().next(),
          "unknown setting of the " + storage + " storage; known settings are " + new TreeSet<>(known));
    }
  }

  /**
   * Reads a positive integer.
   *
   * @param field the setting's name
   * @param value its text
   * @return the integer
   */
  public static int positiveInt(String field, String value) {
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed >= 1) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw NeuraSeaException.invalid(field, "must be a positive integer");
  }

  /**
   * Reads a duration given in milliseconds or as ISO-8601 ({@code PT5S}), within bounds.
   *
   * @param field the setting's name
   * @param value its text
   * @param min the shortest accepted
   * @param max the longest accepted
   * @return the duration
   */
  public static Duration duration(String field, String value, Duration min, Duration max) {
    String text = value.trim();
    try {
      Duration parsed = !text.isEmpty() && text.chars().allMatch(Character::isDigit)
          ? Duration.ofMillis(Long.parseLong(text))
          : Duration.parse(text);
      if (parsed.compareTo(min) >= 0 && parsed.compareTo(max) <= 0) {
        return parsed;
      }
    } catch (DateTimeParseException | NumberFormatException | ArithmeticException e) {
      // reported below
    }
    throw NeuraSeaException.invalid(field, "must be between " + min + " and " + max
        + ", in milliseconds or as an ISO-8601 duration such as PT5S");
  }
}
