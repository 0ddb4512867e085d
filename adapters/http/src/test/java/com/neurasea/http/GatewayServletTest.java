package com.neurasea.http;

import static com.neurasea.http.ApiServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.NeuraSea;
import com.neurasea.http.ApiServer.Reply;
import com.neurasea.http.gateway.GatewayBindingContract;
import com.neurasea.model.Channel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The gateway over the servlet binding ({@link GatewayServlet} on Jetty, next to the admin API):
 * the {@linkplain GatewayBindingContract binding contract}, plus the admin API's view of channels.
 */
class GatewayServletTest extends GatewayBindingContract {
  ApiServer api;

  @Override
  protected Binding start(NeuraSea platform) throws Exception {
    api = ApiServer.serve(platform, bootstrap);
    return Binding.of(api.base(), api::close);
  }

  @Override
  protected void checkAdminViewOfOpenBreaker(Channel channel) {
    Reply view = api.get("/admin/v1/channels/health", api.admin);
    assertThat(view.status()).as(view.text()).isEqualTo(200);
    assertThat(view.text()).contains(channel.id().value()).contains("\"open\"").doesNotContain(KEY);
  }

  // ------------------------------------------------------------------ admin API

  @Test
  void channelsAreAdministeredOverHttpAndTheirKeysNeverComeBack() {
    String auth = api.admin;
    Reply created = api.post("/admin/v1/channels", auth, json("name", "platform-openai", "type", "openai",
        "baseUrl", "https://api.openai.com", "apiKey", "sk-secret-value-123456789", "models", List.of("gpt-x"),
        "priority", 5));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    assertThat(created.text()).doesNotContain("sk-secret-value-123456789").contains("…6789");
    String id = created.id();
    Reply bad = api.post("/admin/v1/channels", auth, json("name", "", "type", "openai", "baseUrl", "ftp://x",
        "models", List.of(), "weight", 0, "options", Map.of("organization", "org\r\nX-Injected: 1")));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.text()).contains("name").contains("baseUrl").contains("models").contains("weight").contains("options");
    Reply twin = api.post("/admin/v1/channels", auth, json("name", "platform-openai", "type", "openai",
        "baseUrl", "https://api.openai.com", "models", List.of("gpt-x")));
    assertThat(twin.status()).as(twin.text()).isEqualTo(409);
    assertThat(twin.text()).contains("name");
    Reply stale = api.patch("/admin/v1/channels/" + id, auth, json("weight", 2, "expectedVersion", 99));
    assertThat(stale.status()).as(stale.text()).isEqualTo(409);
    assertThat(api.get("/admin/v1/channels/" + id, auth).json().path("weight").asInt()).isEqualTo(1);
    Reply patched = api.patch("/admin/v1/channels/" + id, auth, json("status", "disabled", "weight", 3));
    assertThat(patched.status()).as(patched.text()).isEqualTo(200);
    assertThat(patched.json().path("status").asText()).isEqualTo("disabled");
    assertThat(api.put("/admin/v1/model-aliases/fast", auth, json("model", "gpt-x")).status()).isEqualTo(200);
    assertThat(api.get("/admin/v1/model-aliases", auth).text()).contains("\"fast\"");
    assertThat(api.delete("/admin/v1/channels/" + id, auth).status()).isEqualTo(204);
    assertThat(api.get("/admin/v1/channels/" + id, auth).status()).isEqualTo(404);
    // a tenant's members cannot administer channels
    Reply member = api.get("/admin/v1/tenants/" + tenantId.value() + "/channels", ApiServer.bearer(aliceToken));
    assertThat(member.status()).isEqualTo(403);
  }
}
