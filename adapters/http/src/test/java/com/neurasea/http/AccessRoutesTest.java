package com.neurasea.http;

import static com.neurasea.http.ApiServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.http.ApiServer.Reply;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Happy paths of the group, role, binding, token and permission routes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessRoutesTest {
  private static final String PASSWORD = "a long enough password";

  ApiServer api;
  String tenant;
  String carol;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    api = ApiServer.start(dir);
    tenant = "/admin/v1/tenants/" + api.post("/admin/v1/tenants", api.admin, json("slug", "access-co", "name", "Access")).id();
    carol = api.post(tenant + "/users", api.admin,
        json("username", "carol", "loginMethod", "PASSWORD", "password", PASSWORD)).id();
  }

  @AfterAll
  void stop() throws Exception {
    api.close();
  }

  @Test
  void groupsNestAndHoldMembers() {
    Reply parent = api.post(tenant + "/groups", api.admin, json("name", "research"));
    assertThat(parent.status()).as(parent.text()).isEqualTo(201);
    assertThat(parent.json().path("parentId").isNull()).isTrue();
    Reply child = api.post(tenant + "/groups", api.admin, json("name", "vision", "parentId", parent.id()));
    assertThat(child.status()).as(child.text()).isEqualTo(201);
    assertThat(child.field("parentId")).isEqualTo(parent.id());
    String group = tenant + "/groups/" + child.id();

    assertThat(api.get(tenant + "/groups", api.admin).json().path("data").findValuesAsText("name"))
        .contains("research", "vision");
    assertThat(api.get(group, api.admin).field("name")).isEqualTo("vision");
    Reply renamed = api.put(group, api.admin, json("name", "vision-lab", "parentId", parent.id()));
    assertThat(renamed.status()).as(renamed.text()).isEqualTo(200);
    assertThat(renamed.field("name")).isEqualTo("vision-lab");

    assertThat(api.put(group + "/members/" + carol, api.admin, null).status()).isEqualTo(204);
    assertThat(api.get(group + "/members", api.admin).json().path("data").findValuesAsText("username"))
        .containsExactly("carol");
    assertThat(api.get(tenant + "/users/" + carol + "/groups", api.admin).json().path("data").findValuesAsText("name"))
        .containsExactly("vision-lab");
    assertThat(api.delete(group + "/members/" + carol, api.admin).status()).isEqualTo(204);
    assertThat(api.get(group + "/members", api.admin).json().path("data").size()).isZero();

    Reply blocked = api.delete(tenant + "/groups/" + parent.id(), api.admin);
    assertThat(blocked.status()).as(blocked.text()).isEqualTo(409);
    assertThat(blocked.code()).isEqualTo("FAILED_PRECONDITION");
    assertThat(api.delete(group, api.admin).status()).isEqualTo(204);
    assertThat(api.get(group, api.admin).status()).isEqualTo(404);
  }

  @Test
  void customRolesAreCreatedChangedAndDeleted() {
    Reply created = api.post(tenant + "/roles", api.admin,
        json("name", "model-user", "description", "uses models", "permissions", List.of("models:use:gpt-4o", "jobs:read")));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    assertThat(created.json().path("permissions").toString()).isEqualTo("[\"jobs:read\",\"models:use:gpt-4o\"]");
    assertThat(created.json().path("builtIn").asBoolean()).isFalse();
    String role = tenant + "/roles/" + created.id();

    assertThat(api.get(tenant + "/roles", api.admin).json().path("data").findValuesAsText("name"))
        .contains("member", "tenant_owner", "model-user");
    assertThat(api.get(tenant + "/roles/rol_member", api.admin).json().path("builtIn").asBoolean()).isTrue();
    Reply changed = api.put(role, api.admin, json("name", "model-user", "permissions", List.of("models:use:*")));
    assertThat(changed.status()).as(changed.text()).isEqualTo(200);
    assertThat(changed.json().path("permissions").toString()).isEqualTo("[\"models:use:*\"]");
    assertThat(api.delete(role, api.admin).status()).isEqualTo(204);
    assertThat(api.get(role, api.admin).status()).isEqualTo(404);
  }

  @Test
  void bindingsGrantPermissionsThatChecksSee() {
    String basic = ApiServer.basic("carol", PASSWORD);
    Reply before = api.post(tenant + "/permissions/check", basic, json("permission", "models:use:gpt-4o"));
    assertThat(before.status()).as(before.text()).isIn(200, 404);

    Reply bound = api.post(tenant + "/bindings", api.admin, "{\"subject\":{\"kind\":\"USER\",\"id\":\"" + carol
        + "\"},\"roleId\":\"rol_member\",\"scope\":{\"kind\":\"TENANT\"}}");
    assertThat(bound.status()).as(bound.text()).isEqualTo(201);
    assertThat(bound.id()).startsWith("rbd_");
    assertThat(bound.json().path("scope").path("kind").asText()).isEqualTo("TENANT");

    Reply check = api.post(tenant + "/permissions/check", basic, json("permission", "models:use:gpt-4o", "groupId", null));
    assertThat(check.status()).as(check.text()).isEqualTo(200);
    assertThat(check.text()).isEqualTo("{\"allowed\":true}");
    assertThat(api.post(tenant + "/permissions/check", basic, json("permission", "tenant:manage")).text())
        .isEqualTo("{\"allowed\":false}");
    Reply permitted = api.get(tenant + "/permissions", basic);
    assertThat(permitted.status()).as(permitted.text()).isEqualTo(200);
    assertThat(permitted.json().path("data").toString()).contains("tokens:create", "models:use:*");

    Reply mine = api.get(tenant + "/bindings?subjectKind=USER&subjectId=" + carol, api.admin);
    assertThat(mine.status()).as(mine.text()).isEqualTo(200);
    assertThat(mine.json().path("data").findValuesAsText("roleId")).containsExactly("rol_member");
    assertThat(api.get(tenant + "/bindings?offset=0&limit=10", api.admin).json().path("data").size()).isGreaterThanOrEqualTo(1);

    assertThat(api.delete(tenant + "/bindings/" + bound.id(), api.admin).status()).isEqualTo(204);
    assertThat(api.post(tenant + "/permissions/check", basic, json("permission", "models:use:gpt-4o")).status())
        .isIn(200, 404);
  }

  @Test
  void tokensAreCreatedOnceListedAndRevoked() {
    String dave = api.post(tenant + "/users", api.admin,
        json("username", "dave", "loginMethod", "PASSWORD", "password", PASSWORD)).id();
    api.post(tenant + "/bindings", api.admin, "{\"subject\":{\"kind\":\"USER\",\"id\":\"" + dave
        + "\"},\"roleId\":\"rol_member\",\"scope\":{\"kind\":\"TENANT\"}}");
    String basic = ApiServer.basic("dave", PASSWORD);

    Reply issued = api.post(tenant + "/tokens", basic, json("name", "laptop", "expiresAt", "2099-01-01T00:00:00Z",
        "ipAllowList", List.of("127.0.0.1/32"), "modelAllowList", List.of("gpt-4o*")));
    assertThat(issued.status()).as(issued.text()).isEqualTo(201);
    String secret = issued.field("secret");
    String tokenId = issued.json().path("token").path("id").asText();
    assertThat(secret).isNotBlank();
    assertThat(issued.json().path("token").path("expiresAt").asText()).isEqualTo("2099-01-01T00:00:00Z");
    assertThat(secret).startsWith(issued.json().path("token").path("prefix").asText());

    Reply me = api.get("/admin/v1/me", ApiServer.bearer(secret));
    assertThat(me.status()).as(me.text()).isEqualTo(200);
    assertThat(me.json().path("principal").path("tokenId").asText()).isEqualTo(tokenId);

    Reply own = api.get(tenant + "/tokens", basic);
    assertThat(own.json().path("data").findValuesAsText("id")).containsExactly(tokenId);
    assertThat(own.text()).doesNotContain(secret);
    Reply all = api.get(tenant + "/tokens?all=true", api.admin);
    assertThat(all.status()).as(all.text()).isEqualTo(200);
    assertThat(all.json().path("data").findValuesAsText("id")).contains(tokenId);
    assertThat(all.text()).doesNotContain(secret);
    Reply one = api.get(tenant + "/tokens/" + tokenId, basic);
    assertThat(one.field("name")).isEqualTo("laptop");
    assertThat(one.text()).doesNotContain(secret);

    Reply revoked = api.delete(tenant + "/tokens/" + tokenId, basic);
    assertThat(revoked.status()).as(revoked.text()).isEqualTo(200);
    assertThat(revoked.json().path("revokedAt").isTextual()).isTrue();
    Reply after = api.get("/admin/v1/me", ApiServer.bearer(secret));
    assertThat(after.status()).isEqualTo(401);
    assertThat(after.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
  }

  @Test
  void platformBindingsMakePlatformAdministrators() {
    String erin = api.post(tenant + "/users", api.admin,
        json("username", "erin", "loginMethod", "PASSWORD", "password", PASSWORD)).id();
    String basic = ApiServer.basic("erin", PASSWORD);
    assertThat(api.post("/admin/v1/tenants", basic, json("slug", "erin-co", "name", "Erin")).status()).isEqualTo(403);

    Reply bound = api.post("/admin/v1/platform/bindings", api.admin,
        json("subject", Map.of("kind", "USER", "id", erin), "roleId", "rol_platform_admin", "scope", Map.of("kind", "PLATFORM")));
    assertThat(bound.status()).as(bound.text()).isEqualTo(201);
    assertThat(bound.json().path("tenantId").isNull()).isTrue();
    assertThat(api.post("/admin/v1/tenants", basic, json("slug", "erin-co", "name", "Erin")).status()).isEqualTo(201);

    Reply wrongScope = api.post("/admin/v1/platform/bindings", api.admin,
        json("subject", Map.of("kind", "USER", "id", erin), "roleId", "rol_platform_admin", "scope", Map.of("kind", "TENANT")));
    assertThat(wrongScope.status()).isEqualTo(400);
    assertThat(wrongScope.param()).isEqualTo("scope.kind");
    Reply platformHere = api.post(tenant + "/bindings", api.admin,
        json("subject", Map.of("kind", "USER", "id", erin), "roleId", "rol_platform_admin", "scope", Map.of("kind", "PLATFORM")));
    assertThat(platformHere.status()).isEqualTo(400);
    assertThat(platformHere.param()).isEqualTo("scope.kind");
  }
}
