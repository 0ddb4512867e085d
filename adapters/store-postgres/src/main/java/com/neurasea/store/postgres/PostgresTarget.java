package com.neurasea.store.postgres;

import com.neurasea.model.NeuraSeaException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.postgresql.Driver;

/**
 * Where a PostgreSQL JDBC URL points, for messages: hosts, ports and database, never the URL itself
 * (its query may carry a user name and password).
 *
 * @param url the JDBC URL
 * @param hosts {@code host:port} of each server, comma separated
 * @param database the database's name
 */
record PostgresTarget(String url, String hosts, String database) {
  private static final String PREFIX = "jdbc:postgresql:";

  /**
   * Parses a JDBC URL.
   *
   * @param url a {@code jdbc:postgresql://host:port/database} URL
   * @return where it points
   * @throws NeuraSeaException {@code INVALID_ARGUMENT} (field {@code url}) when it is not one
   */
  static PostgresTarget parse(String url) {
    String trimmed = url.trim();
    Properties parsed = trimmed.startsWith(PREFIX) ? Driver.parseURL(trimmed, null) : null;
    if (parsed == null) {
      throw NeuraSeaException.invalid("url",
          "is not a PostgreSQL JDBC URL; expected jdbc:postgresql://host:port/database");
    }
    String[] names = parsed.getProperty("PGHOST", "localhost").split(",", -1);
    String[] ports = parsed.getProperty("PGPORT", "5432").split(",", -1);
    List<String> hosts = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      hosts.add(names[i] + ":" + (i < ports.length ? ports[i] : ports[ports.length - 1]));
    }
    String database = parsed.getProperty("PGDBNAME", "");
    return new PostgresTarget(trimmed, String.join(",", hosts), database);
  }

  /** Names the database in messages, e.g. {@code the PostgreSQL database neurasea at db:5432}. */
  String describe() {
    return "the PostgreSQL database " + database + " at " + hosts;
  }

  /** Keeps the URL out of logs and exceptions. */
  @Override
  public String toString() {
    return describe();
  }
}
