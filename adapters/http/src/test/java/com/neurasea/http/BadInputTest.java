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

/** Bad input and bad credentials: always a JSON error with the right status, never a 500. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
  ApiServer api;
  String tenant;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    api = ApiServer.start(dir);
    tenant = "/admin/v1/tenants/" + api.bootstrap.tenant().id().value();
  }

  @AfterAll
  void stop() throws Exception {
    api.close();
  }

  private static void assertError(Reply reply, int status, String code) {
    assertThat(reply.status()).as(reply.text()).isEqualTo(status);
    assertThat(reply.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    JsonNode error = reply.json().path("error");
    assertThat(error.path("code").asText()).isEqualTo(code);
    assertThat(error.path("message").asText()).isNotBlank();
    assertThat(error.path("type").asText()).isNotBlank();
    assertThat(error.has("param")).isTrue();
    assertThat(error.path("fields").isArray()).isTrue();
    assertThat(reply.text()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void missingOrInvalidCredentialsAre401WithAChallenge() {
    for (String auth : new String[] {null, "", "Bearer ", "Bearer nsk_not_a_real_token", "Token abc", "Basic !!!",
        ApiServer.basic("admin", "wrong password"), "Basic " + java.util.Base64.getEncoder().encodeToString("nocolon".getBytes())}) {
      Reply reply = api.get("/admin/v1/me", auth);
      assertError(reply, 401, "UNAUTHENTICATED");
      assertThat(reply.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    }
  }

  @Test
  void malformedJsonNamesTheProblem() {
    Reply truncated = api.post("/admin/v1/tenants", api.admin, "{\"slug\":");
    assertError(truncated, 400, "INVALID_ARGUMENT");
    assertThat(truncated.message()).contains("not valid JSON");
    Reply garbage = api.post("/admin/v1/tenants", api.admin, "{slug: secret-value}");
    assertError(garbage, 400, "INVALID_ARGUMENT");
    assertThat(garbage.message()).contains("not valid JSON").contains("line 1").doesNotContain("secret-value");
    assertError(api.post("/admin/v1/tenants", api.admin, "[1,2]"), 400, "INVALID_ARGUMENT");
    assertError(api.post("/admin/v1/tenants", api.admin, "null"), 400, "INVALID_ARGUMENT");
    assertError(api.post("/admin/v1/tenants", api.admin, ""), 400, "INVALID_ARGUMENT");
    assertError(api.post("/admin/v1/tenants", api.admin, "{\"slug\":\"a-b-c\",\"name\":\"x\"} trailing"), 400,
        "INVALID_ARGUMENT");
    Reply duplicate = api.post("/admin/v1/tenants", api.admin, "{\"slug\":\"a-b-c\",\"name\":\"x\",\"name\":\"y\"}");
    assertError(duplicate, 400, "INVALID_ARGUMENT");
    assertThat(duplicate.param()).isEqualTo("name");
  }

  @Test
  void unknownEnumValuesListTheAllowedOnes() {
    Reply reply = api.put(tenant + "/status", api.admin, json("status", "PAUSED"));
    assertError(reply, 400, "INVALID_ARGUMENT");
    assertThat(reply.param()).isEqualTo("status");
    assertThat(reply.message()).contains("ACTIVE", "SUSPENDED", "CLOSED");
    Reply number = api.put(tenant + "/status", api.admin, json("status", 1));
    assertError(number, 400, "INVALID_ARGUMENT");
    assertThat(number.param()).isEqualTo("status");
    Reply nested = api.post(tenant + "/bindings", api.admin,
        json("subject", Map.of("kind", "ROBOT", "id", "usr_x"), "roleId", "rol_member", "scope", Map.of("kind", "TENANT")));
    assertError(nested, 400, "INVALID_ARGUMENT");
    assertThat(nested.param()).isEqualTo("subject.kind");
    assertThat(nested.message()).contains("USER", "GROUP");
    Reply query = api.get(tenant + "/bindings?subjectKind=ROBOT&subjectId=usr_x", api.admin);
    assertError(query, 400, "INVALID_ARGUMENT");
    assertThat(query.param()).isEqualTo("subjectKind");
  }

  @Test
  void unknownPropertiesAreNamed() {
    Reply reply = api.post("/admin/v1/tenants", api.admin, json("slug", "a-b-c", "name", "x", "colour", "red"));
    assertError(reply, 400, "INVALID_ARGUMENT");
    assertThat(reply.param()).isEqualTo("colour");
    assertThat(reply.message()).contains("slug");
    Reply nested = api.post(tenant + "/bindings", api.admin,
        json("subject", Map.of("kind", "USER", "id", "usr_x", "extra", 1), "roleId", "rol_member", "scope", Map.of("kind", "TENANT")));
    assertError(nested, 400, "INVALID_ARGUMENT");
    assertThat(nested.param()).isEqualTo("subject.extra");
  }

  @Test
  void wrongTypesNameTheField() {
    Reply number = api.post("/admin/v1/tenants", api.admin, json("slug", 123, "name", "x"));
    assertError(number, 400, "INVALID_ARGUMENT");
    assertThat(number.param()).isEqualTo("slug");
    Reply object = api.post("/admin/v1/tenants", api.admin, json("slug", "a-b-c", "name", Map.of("a", 1)));
    assertError(object, 400, "INVALID_ARGUMENT");
    assertThat(object.param()).isEqualTo("name");
    Reply list = api.post(tenant + "/tokens", api.admin, json("name", "t", "ipAllowList", "127.0.0.1"));
    assertError(list, 400, "INVALID_ARGUMENT");
    assertThat(list.param()).isEqualTo("ipAllowList");
    Reply element = api.post(tenant + "/tokens", api.admin, "{\"name\":\"t\",\"ipAllowList\":[\"127.0.0.1\", 5]}");
    assertError(element, 400, "INVALID_ARGUMENT");
    assertThat(element.param()).isEqualTo("ipAllowList[1]");
    Reply instant = api.post(tenant + "/tokens", api.admin, json("name", "t", "expiresAt", "tomorrow"));
    assertError(instant, 400, "INVALID_ARGUMENT");
    assertThat(instant.param()).isEqualTo("expiresAt");
    Reply epoch = api.post(tenant + "/tokens", api.admin, json("name", "t", "expiresAt", 4102444800L));
    assertError(epoch, 400, "INVALID_ARGUMENT");
    assertThat(epoch.param()).isEqualTo("expiresAt");
    Reply password = api.put(tenant + "/users/" + api.bootstrap.admin().id().value() + "/password", api.admin,
        json("password", 123456789012L));
    assertError(password, 400, "INVALID_ARGUMENT");
    assertThat(password.text()).doesNotContain("123456789012");
    Reply query = api.get("/admin/v1/tenants?limit=many", api.admin);
    assertError(query, 400, "INVALID_ARGUMENT");
    assertThat(query.param()).isEqualTo("limit");
    assertError(api.get("/admin/v1/tenants?limit=100000", api.admin), 400, "INVALID_ARGUMENT");
    assertError(api.get(tenant + "/tokens?all=yes", api.admin), 400, "INVALID_ARGUMENT");
  }

  @Test
  void validationFailuresListEveryField() {
    Reply reply = api.post("/admin/v1/tenants", api.admin, json("slug", "A", "name", " "));
    assertError(reply, 400, "INVALID_ARGUMENT");
    assertThat(reply.json().path("error").path("fields").findValuesAsText("field")).contains("slug", "name");
    Reply scope = api.post(tenant + "/bindings", api.admin,
        json("subject", Map.of("kind", "USER", "id", "usr_x"), "roleId", "rol_member", "scope", Map.of("kind", "GROUP")));
    assertError(scope, 400, "INVALID_ARGUMENT");
    assertThat(scope.param()).isEqualTo("scope.groupId");
    Reply permission = api.post(tenant + "/permissions/check", api.admin, json("permission", "NOT A PERMISSION"));
    assertError(permission, 400, "INVALID_ARGUMENT");
    assertThat(permission.param()).isEqualTo("permission");
    Reply status = api.put(tenant + "/status", api.admin, "{}");
    assertError(status, 400, "INVALID_ARGUMENT");
    assertThat(status.param()).isEqualTo("status");
  }

  @Test
  void malformedIdentifiersAre400() {
    Reply path = api.get("/admin/v1/tenants/bad!id", api.admin);
    assertError(path, 400, "INVALID_ARGUMENT");
    assertThat(path.param()).isEqualTo("tenantId");
    Reply user = api.get(tenant + "/users/" + "x".repeat(81), api.admin);
    assertError(user, 400, "INVALID_ARGUMENT");
    assertThat(user.param()).isEqualTo("userId");
    Reply body = api.post(tenant + "/members", api.admin, json("userId", "not valid!"));
    assertError(body, 400, "INVALID_ARGUMENT");
    assertThat(body.param()).isEqualTo("userId");
    Reply parent = api.post(tenant + "/groups", api.admin, json("name", "g", "parentId", ""));
    assertError(parent, 400, "INVALID_ARGUMENT");
    assertThat(parent.param()).isEqualTo("parentId");
    Reply subject = api.post(tenant + "/bindings", api.admin,
        json("subject", Map.of("kind", "USER", "id", "bad id"), "roleId", "rol_member", "scope", Map.of("kind", "TENANT")));
    assertError(subject, 400, "INVALID_ARGUMENT");
    assertThat(subject.param()).isEqualTo("subject.id");
    Reply query = api.get(tenant + "/permissions?groupId=bad%20id", api.admin);
    assertError(query, 400, "INVALID_ARGUMENT");
    assertThat(query.param()).isEqualTo("groupId");
  }

  @Test
  void oversizedBodiesAre413() {
    String big = json("slug", "big-co", "name", "x".repeat(AdminApiServlet.MAX_BODY_BYTES));
    assertError(api.post("/admin/v1/tenants", api.admin, big), 413, "INVALID_ARGUMENT");
    assertThat(api.get("/healthz", null).status()).isEqualTo(200);
  }

  @Test
  void nonJsonBodiesAre415() {
    assertError(api.send("POST", "/admin/v1/tenants", api.admin, json("slug", "a-b-c", "name", "x"), "text/plain"), 415,
        "INVALID_ARGUMENT");
    assertError(api.send("POST", "/admin/v1/tenants", api.admin, "slug=a-b-c", "application/x-www-form-urlencoded"), 415,
        "INVALID_ARGUMENT");
    assertThat(api.send("POST", "/admin/v1/tenants", api.admin, json("slug", "charset-co", "name", "x"),
        "application/json; charset=UTF-8").status()).isEqualTo(201);
  }

  @Test
  void unknownRoutesAre404AndWrongMethods405() {
    assertError(api.get("/admin/v1/nothing-here", api.admin), 404, "NOT_FOUND");
    assertError(api.get("/admin/v1/tenants/" + "tnt_x" + "/nothing", null), 404, "NOT_FOUND");
    Reply wrong = api.delete("/admin/v1/tenants", api.admin);
    assertError(wrong, 405, "INVALID_ARGUMENT");
    assertThat(wrong.headers().firstValue("Allow")).contains("GET, POST");
    assertError(api.send("PATCH", "/healthz", null, "{}", "application/json"), 405, "INVALID_ARGUMENT");
  }

  @Test
  void nonexistentThingsAre404() {
    assertError(api.get("/admin/v1/tenants/tnt_doesnotexist", api.admin), 404, "NOT_FOUND");
    assertError(api.get(tenant + "/groups/grp_doesnotexist", api.admin), 404, "NOT_FOUND");
    assertError(api.delete(tenant + "/tokens/tok_doesnotexist", api.admin), 404, "NOT_FOUND");
    assertError(api.post("/admin/v1/tenants", api.admin, json("slug", "platform", "name", "again")), 409, "CONFLICT");
  }
}
