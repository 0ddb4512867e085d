package com.neurasea.http;

import static com.neurasea.http.ApiServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.neurasea.http.ApiServer.Reply;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Happy paths of the identity, tenant, user and membership routes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantUserRoutesTest {
  ApiServer api;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    api = ApiServer.start(dir);
  }

  @AfterAll
  void stop() throws Exception {
    api.close();
  }

  @Test
  void healthAndOpenApiNeedNoCredentials() {
    Reply health = api.get("/healthz", null);
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.text()).isEqualTo("{\"status\":\"ok\"}");
    Reply openApi = api.get("/openapi.json", null);
    assertThat(openApi.status()).isEqualTo(200);
    assertThat(openApi.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    assertThat(openApi.json().path("openapi").asText()).startsWith("3.");
  }

  @Test
  void meDescribesTheTokenAndItsAccount() {
    Reply me = api.get("/admin/v1/me", api.admin);
    assertThat(me.status()).as(me.text()).isEqualTo(200);
    JsonNode principal = me.json().path("principal");
    assertThat(principal.path("kind").asText()).isEqualTo("API_TOKEN");
    assertThat(principal.path("userId").asText()).isEqualTo(api.bootstrap.admin().id().value());
    assertThat(principal.path("tokenId").asText()).isEqualTo(api.bootstrap.token().token().id().value());
    assertThat(principal.path("tokenTenantId").asText()).isEqualTo(api.bootstrap.tenant().id().value());
    assertThat(me.json().path("user").path("username").asText()).isEqualTo("admin");
    assertThat(me.headers().firstValue("Cache-Control")).contains("no-store");
  }

  @Test
  void tenantsAreCreatedListedReadChangedAndSuspended() {
    Reply created = api.post("/admin/v1/tenants", api.admin, json("slug", "acme", "name", "Acme", "timeZone", "Asia/Shanghai"));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    String id = created.id();
    assertThat(id).startsWith("tnt_");
    assertThat(created.field("status")).isEqualTo("ACTIVE");
    assertThat(created.field("timeZone")).isEqualTo("Asia/Shanghai");
    assertThat(created.field("createdAt")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");

    Reply list = api.get("/admin/v1/tenants?offset=0&limit=50", api.admin);
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.json().path("data").findValuesAsText("slug")).contains("platform", "acme");
    assertThat(list.json().path("limit").asInt()).isEqualTo(50);

    assertThat(api.get("/admin/v1/tenants/" + id, api.admin).field("name")).isEqualTo("Acme");
    Reply patched = api.patch("/admin/v1/tenants/" + id, api.admin, json("name", "Acme Corp"));
    assertThat(patched.status()).as(patched.text()).isEqualTo(200);
    assertThat(patched.field("name")).isEqualTo("Acme Corp");
    assertThat(patched.field("timeZone")).isEqualTo("Asia/Shanghai");

    Reply suspended = api.put("/admin/v1/tenants/" + id + "/status", api.admin, json("status", "SUSPENDED"));
    assertThat(suspended.status()).as(suspended.text()).isEqualTo(200);
    assertThat(suspended.field("status")).isEqualTo("SUSPENDED");
  }

  @Test
  void usersAreManagedAndTheirPasswordsNeverEchoed() {
    String tenant = api.post("/admin/v1/tenants", api.admin, json("slug", "users-co", "name", "Users Co")).id();
    String users = "/admin/v1/tenants/" + tenant + "/users";
    Reply created = api.post(users, api.admin, json("username", "alice", "displayName", "Alice",
        "email", "alice@example.com", "phone", "+8613800138000", "loginMethod", "PASSWORD",
        "password", "correct horse battery"));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    assertThat(created.text()).doesNotContain("correct horse").doesNotContain("password");
    String alice = created.id();
    String user = users + "/" + alice;

    assertThat(api.get(users, api.admin).json().path("data").findValuesAsText("username")).containsExactly("alice");
    assertThat(api.get(user, api.admin).field("email")).isEqualTo("alice@example.com");
    assertThat(api.patch(user, api.admin, json("displayName", "Alice L.")).field("displayName")).isEqualTo("Alice L.");

    Reply verified = api.post(user + "/email-verification", api.admin, null);
    assertThat(verified.status()).as(verified.text()).isEqualTo(200);
    assertThat(verified.json().path("emailVerifiedAt").isTextual()).isTrue();
    assertThat(api.post(user + "/phone-verification", api.admin, null).json().path("phoneVerifiedAt").isTextual()).isTrue();

    Reply password = api.put(user + "/password", api.admin, json("password", "a much newer secret"));
    assertThat(password.status()).as(password.text()).isEqualTo(204);
    assertThat(password.text()).isEmpty();
    Reply me = api.get("/admin/v1/me", ApiServer.basic("alice", "a much newer secret"));
    assertThat(me.status()).as(me.text()).isEqualTo(200);
    assertThat(me.json().path("principal").path("kind").asText()).isEqualTo("USER");
    assertThat(api.get("/admin/v1/me", ApiServer.basic("alice", "correct horse battery")).status()).isEqualTo(401);

    Reply locked = api.put(user + "/status", api.admin, json("status", "LOCKED"));
    assertThat(locked.status()).as(locked.text()).isEqualTo(200);
    assertThat(locked.field("status")).isEqualTo("LOCKED");
    assertThat(api.put(user + "/status", api.admin, json("status", "ACTIVE")).field("status")).isEqualTo("ACTIVE");

    assertThat(api.get(user + "/groups", api.admin).json().path("data").size()).isZero();
  }

  @Test
  void membersAreAddedAndRemoved() {
    String first = api.post("/admin/v1/tenants", api.admin, json("slug", "first-co", "name", "First")).id();
    String second = api.post("/admin/v1/tenants", api.admin, json("slug", "second-co", "name", "Second")).id();
    String bob = api.post("/admin/v1/tenants/" + first + "/users", api.admin,
        json("username", "bob", "loginMethod", "TOKEN_ONLY")).id();

    Reply added = api.post("/admin/v1/tenants/" + second + "/members", api.admin, json("userId", bob));
    assertThat(added.status()).as(added.text()).isEqualTo(201);
    assertThat(added.field("tenantId")).isEqualTo(second);
    assertThat(added.field("userId")).isEqualTo(bob);
    assertThat(api.get("/admin/v1/tenants/" + second + "/users/" + bob, api.admin).status()).isEqualTo(200);

    Reply removed = api.delete("/admin/v1/tenants/" + second + "/members/" + bob, api.admin);
    assertThat(removed.status()).as(removed.text()).isEqualTo(204);
    assertThat(api.get("/admin/v1/tenants/" + second + "/users", api.admin).json().path("data").size()).isZero();
  }

  @Test
  void hostileAndNonAsciiTextIsStoredAndReturnedVerbatim() {
    String sql = "Robert'); DROP TABLE users;--";
    String chinese = "张伟";
    Reply tenant = api.post("/admin/v1/tenants", api.admin, json("slug", "text-co", "name", sql));
    assertThat(tenant.status()).as(tenant.text()).isEqualTo(201);
    assertThat(tenant.field("name")).isEqualTo(sql);
    String users = "/admin/v1/tenants/" + tenant.id() + "/users";
    Reply robert = api.post(users, api.admin, json("username", "robert", "displayName", sql, "loginMethod", "TOKEN_ONLY"));
    Reply zhang = api.post(users, api.admin, json("username", "zhangwei", "displayName", chinese, "loginMethod", "TOKEN_ONLY"));
    assertThat(robert.field("displayName")).isEqualTo(sql);
    assertThat(zhang.field("displayName")).isEqualTo(chinese);
    assertThat(api.get(users + "/" + robert.id(), api.admin).field("displayName")).isEqualTo(sql);
    assertThat(api.get(users + "/" + zhang.id(), api.admin).field("displayName")).isEqualTo(chinese);
    assertThat(api.get(users, api.admin).json().path("data").findValuesAsText("displayName"))
        .containsExactlyInAnyOrder(sql, chinese);
    assertThat(api.get("/admin/v1/tenants/" + tenant.id(), api.admin).field("name")).isEqualTo(sql);
    Reply group = api.post("/admin/v1/tenants/" + tenant.id() + "/groups", api.admin, json("name", chinese + "组"));
    assertThat(group.field("name")).isEqualTo(chinese + "组");
    assertThat(api.send("GET", "/healthz", null, null, null, Map.of()).status()).isEqualTo(200);
  }
}
