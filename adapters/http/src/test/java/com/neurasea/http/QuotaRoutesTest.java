package com.neurasea.http;

import static com.neurasea.http.ApiServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.neurasea.http.ApiServer.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Quotas, usage, prices and metering over HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuotaRoutesTest {
  private static final String PASSWORD = ApiServer.PASSWORD;
  private static final String UNKNOWN_USER = "usr_01hx3k9q7c2m5v8w4z6t0r1y2b";

  ApiServer api;
  String tenantA;
  String tenantB;
  String alice;
  String bob;
  String carol;
  String aliceBasic;
  String bobBasic;
  String carolBasic;
  String daveBasic;
  int tokens;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    api = ApiServer.start(dir);
    tenantA = api.post("/admin/v1/tenants", api.admin, json("slug", "quota-a", "name", "A")).id();
    tenantB = api.post("/admin/v1/tenants", api.admin, json("slug", "quota-b", "name", "B")).id();
    alice = api.passwordUser(tenantA, "alice", "rol_tenant_admin");
    bob = api.passwordUser(tenantA, "bob", "rol_member");
    carol = api.passwordUser(tenantA, "carol", "rol_member");
    api.passwordUser(tenantB, "dave", "rol_tenant_admin");
    aliceBasic = ApiServer.basic("alice", PASSWORD);
    bobBasic = ApiServer.basic("bob", PASSWORD);
    carolBasic = ApiServer.basic("carol", PASSWORD);
    daveBasic = ApiServer.basic("dave", PASSWORD);
  }

  @AfterAll
  void stop() {
    api.close();
  }

  /** A fresh API token of a user of tenant A: its id and its Authorization header. */
  private Token token(String basic) {
    Reply issued = api.post(a("/tokens"), basic, json("name", "t" + (++tokens)));
    assertThat(issued.status()).as(issued.text()).isEqualTo(201);
    return new Token(issued.json().path("token").path("id").asText(), ApiServer.bearer(issued.field("secret")));
  }

  private record Token(String id, String auth) {}

  private String a(String path) {
    return "/admin/v1/tenants/" + tenantA + path;
  }

  private static Reply status(Reply reply, int status) {
    assertThat(reply.status()).as(reply.text()).isEqualTo(status);
    return reply;
  }

  private static void assertError(Reply reply, int status, String code, String param) {
    assertThat(reply.status()).as(reply.text()).isEqualTo(status);
    assertThat(reply.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    assertThat(reply.code()).as(reply.text()).isEqualTo(code);
    assertThat(reply.param()).as(reply.text()).isEqualTo(param);
    assertThat(reply.text()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  private static List<String> fields(Reply reply) {
    List<String> names = new ArrayList<>();
    reply.json().path("error").path("fields").forEach(f -> names.add(f.path("field").asText()));
    return names;
  }

  private static Map<String, Object> body(Object... namesAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return map;
  }

  private Reply reserve(Token token, String requestId, long maxCost) {
    return api.post(a("/reservations"), token.auth(), json("requestId", requestId, "maxCost", maxCost));
  }

  private static LocalDate today() {
    return LocalDate.now(ZoneOffset.UTC);
  }

  // ---------------------------------------------------------------- accounts

  @Test
  void anAdministratorSetsReadsListsAndDeletesLimits() {
    Token bobs = token(bobBasic);
    String account = a("/quotas/token/" + bobs.id());
    JsonNode set = status(api.put(account, aliceBasic, json("budget", 1000, "period", "DAILY",
        "requestsPerMinute", 100)), 200).json();
    assertThat(set.path("tenantId").asText()).isEqualTo(tenantA);
    assertThat(set.path("level").asText()).isEqualTo("token");
    assertThat(set.path("subjectId").asText()).isEqualTo(bobs.id());
    assertThat(set.path("limits").path("budget").asLong()).isEqualTo(1000);
    assertThat(set.path("limits").path("period").asText()).isEqualTo("daily");
    assertThat(set.path("limits").path("requestsPerMinute").asLong()).isEqualTo(100);
    assertThat(set.path("limits").has("tokensPerMinute")).isTrue();
    assertThat(set.path("limits").path("tokensPerMinute").isNull()).isTrue();
    assertThat(set.path("version").asLong()).isZero();

    JsonNode again = status(api.put(account, aliceBasic, json("budget", 2000, "period", "daily",
        "requestsPerMinute", 100)), 200).json();
    assertThat(again.path("version").asLong()).isEqualTo(1);

    JsonNode status = status(api.get(account, aliceBasic), 200).json();
    assertThat(status.path("account").path("limits").path("budget").asLong()).isEqualTo(2000);
    List<String> meters = new ArrayList<>();
    status.path("meters").forEach(m -> meters.add(m.path("meter").asText()));
    assertThat(meters).containsExactly("credits", "requests");
    JsonNode credits = status.path("meters").get(0);
    assertThat(credits.path("limit").asLong()).isEqualTo(2000);
    assertThat(credits.path("used").asLong()).isZero();
    assertThat(credits.path("remaining").asLong()).isEqualTo(2000 - credits.path("leased").asLong());
    java.time.Instant windowStart = java.time.Instant.parse(credits.path("windowStart").asText());
    assertThat(windowStart.toString()).endsWith("T00:00:00Z");
    assertThat(credits.path("windowEnd").asText()).isEqualTo(windowStart.plus(Duration.ofDays(1)).toString());

    // The token's owner reads its own account without a permission.
    assertThat(status(api.get(account, bobs.auth()), 200).json().path("account").path("subjectId").asText())
        .isEqualTo(bobs.id());

    JsonNode page = status(api.get(a("/quotas?limit=50"), aliceBasic), 200).json();
    assertThat(page.path("limit").asInt()).isEqualTo(50);
    assertThat(page.path("data").findValuesAsText("subjectId")).contains(bobs.id());

    status(api.delete(account, aliceBasic), 204);
    assertError(api.get(account, aliceBasic), 404, "NOT_FOUND", null);
    assertError(api.delete(account, aliceBasic), 404, "NOT_FOUND", null);
  }

  @Test
  void everyLevelIsAddressableAndTheTenantsSubjectIsItself() {
    String group = status(api.post(a("/groups"), aliceBasic, json("name", "quota-team")), 201).id();
    status(api.put(a("/quotas/group/" + group), aliceBasic, json("concurrency", 5)), 200);
    status(api.put(a("/quotas/USER/" + carol), aliceBasic, json("tokensPerMinute", 10000)), 200);
    JsonNode tenant = status(api.put(a("/quotas/tenant/" + tenantA), aliceBasic, json("budget", 1_000_000_000L,
        "period", "monthly")), 200).json();
    assertThat(tenant.path("level").asText()).isEqualTo("tenant");
    JsonNode status = status(api.get(a("/quotas/group/" + group), aliceBasic), 200).json();
    assertThat(status.path("meters").get(0).path("meter").asText()).isEqualTo("concurrency");
    assertThat(status.path("meters").get(0).path("windowEnd").isNull()).isTrue();
    assertError(api.put(a("/quotas/tenant/" + tenantB), aliceBasic, json("budget", 1)), 400, "INVALID_ARGUMENT",
        "subjectId");
    assertError(api.put(a("/quotas/user/" + UNKNOWN_USER), aliceBasic, json("budget", 1)), 404, "NOT_FOUND", null);
    status(api.delete(a("/quotas/tenant/" + tenantA), aliceBasic), 204);
    status(api.delete(a("/quotas/group/" + group), aliceBasic), 204);
    status(api.delete(a("/quotas/user/" + carol), aliceBasic), 204);
  }

  @Test
  void badLimitsAreNamed() {
    String account = a("/quotas/user/" + bob);
    assertError(api.put(a("/quotas/planet/" + bob), aliceBasic, json("budget", 1)), 400, "INVALID_ARGUMENT", "level");
    assertError(api.put(account, aliceBasic, json("budget", -1)), 400, "INVALID_ARGUMENT", "budget");
    assertError(api.put(account, aliceBasic, json("budget", 10_000_000_000_000_000L)), 400, "INVALID_ARGUMENT", "budget");
    assertError(api.put(account, aliceBasic, "{\"budget\":100000000000000000000000}"), 400, "INVALID_ARGUMENT",
        "budget");
    assertError(api.put(account, aliceBasic, json("budget", 1.5)), 400, "INVALID_ARGUMENT", "budget");
    assertError(api.put(account, aliceBasic, json("budget", "100")), 400, "INVALID_ARGUMENT", "budget");
    Reply period = api.put(account, aliceBasic, json("budget", 10, "period", "hourly"));
    assertError(period, 400, "INVALID_ARGUMENT", "period");
    assertThat(period.message()).contains("none, daily, weekly, monthly");
    assertError(api.put(account, aliceBasic, json("period", 1)), 400, "INVALID_ARGUMENT", "period");
    Reply several = api.put(account, aliceBasic, json("budget", -5, "requestsPerMinute", 0, "concurrency", 2_000_000));
    assertError(several, 400, "INVALID_ARGUMENT", "budget");
    assertThat(fields(several)).containsExactly("budget", "requestsPerMinute", "concurrency");
    assertError(api.put(account, aliceBasic, json("budgets", 1)), 400, "INVALID_ARGUMENT", "budgets");
    assertError(api.put(account, aliceBasic, ""), 400, "INVALID_ARGUMENT", null);
    assertError(api.get(account, aliceBasic), 404, "NOT_FOUND", null);
  }

  @Test
  void aMemberWithoutQuotasManageIsRefusedAndAnotherTenantSeesNothing() {
    Token bobs = token(bobBasic);
    String account = a("/quotas/token/" + bobs.id());
    assertError(api.put(account, bobBasic, json("budget", 1_000_000)), 403, "PERMISSION_DENIED", null);
    assertError(api.put(account, bobs.auth(), json("budget", 1_000_000)), 403, "PERMISSION_DENIED", null);
    assertError(api.get(a("/quotas"), bobBasic), 403, "PERMISSION_DENIED", null);
    assertError(api.get(a("/usage"), bobBasic), 403, "PERMISSION_DENIED", null);
    assertError(api.post(a("/prices"), bobBasic, json("model", "m-bob", "inputPerMillion", 1)), 403,
        "PERMISSION_DENIED", null);
    assertError(api.post("/admin/v1/prices", aliceBasic, json("model", "m-alice", "inputPerMillion", 1)), 403,
        "PERMISSION_DENIED", null);
    status(api.put(account, aliceBasic, json("budget", 1_000_000)), 200);
    assertError(api.delete(account, bobBasic), 403, "PERMISSION_DENIED", null);
    // Another tenant's administrator: the tenant answers like an unknown one.
    assertError(api.get(account, daveBasic), 404, "NOT_FOUND", null);
    assertError(api.put(account, daveBasic, json("budget", 1)), 404, "NOT_FOUND", null);
    assertError(api.get(a("/usage"), daveBasic), 404, "NOT_FOUND", null);
    assertError(api.get(a("/usage/daily?from=2030-01-01&to=2030-01-02"), daveBasic), 404, "NOT_FOUND", null);
    assertError(api.get(a("/prices"), daveBasic), 404, "NOT_FOUND", null);
    status(api.delete(account, aliceBasic), 204);
  }

  // ---------------------------------------------------------------- metering

  @Test
  void aTokenReservesSettlesAndReleasesAndTheUsageIsListed() {
    Token bobs = token(bobBasic);
    status(api.put(a("/quotas/token/" + bobs.id()), aliceBasic, json("budget", 1000, "period", "daily")), 200);

    JsonNode held = status(reserve(bobs, "req-settle-1", 100), 201).json();
    assertThat(held.path("requestId").asText()).isEqualTo("req-settle-1");
    assertThat(held.path("maxCost").asLong()).isEqualTo(100);
    assertThat(held.path("maxTokens").asLong()).isZero();
    assertThat(held.path("hostId").asText()).isEqualTo(api.platform.quotaEngine().hostId());
    Duration open = Duration.between(java.time.Instant.parse(held.path("startedAt").asText()),
        java.time.Instant.parse(held.path("expiresAt").asText()));
    assertThat(open).isEqualTo(Duration.ofMinutes(10));
    // The same request again with the same amounts is the same reservation; other amounts conflict.
    assertThat(status(reserve(bobs, "req-settle-1", 100), 201).json().path("startedAt"))
        .isEqualTo(held.path("startedAt"));
    assertError(reserve(bobs, "req-settle-1", 99), 409, "CONFLICT", "requestId");

    JsonNode settled = status(api.post(a("/reservations/req-settle-1/settle"), bobs.auth(), json("cost", 40)), 200)
        .json();
    assertThat(settled.path("requestId").asText()).isEqualTo("req-settle-1");
    assertThat(settled.path("cost").asLong()).isEqualTo(40);
    assertThat(settled.path("status").asText()).isEqualTo("succeeded");
    assertThat(settled.path("tenantId").asText()).isEqualTo(tenantA);
    assertThat(settled.path("userId").asText()).isEqualTo(bob);
    assertThat(settled.path("tokenId").asText()).isEqualTo(bobs.id());
    assertThat(settled.path("priceId").isNull()).isTrue();
    assertThat(settled.path("multiplier").asLong()).isEqualTo(10_000);
    assertThat(settled.path("clientIp").isNull()).isTrue();
    // Settling again answers the first outcome; releasing a settled one is refused.
    assertThat(status(api.post(a("/reservations/req-settle-1/settle"), bobs.auth(), json("cost", 99)), 200).json()
        .path("cost").asLong()).isEqualTo(40);
    assertError(api.post(a("/reservations/req-settle-1/release"), bobs.auth(), null), 409, "FAILED_PRECONDITION", null);
    assertError(reserve(bobs, "req-settle-1", 100), 409, "CONFLICT", "requestId");

    status(reserve(bobs, "req-release-1", 100), 201);
    JsonNode released = status(api.post(a("/reservations/req-release-1/release"), bobs.auth(),
        json("errorCode", "client_gone")), 200).json();
    assertThat(released.path("status").asText()).isEqualTo("released");
    assertThat(released.path("errorCode").asText()).isEqualTo("client_gone");
    assertThat(released.path("cost").asLong()).isZero();
    // A release without a body, again: the first outcome.
    assertThat(status(api.send("POST", a("/reservations/req-release-1/release"), bobs.auth(), null, null), 200)
        .json().path("errorCode").asText()).isEqualTo("client_gone");
    assertError(api.post(a("/reservations/req-release-1/settle"), bobs.auth(), json("cost", 1)), 409,
        "FAILED_PRECONDITION", null);
    assertError(api.post(a("/reservations/req-unknown/settle"), bobs.auth(), json("cost", 1)), 404, "NOT_FOUND", null);
    assertError(api.post(a("/reservations/req-unknown/release"), bobs.auth(), null), 404, "NOT_FOUND", null);

    api.platform.quotaEngine().flush();
    JsonNode page = status(api.get(a("/usage?tokenId=" + bobs.id()), aliceBasic), 200).json();
    assertThat(page.path("data").findValuesAsText("requestId")).containsExactlyInAnyOrder("req-settle-1",
        "req-release-1");
    JsonNode onlyReleased = status(api.get(a("/usage?tokenId=" + bobs.id() + "&status=RELEASED"), aliceBasic), 200)
        .json();
    assertThat(onlyReleased.path("data").findValuesAsText("requestId")).containsExactly("req-release-1");
    JsonNode one = status(api.get(a("/usage/req-settle-1"), aliceBasic), 200).json();
    assertThat(one).isEqualTo(settled);
    // bob reads his own usage without usage:read, but only his own.
    assertThat(status(api.get(a("/usage?userId=" + bob), bobBasic), 200).json().path("data")
        .findValuesAsText("requestId")).contains("req-settle-1");
    assertThat(status(api.get(a("/usage/req-settle-1"), bobs.auth()), 200).json().path("cost").asLong()).isEqualTo(40);
    assertError(api.get(a("/usage/req-settle-1"), carolBasic), 403, "PERMISSION_DENIED", null);
    assertError(api.get(a("/usage/req-nothing"), aliceBasic), 404, "NOT_FOUND", null);

    JsonNode credits = status(api.get(a("/quotas/token/" + bobs.id()), aliceBasic), 200).json().path("meters").get(0);
    assertThat(credits.path("used").asLong()).isEqualTo(40);
    // A budget below what the period already spent.
    Reply below = api.put(a("/quotas/token/" + bobs.id()), aliceBasic, json("budget", 10, "period", "daily"));
    assertError(below, 409, "FAILED_PRECONDITION", "budget");
    status(api.delete(a("/quotas/token/" + bobs.id()), aliceBasic), 204);
  }

  @Test
  void settlingByModelUsesThePriceTable() {
    JsonNode platformPrice = status(api.post("/admin/v1/prices", api.admin, json("model", "m-shared",
        "inputPerMillion", 3_000_000, "outputPerMillion", 3_000_000)), 201).json();
    assertThat(platformPrice.path("tenantId").isNull()).isTrue();
    assertThat(platformPrice.path("id").asText()).startsWith("prc_");
    JsonNode price = status(api.post(a("/prices"), aliceBasic, json("model", "m-shared", "inputPerMillion", 1_000_000,
        "outputPerMillion", 2_000_000, "perRequest", 5, "groupMultipliers", Map.of("grp_vip", 5000, "grp_abc", 20_000))),
        201).json();
    assertThat(price.path("tenantId").asText()).isEqualTo(tenantA);
    assertThat(price.path("cachedInputPerMillion").asLong()).isZero();
    assertThat(price.path("groupMultipliers").fieldNames()).toIterable().containsExactly("grp_abc", "grp_vip");
    assertThat(status(api.get(a("/prices?model=m-shared"), aliceBasic), 200).json().path("data")
        .findValuesAsText("id")).containsExactly(platformPrice.path("id").asText(), price.path("id").asText());
    assertThat(status(api.get("/admin/v1/prices?model=m-shared", api.admin), 200).json().path("data")
        .findValuesAsText("id")).containsExactly(platformPrice.path("id").asText());
    assertThat(status(api.get(a("/prices?model=m-none"), aliceBasic), 200).json().path("data").size()).isZero();

    Token bobs = token(bobBasic);
    status(reserve(bobs, "req-model-1", 1000), 201);
    JsonNode settled = status(api.post(a("/reservations/req-model-1/settle"), bobs.auth(), json("model", "m-shared",
        "promptTokens", 10, "completionTokens", 5)), 200).json();
    // 10 x 1 + 5 x 2 + 5 per request, the tenant's own price.
    assertThat(settled.path("cost").asLong()).isEqualTo(25);
    assertThat(settled.path("priceId").asText()).isEqualTo(price.path("id").asText());
    assertThat(settled.path("model").asText()).isEqualTo("m-shared");
    assertThat(settled.path("promptTokens").asLong()).isEqualTo(10);

    status(reserve(bobs, "req-model-2", 1000), 201);
    Reply unpriced = api.post(a("/reservations/req-model-2/settle"), bobs.auth(), json("model", "m-unpriced",
        "promptTokens", 1));
    assertError(unpriced, 409, "FAILED_PRECONDITION", null);
    // The reservation stayed open: a failed request with a cost given settles it.
    JsonNode failed = status(api.post(a("/reservations/req-model-2/settle"), bobs.auth(), json("model", "m-unpriced",
        "cost", 7, "status", "failed", "errorCode", "upstream_timeout")), 200).json();
    assertThat(failed.path("status").asText()).isEqualTo("failed");
    assertThat(failed.path("cost").asLong()).isEqualTo(7);
    assertThat(failed.path("priceId").isNull()).isTrue();
  }

  @Test
  void badPricesAreNamed() {
    assertError(api.post(a("/prices"), aliceBasic, json("inputPerMillion", 1)), 400, "INVALID_ARGUMENT", "model");
    assertError(api.post(a("/prices"), aliceBasic, json("model", "has space")), 400, "INVALID_ARGUMENT", "model");
    Reply several = api.post(a("/prices"), aliceBasic, json("model", "m-bad", "inputPerMillion", -1,
        "perRequest", 10_000_000_000_000L));
    assertError(several, 400, "INVALID_ARGUMENT", "inputPerMillion");
    assertThat(fields(several)).containsExactly("inputPerMillion", "perRequest");
    assertError(api.post(a("/prices"), aliceBasic, json("model", "m-bad", "groupMultipliers", Map.of("not a group", 1))),
        400, "INVALID_ARGUMENT", "groupMultipliers");
    assertError(api.post(a("/prices"), aliceBasic, json("model", "m-bad", "effectiveFrom", "yesterday")), 400,
        "INVALID_ARGUMENT", "effectiveFrom");
    assertError(api.post(a("/prices"), aliceBasic, "{\"model\":\"m-bad\",\"groupMultipliers\":{\"grp_x\":null}}"),
        400, "INVALID_ARGUMENT", "groupMultipliers");
    assertError(api.get(a("/prices?model=has%20space"), aliceBasic), 400, "INVALID_ARGUMENT", "model");
    String at = "2030-01-01T00:00:00Z";
    status(api.post(a("/prices"), aliceBasic, json("model", "m-twice", "effectiveFrom", at)), 201);
    assertError(api.post(a("/prices"), aliceBasic, json("model", "m-twice", "effectiveFrom", at)), 409, "CONFLICT",
        "effectiveFrom");
  }

  @Test
  void badReservationsAndSettlementsAreNamed() {
    Token bobs = token(bobBasic);
    Reply empty = api.post(a("/reservations"), bobs.auth(), "{}");
    assertError(empty, 400, "INVALID_ARGUMENT", "requestId");
    assertThat(fields(empty)).containsExactly("requestId", "maxCost");
    assertError(api.post(a("/reservations"), bobs.auth(), json("requestId", "r 1", "maxCost", 1)), 400,
        "INVALID_ARGUMENT", "requestId");
    assertError(reserve(bobs, "req-bad", -1), 400, "INVALID_ARGUMENT", "maxCost");
    assertError(reserve(bobs, "req-bad", 10_000_000_000_000_000L), 400, "INVALID_ARGUMENT", "maxCost");
    assertError(api.post(a("/reservations"), bobs.auth(), json("requestId", "req-bad", "maxCost", 1, "maxTokens",
        2_000_000_000L)), 400, "INVALID_ARGUMENT", "maxTokens");

    status(reserve(bobs, "req-bad-settle", 10), 201);
    String settle = a("/reservations/req-bad-settle/settle");
    assertError(api.post(settle, bobs.auth(), "{}"), 400, "INVALID_ARGUMENT", "cost");
    assertError(api.post(settle, bobs.auth(), json("cost", -1)), 400, "INVALID_ARGUMENT", "cost");
    assertError(api.post(settle, bobs.auth(), json("model", "m", "promptTokens", -3)), 400, "INVALID_ARGUMENT",
        "promptTokens");
    assertError(api.post(settle, bobs.auth(), json("cost", 1, "status", "released")), 400, "INVALID_ARGUMENT", "status");
    assertError(api.post(settle, bobs.auth(), json("cost", 1, "status", "done")), 400, "INVALID_ARGUMENT", "status");
    assertError(api.post(settle, bobs.auth(), json("cost", 1, "errorCode", "x".repeat(65))), 400, "INVALID_ARGUMENT",
        "errorCode");
    assertError(api.post(a("/reservations/req-bad-settle/release"), bobs.auth(), json("errorCode", "")), 400,
        "INVALID_ARGUMENT", "errorCode");
    assertError(api.post(a("/reservations/req-bad-settle/release"), bobs.auth(), "null"), 400, "INVALID_ARGUMENT",
        null);
    // Another member may not settle bob's reservation; an administrator may.
    assertError(api.post(settle, carolBasic, json("cost", 1)), 403, "PERMISSION_DENIED", null);
    // Another tenant's administrator does not see it at all.
    assertError(api.post("/admin/v1/tenants/" + tenantB + "/reservations/req-bad-settle/settle", daveBasic,
        json("cost", 1)), 404, "NOT_FOUND", null);
    assertError(api.post(settle, daveBasic, json("cost", 1)), 404, "NOT_FOUND", null);
    assertThat(status(api.post(settle, aliceBasic, json("cost", 1)), 200).json().path("userId").asText()).isEqualTo(bob);
  }

  @Test
  void aTokenIsChargedInItsOwnTenantOnly() {
    // The platform administrator's token belongs to the bootstrap tenant.
    Reply elsewhere = api.post(a("/reservations"), api.admin, json("requestId", "req-admin-1", "maxCost", 1));
    assertError(elsewhere, 400, "INVALID_ARGUMENT", "tenantId");
    String own = "/admin/v1/tenants/" + api.bootstrap.tenant().id().value();
    status(api.post(own + "/reservations", api.admin, json("requestId", "req-admin-1", "maxCost", 1)), 201);
    status(api.post(own + "/reservations/req-admin-1/release", api.admin, null), 200);
    // A member of another tenant does not see this one.
    assertError(api.post(a("/reservations"), daveBasic, json("requestId", "req-dave-1", "maxCost", 1)), 404,
        "NOT_FOUND", null);
  }

  @Test
  void anOverBudgetReservationIs429WithRetryAfterAndTheLimit() {
    Token bobs = token(bobBasic);
    status(api.put(a("/quotas/token/" + bobs.id()), aliceBasic, json("budget", 50, "period", "daily")), 200);
    Reply refused = reserve(bobs, "req-over-1", 100);
    assertError(refused, 429, "QUOTA_EXCEEDED", null);
    JsonNode error = refused.json().path("error");
    assertThat(error.path("type").asText()).isEqualTo("insufficient_quota");
    assertThat(error.path("level").asText()).isEqualTo("token");
    assertThat(error.path("subjectId").asText()).isEqualTo(bobs.id());
    assertThat(error.path("meter").asText()).isEqualTo("credits");
    assertThat(error.path("limit").asLong()).isEqualTo(50);
    long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 86_400L);
    // Within the budget it is held; nothing of the refused one was.
    status(reserve(bobs, "req-over-2", 50), 201);
    status(api.post(a("/reservations/req-over-2/release"), bobs.auth(), null), 200);

    Token limited = token(bobBasic);
    status(api.put(a("/quotas/token/" + limited.id()), aliceBasic, json("requestsPerMinute", 1)), 200);
    // One request per clock minute: of three in a row, at most two fall in different minutes.
    Reply rateLimited = null;
    for (int i = 1; i <= 3 && rateLimited == null; i++) {
      Reply reply = reserve(limited, "req-rpm-" + i, 0);
      if (reply.status() == 201) {
        status(api.post(a("/reservations/req-rpm-" + i + "/settle"), limited.auth(), json("cost", 0)), 200);
      } else {
        rateLimited = reply;
      }
    }
    assertThat(rateLimited).isNotNull();
    assertError(rateLimited, 429, "RATE_LIMITED", null);
    assertThat(rateLimited.json().path("error").path("type").asText()).isEqualTo("rate_limit_error");
    assertThat(rateLimited.json().path("error").path("meter").asText()).isEqualTo("requests");
    assertThat(Long.parseLong(rateLimited.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);

    Token single = token(bobBasic);
    status(api.put(a("/quotas/token/" + single.id()), aliceBasic, json("concurrency", 1)), 200);
    status(reserve(single, "req-conc-1", 0), 201);
    Reply busy = reserve(single, "req-conc-2", 0);
    assertError(busy, 429, "RATE_LIMITED", null);
    assertThat(busy.json().path("error").path("meter").asText()).isEqualTo("concurrency");
    assertThat(busy.headers().firstValue("Retry-After")).isEmpty();
    status(api.post(a("/reservations/req-conc-1/release"), single.auth(), null), 200);
    // Errors other than limits carry none of the limit's fields.
    assertThat(api.get(a("/usage/req-nothing"), aliceBasic).json().path("error").has("meter")).isFalse();
  }

  // ---------------------------------------------------------------- usage and statistics

  @Test
  void dailyStatisticsAsJsonAndCsv() {
    Token carols = token(carolBasic);
    status(reserve(carols, "req-daily-1", 100), 201);
    status(api.post(a("/reservations/req-daily-1/settle"), carols.auth(), json("cost", 30)), 200);
    status(reserve(carols, "req-daily-2", 100), 201);
    status(api.post(a("/reservations/req-daily-2/release"), carols.auth(), null), 200);
    api.platform.quotaEngine().flush();
    String range = "from=" + today().minusDays(1) + "&to=" + today().plusDays(1);

    JsonNode daily = status(api.get(a("/usage/daily?" + range + "&userId=" + carol), aliceBasic), 200).json();
    assertThat(daily.path("data").size()).isEqualTo(1);
    JsonNode day = daily.path("data").get(0);
    assertThat(day.path("userId").asText()).isEqualTo(carol);
    assertThat(day.path("requests").asLong()).isEqualTo(2);
    assertThat(day.path("failed").asLong()).isEqualTo(1);
    assertThat(day.path("cost").asLong()).isEqualTo(30);
    assertThat(day.path("model").isNull()).isTrue();
    // carol reads her own statistics without a permission, but nobody else's.
    status(api.get(a("/usage/daily?" + range + "&userId=" + carol), carolBasic), 200);
    assertError(api.get(a("/usage/daily?" + range), carolBasic), 403, "PERMISSION_DENIED", null);

    Reply csv = status(api.get(a("/usage/daily?" + range + "&userId=" + carol + "&format=csv"), aliceBasic), 200);
    assertThat(csv.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/csv"));
    assertThat(csv.headers().firstValue("Content-Disposition")).hasValueSatisfying(v -> assertThat(v)
        .startsWith("attachment; filename=\"usage-" + tenantA));
    assertThat(csv.text().split("\r\n")).containsExactly(
        "day,user_id,model,requests,failed,prompt_tokens,completion_tokens,cached_tokens,cost",
        day.path("day").asText() + "," + carol + ",,2,1,0,0,0,30");
    assertThat(status(api.get(a("/usage/daily?" + range + "&format=json"), aliceBasic), 200).json().path("data")
        .findValuesAsText("userId")).contains(carol);
  }

  @Test
  void badUsageQueriesAreNamed() {
    assertError(api.get(a("/usage/daily?from=2030-13-01&to=2030-01-02"), aliceBasic), 400, "INVALID_ARGUMENT", "from");
    assertError(api.get(a("/usage/daily?from=2030-01-01"), aliceBasic), 400, "INVALID_ARGUMENT", "to");
    assertError(api.get(a("/usage/daily?to=2030-01-01"), aliceBasic), 400, "INVALID_ARGUMENT", "from");
    assertError(api.get(a("/usage/daily?from=2030-01-02&to=2030-01-01"), aliceBasic), 400, "INVALID_ARGUMENT", "to");
    assertError(api.get(a("/usage/daily?from=2030-01-01&to=2031-06-01"), aliceBasic), 400, "INVALID_ARGUMENT", "to");
    assertError(api.get(a("/usage/daily?from=2030-01-01&to=2030-01-02&format=xml"), aliceBasic), 400,
        "INVALID_ARGUMENT", "format");
    assertError(api.get(a("/usage/daily?from=2030-01-01&to=2030-01-02&userId=bad%20id"), aliceBasic), 400,
        "INVALID_ARGUMENT", "userId");
    assertError(api.get(a("/usage?from=yesterday"), aliceBasic), 400, "INVALID_ARGUMENT", "from");
    assertError(api.get(a("/usage?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z"), aliceBasic), 400,
        "INVALID_ARGUMENT", "to");
    assertError(api.get(a("/usage?status=lost"), aliceBasic), 400, "INVALID_ARGUMENT", "status");
    assertError(api.get(a("/usage?tokenId=bad%20id"), aliceBasic), 400, "INVALID_ARGUMENT", "tokenId");
    assertError(api.get(a("/usage?limit=0"), aliceBasic), 400, "INVALID_ARGUMENT", "limit");
    assertError(api.get(a("/usage?offset=-1"), aliceBasic), 400, "INVALID_ARGUMENT", "offset");
    assertError(api.get(a("/usage/req%20spaced"), aliceBasic), 400, "INVALID_ARGUMENT", "requestId");
  }

  @Test
  void retryAfterRoundsUp() {
    assertThat(ApiFailure.secondsRoundedUp(Duration.ofMillis(1))).isEqualTo(1);
    assertThat(ApiFailure.secondsRoundedUp(Duration.ofSeconds(59))).isEqualTo(59);
    assertThat(ApiFailure.secondsRoundedUp(Duration.ofMillis(59_001))).isEqualTo(60);
    assertThat(ApiFailure.secondsRoundedUp(Duration.ZERO)).isZero();
    assertThat(ApiFailure.secondsRoundedUp(Duration.ofMillis(-5))).isZero();
  }
}
