package com.neurasea.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.http.ApiServer.Reply;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Defects and backend outages reach the client as JSON with a generic message, never a stack trace. */
class UnexpectedFailureTest {
  @Test
  void unexpectedExceptionsAre500WithAGenericMessage(@TempDir Path dir) throws Exception {
    List<Route> failing = List.of(
        Route.get("/admin/v1/test/defect", call -> {
          throw new IllegalStateException("secret internals: jdbc:sqlite:/var/data");
        }),
        Route.get("/admin/v1/test/internal", call -> {
          throw new NeuraSeaException(ErrorCode.INTERNAL, "schema migration failed at V7");
        }),
        Route.get("/admin/v1/test/unavailable", call -> {
          throw new NeuraSeaException(ErrorCode.UNAVAILABLE, "the database is busy; retry");
        }),
        Route.get("/admin/v1/test/unserializable", call -> new Object() {
          @SuppressWarnings("unused")
          public Object getSelf() {
            throw new IllegalStateException("boom");
          }
        }));
    try (ApiServer api = ApiServer.start(dir, failing)) {
      for (String path : List.of("/admin/v1/test/defect", "/admin/v1/test/internal", "/admin/v1/test/unserializable")) {
        Reply reply = api.get(path, api.admin);
        assertThat(reply.status()).as(reply.text()).isEqualTo(500);
        assertThat(reply.code()).isEqualTo("INTERNAL");
        assertThat(reply.message()).isEqualTo(ApiFailure.INTERNAL_MESSAGE);
        assertThat(reply.text()).doesNotContain("secret internals").doesNotContain("V7").doesNotContain("boom");
      }
      Reply unavailable = api.get("/admin/v1/test/unavailable", api.admin);
      assertThat(unavailable.status()).isEqualTo(503);
      assertThat(unavailable.code()).isEqualTo("UNAVAILABLE");
      assertThat(api.get("/admin/v1/test/defect", null).status()).isEqualTo(401);
    }
  }
}
