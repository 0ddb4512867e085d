package com.neurasea.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.tck.FreshStorage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Two sample hosts on one PostgreSQL database, as a scaled-out deployment runs them. */
class SampleHostPostgresTest {
  @RegisterExtension final FreshStorage fresh = FreshStorage.postgres();
  @TempDir Path tmp;

  @Test
  void twoHostsShareOnePostgresDatabase() throws Exception {
    requirePostgresCredentialsInEnvironment();
    Map<String, String> db = fresh.settings();
    String url = db.get("url") + (db.get("url").contains("?") ? "&" : "?") + "currentSchema=" + db.get("schema");
    Path key = tmp.resolve("shared.key");
    SampleHostOptions first = SampleHostOptions.parse(List.of("--port", "0", "--data-dir",
        tmp.resolve("a").toString(), "--db", url, "--key-file", key.toString()), Map.of());
    SampleHostOptions second = SampleHostOptions.parse(List.of("--port", "0", "--data-dir",
        tmp.resolve("b").toString(), "--db", url, "--key-file", key.toString()), Map.of());
    try (RunningHost a = SampleHost.start(first); RunningHost b = SampleHost.start(second)) {
      String admin = "Bearer " + a.bootstrapToken().orElseThrow();
      assertThat(b.bootstrapToken()).isEmpty();
      SampleHostTest.call(a, "POST", "/admin/v1/tenants", admin, "{\"slug\":\"shared-co\",\"name\":\"Shared\"}", 201);
      assertThat(SampleHostTest.call(b, "GET", "/admin/v1/tenants", admin, null, 200).path("data").findValuesAsText("slug"))
          .contains("shared-co");
    }
  }

  /** The sample reads database credentials from the environment only, as an operator would set them. */
  private static void requirePostgresCredentialsInEnvironment() {
    boolean present = System.getenv("NEURASEA_DB_USER") != null && System.getenv("NEURASEA_DB_PASSWORD") != null;
    String message = "sample-host PostgreSQL test skipped: export NEURASEA_DB_USER and NEURASEA_DB_PASSWORD"
        + " (.ci/run does)";
    if (!present && "1".equals(System.getenv("NEURASEA_REQUIRE_SERVICES"))) {
      throw new AssertionError(message);
    }
    Assumptions.assumeTrue(present, message);
  }

}
