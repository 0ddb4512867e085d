package com.neurasea.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The provider claims PostgreSQL JDBC URLs and nothing else. */
class PostgresUrlTest {
  private final PostgresStorageProvider provider = new PostgresStorageProvider();

  @Test
  void claimsPostgresJdbcUrlsOnly() {
    assertThat(provider.settingsFor("jdbc:postgresql://db:5432/neurasea"))
        .contains(Map.of("url", "jdbc:postgresql://db:5432/neurasea"));
    assertThat(provider.settingsFor("sqlite:data/neurasea.db")).isEmpty();
    assertThat(provider.settingsFor("jdbc:mysql://db/x")).isEmpty();
    assertThat(provider.settingsFor(null)).isEmpty();
  }
}
