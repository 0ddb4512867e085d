package com.neurasea.http;

import static com.neurasea.http.ApiServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.http.ApiServer.Reply;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Tenant isolation, escalation and suspension as an HTTP client sees them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IsolationTest {
  private static final String PASSWORD = "a long enough password";

  ApiServer api;
  String tenantA;
  String tenantB;
  String aliceToken;
  String bobB;
  String groupB;
  String tokenB;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    api = ApiServer.start(dir);
    tenantA = api.post("/admin/v1/tenants", api.admin, json("slug", "tenant-a", "name", "A")).id();
    tenantB = api.post("/admin/v1/tenants", api.admin, json("slug", "tenant-b", "name", "B")).id();
    String alice = api.post(a("/users"), api.admin,
        json("username", "alice", "loginMethod", "PASSWORD", "password", PASSWORD)).id();
    bind(a("/bindings"), alice, "rol_tenant_admin");
    aliceToken = ApiServer.bearer(api.post(a("/tokens"), ApiServer.basic("alice", PASSWORD), json("name", "cli")).field("secret"));

    bobB = api.post(b("/users"), api.admin, json("username", "bob", "loginMethod", "PASSWORD", "password", PASSWORD)).id();
    bind(b("/bindings"), bobB, "rol_member");
    groupB = api.post(b("/groups"), api.admin, json("name", "b-group")).id();
    tokenB = api.post(b("/tokens"), ApiServer.basic("bob", PASSWORD), json("name", "b-token"))
        .json().path("token").path("id").asText();
  }

  @AfterAll
  void stop() throws Exception {
    api.close();
  }

  private String a(String path) {
    return "/admin/v1/tenants/" + tenantA + path;
  }

  private String b(String path) {
    return "/admin/v1/tenants/" + tenantB + path;
  }

  private void bind(String bindings, String userId, String roleId) {
    Reply bound = api.post(bindings, api.admin, json("subject", Map.of("kind", "USER", "id", userId), "roleId", roleId,
        "scope", Map.of("kind", "TENANT")));
    assertThat(bound.status()).as(bound.text()).isEqualTo(201);
  }

  private void assertSameAsUnknown(String crossTenant, String unknown) {
    Reply cross = api.get(crossTenant, aliceToken);
    Reply missing = api.get(unknown, aliceToken);
    assertThat(cross.status()).as(cross.text()).isEqualTo(404);
    assertThat(cross.code()).isEqualTo("NOT_FOUND");
    assertThat(cross.text()).isEqualTo(missing.text());
  }

  @Test
  void anotherTenantsIdsAnswerExactlyLikeUnknownIds() {
    assertThat(api.get(a("/groups"), aliceToken).status()).isEqualTo(200);
    assertSameAsUnknown(a("/groups/" + groupB), a("/groups/grp_01hx3k9q7c2m5v8w4z6t0r1y2b"));
    assertSameAsUnknown(a("/users/" + bobB), a("/users/usr_01hx3k9q7c2m5v8w4z6t0r1y2b"));
    assertSameAsUnknown(a("/tokens/" + tokenB), a("/tokens/tok_01hx3k9q7c2m5v8w4z6t0r1y2b"));
    assertSameAsUnknown(a("/groups/" + groupB + "/members"), a("/groups/grp_01hx3k9q7c2m5v8w4z6t0r1y2b/members"));

    Reply delete = api.delete(a("/tokens/" + tokenB), aliceToken);
    assertThat(delete.status()).isEqualTo(404);
    Reply bindForeign = api.post(a("/bindings"), aliceToken, json("subject", Map.of("kind", "USER", "id", bobB),
        "roleId", "rol_member", "scope", Map.of("kind", "TENANT")));
    assertThat(bindForeign.status()).as(bindForeign.text()).isEqualTo(404);
    assertThat(api.get(b("/tokens/" + tokenB), api.admin).status()).isEqualTo(200);
  }

  @Test
  void anotherTenantItselfAnswersLikeAnUnknownTenant() {
    Reply foreign = api.get(b("/groups"), aliceToken);
    Reply unknown = api.get("/admin/v1/tenants/tnt_01hx3k9q7c2m5v8w4z6t0r1y2b/groups", aliceToken);
    assertThat(foreign.status()).as(foreign.text()).isEqualTo(404);
    assertThat(foreign.text()).isEqualTo(unknown.text());
    assertThat(api.get(b(""), aliceToken).status()).isEqualTo(404);
    assertThat(api.get(b("/groups/" + groupB), aliceToken).status()).isEqualTo(404);
    assertThat(api.get("/admin/v1/tenants", aliceToken).json().path("data").findValuesAsText("id")).containsExactly(tenantA);
  }

  @Test
  void aTenantAdminCannotGrantWhatItDoesNotHold() {
    String carol = api.post(a("/users"), aliceToken, json("username", "carol", "loginMethod", "TOKEN_ONLY")).id();
    Reply owner = api.post(a("/bindings"), aliceToken, json("subject", Map.of("kind", "USER", "id", carol),
        "roleId", "rol_tenant_owner", "scope", Map.of("kind", "TENANT")));
    assertThat(owner.status()).as(owner.text()).isEqualTo(403);
    assertThat(owner.code()).isEqualTo("PERMISSION_DENIED");
    assertThat(owner.json().path("error").path("type").asText()).isEqualTo("permission_error");
    Reply member = api.post(a("/bindings"), aliceToken, json("subject", Map.of("kind", "USER", "id", carol),
        "roleId", "rol_member", "scope", Map.of("kind", "TENANT")));
    assertThat(member.status()).as(member.text()).isEqualTo(201);
    Reply platform = api.post("/admin/v1/platform/bindings", aliceToken, json("subject", Map.of("kind", "USER", "id", carol),
        "roleId", "rol_platform_admin"));
    assertThat(platform.status()).as(platform.text()).isEqualTo(403);
    assertThat(api.patch(a(""), aliceToken, json("name", "renamed")).status()).isEqualTo(403);
    assertThat(api.put(a("/status"), aliceToken, json("status", "SUSPENDED")).status()).isEqualTo(403);
  }

  @Test
  void aSuspendedTenantsTokensStopWorking() {
    String dave = api.post(a("/users"), api.admin, json("username", "dave", "loginMethod", "PASSWORD", "password", PASSWORD)).id();
    bind(a("/bindings"), dave, "rol_member");
    String daveToken = ApiServer.bearer(api.post(a("/tokens"), ApiServer.basic("dave", PASSWORD), json("name", "d")).field("secret"));
    String suspended = api.post("/admin/v1/tenants", api.admin, json("slug", "to-suspend", "name", "S")).id();
    String erin = api.post("/admin/v1/tenants/" + suspended + "/users", api.admin,
        json("username", "erin", "loginMethod", "PASSWORD", "password", PASSWORD)).id();
    bind("/admin/v1/tenants/" + suspended + "/bindings", erin, "rol_member");
    String erinToken = ApiServer.bearer(api.post("/admin/v1/tenants/" + suspended + "/tokens", ApiServer.basic("erin", PASSWORD),
        json("name", "e")).field("secret"));
    assertThat(api.get("/admin/v1/me", erinToken).status()).isEqualTo(200);

    assertThat(api.put("/admin/v1/tenants/" + suspended + "/status", api.admin, json("status", "SUSPENDED")).status())
        .isEqualTo(200);
    Reply refused = api.get("/admin/v1/me", erinToken);
    assertThat(refused.status()).as(refused.text()).isEqualTo(409);
    assertThat(refused.code()).isEqualTo("FAILED_PRECONDITION");
    assertThat(api.get("/admin/v1/tenants/" + suspended + "/tokens", erinToken).status()).isEqualTo(409);
    assertThat(api.get("/admin/v1/me", daveToken).status()).isEqualTo(200);

    assertThat(api.put("/admin/v1/tenants/" + suspended + "/status", api.admin, json("status", "ACTIVE")).status())
        .isEqualTo(200);
    assertThat(api.get("/admin/v1/me", erinToken).status()).isEqualTo(200);
  }
}
