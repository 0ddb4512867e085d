package com.neurasea.model;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;

/**
 * How often a budget starts over. Periods are calendar periods in the tenant's time zone: a day
 * starts at local midnight, a week on Monday, a month on its first day.
 */
public enum ResetPeriod {
  /** Never: the budget is a running total. */
  NONE,
  /** Every local day. */
  DAILY,
  /** Every local week, starting Monday. */
  WEEKLY,
  /** Every local calendar month. */
  MONTHLY;

  /** The lower-case name used in the HTTP API. */
  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Parses {@link #key()} (any case), failing with {@code INVALID_ARGUMENT} naming {@code period}. */
  public static ResetPeriod parse(String value) {
    for (ResetPeriod period : values()) {
      if (period.name().equalsIgnoreCase(value)) {
        return period;
      }
    }
    throw NeuraSeaException.invalid("period", "must be one of none, daily, weekly, monthly");
  }

  /**
   * The start of the period containing an instant, in epoch milliseconds; 0 for {@link #NONE}.
   *
   * @param at the instant
   * @param zone the tenant's time zone
   * @return the period start
   */
  public long periodStart(Instant at, ZoneId zone) {
    if (this == NONE) {
      return 0L;
    }
    LocalDate day = at.atZone(zone).toLocalDate();
    LocalDate first = switch (this) {
      case DAILY -> day;
      case WEEKLY -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      case MONTHLY -> day.withDayOfMonth(1);
      case NONE -> throw new AssertionError();
    };
    return first.atStartOfDay(zone).toInstant().toEpochMilli();
  }

  /**
   * The end (exclusive) of the period starting at {@code periodStart}; {@link Long#MAX_VALUE} for NONE.
   *
   * @param periodStart a value of {@link #periodStart}
   * @param zone the tenant's time zone
   * @return the next period's start
   */
  public long periodEnd(long periodStart, ZoneId zone) {
    if (this == NONE) {
      return Long.MAX_VALUE;
    }
    ZonedDateTime start = Instant.ofEpochMilli(periodStart).atZone(zone);
    ZonedDateTime next = switch (this) {
      case DAILY -> start.plusDays(1);
      case WEEKLY -> start.plusWeeks(1);
      case MONTHLY -> start.plusMonths(1);
      case NONE -> throw new AssertionError();
    };
    return next.toLocalDate().atStartOfDay(zone).toInstant().toEpochMilli();
  }
}
