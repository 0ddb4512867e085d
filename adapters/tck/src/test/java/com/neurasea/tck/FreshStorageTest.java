package com.neurasea.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class FreshStorageTest {
  @Test
  void postgresTestsAreSkippedWithAClearMessageWhenNoServerIsConfigured() {
    FreshStorage.PostgresSchemas backend = new FreshStorage.PostgresSchemas(name -> null);
    assertThatThrownBy(backend::create).isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("PostgreSQL tests skipped: set NEURASEA_TEST_POSTGRES_URL");
  }

  @Test
  void postgresTestsFailInsteadWhenServicesAreRequired() {
    Map<String, String> environment = Map.of("NEURASEA_REQUIRE_SERVICES", "1");
    FreshStorage.PostgresSchemas backend = new FreshStorage.PostgresSchemas(environment::get);
    assertThatThrownBy(backend::create).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("NEURASEA_REQUIRE_SERVICES=1 but NEURASEA_TEST_POSTGRES_URL is not set");
  }

  @Test
  void theStorageIsAvailableOnlyWhileATestRuns() {
    assertThatThrownBy(() -> FreshStorage.sqlite().storage()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("@RegisterExtension");
  }

  @Test
  void aBackendWithoutAProviderOnTheClassPathSaysWhichAreThere() throws Exception {
    FreshStorage fresh = FreshStorage.sqlite();
    fresh.beforeEach(null);
    try {
      assertThatThrownBy(fresh::storage).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("expected one storage provider named sqlite");
      assertThat(fresh.settings()).containsKey("path");
    } finally {
      fresh.afterEach(null);
    }
  }
}
