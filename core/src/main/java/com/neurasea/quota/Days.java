package com.neurasea.quota;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.concurrent.ConcurrentHashMap;

/** The calendar day of an instant in a time zone, remembering each zone's current day. */
final class Days {
  private record Day(LocalDate date, long start, long end) {}

  private final ConcurrentHashMap<ZoneId, Day> current = new ConcurrentHashMap<>();

  LocalDate dayOf(ZoneId zone, long epochMillis) {
    Day day = current.get(zone);
    if (day != null && epochMillis >= day.start && epochMillis < day.end) {
      return day.date;
    }
    LocalDate date = Instant.ofEpochMilli(epochMillis).atZone(zone).toLocalDate();
    day = new Day(date, date.atStartOfDay(zone).toInstant().toEpochMilli(),
        date.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli());
    current.put(zone, day);
    return date;
  }
}
