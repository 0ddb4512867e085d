package com.neurasea.http;

import com.neurasea.NeuraSea;
import com.neurasea.http.ApiBodies.Health;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;

/** The routing table of the admin API, assembled from one list per domain. */
final class AdminRoutes {
  /** Where the admin API lives. */
  static final String PREFIX = "/admin/v1";
  /** Where a tenant's resources live. */
  static final String TENANT = PREFIX + "/tenants/{tenantId}";
  /** The health check. */
  static final String HEALTH = "/healthz";
  /** The OpenAPI document. */
  static final String OPENAPI = "/openapi.json";
  /** The OpenAPI document's class-path resource, next to this class. */
  static final String OPENAPI_RESOURCE = "openapi.json";

  private AdminRoutes() {}

  /** Every route, in matching order. */
  static List<Route> all(NeuraSea platform) {
    byte[] openApi = openApiDocument();
    List<Route> routes = new ArrayList<>();
    routes.add(Route.open(HEALTH, call -> new Health("ok")));
    routes.add(Route.open(OPENAPI, call -> new RawJson(openApi)));
    routes.addAll(TenantRoutes.all(platform));
    routes.addAll(UserRoutes.all(platform));
    routes.addAll(GroupRoutes.all(platform));
    routes.addAll(AccessRoutes.all(platform));
    routes.addAll(TokenRoutes.all(platform));
    routes.addAll(PrivacyRoutes.all(platform));
    routes.addAll(DataSubjectRoutes.all(platform));
    routes.addAll(QuotaRoutes.all(platform));
    routes.addAll(ReservationRoutes.all(platform));
    routes.addAll(ChannelRoutes.all(platform));
    return List.copyOf(routes);
  }

  /** The OpenAPI document as shipped in this module. */
  static byte[] openApiDocument() {
    try (InputStream in = AdminRoutes.class.getResourceAsStream(OPENAPI_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the resource " + OPENAPI_RESOURCE + " is missing from neurasea-http");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A response body that is already JSON.
   *
   * @param bytes the UTF-8 JSON
   */
  record RawJson(byte[] bytes) {}

  /**
   * A response body that is plain text ({@code text/plain;charset=utf-8}), such as a key or an
   * export in the offline verifier's format.
   *
   * @param text the text
   */
  record PlainText(String text) {}

  /**
   * A CSV response body ({@code text/csv;charset=utf-8}), offered for download under a file name.
   *
   * @param text the CSV (RFC 4180)
   * @param filename the file name to suggest, plain ASCII without quotes
   */
  record CsvText(String text, String filename) {}

  /**
   * A plain-text response body written as it is produced, for answers too large to hold in memory.
   * Whatever the writer throws before the first bytes reach the client becomes the usual JSON
   * error; a failure after that aborts the response, so the client never mistakes a truncated
   * body for a complete one.
   *
   * @param writer writes the body
   */
  record TextStream(BodyWriter writer) {}

  /** Writes a streamed body. */
  @FunctionalInterface
  interface BodyWriter {
    /**
     * Writes the body.
     *
     * @param out the response's writer (UTF-8)
     * @throws IOException when the client goes away
     */
    void writeTo(Writer out) throws IOException;
  }
}
