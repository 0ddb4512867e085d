package com.neurasea.http;

import static com.neurasea.http.ApiServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.neurasea.http.ApiServer.Reply;
import com.neurasea.ledger.verify.Ed25519Keys;
import com.neurasea.ledger.verify.MerkleVerifier;
import com.neurasea.ledger.verify.SignedCheckpoint;
import com.neurasea.model.UserId;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Data-subject rights over HTTP: requests and their workflow, legal holds, policy versions, minors, retention. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DataSubjectRoutesTest {
  private static final String PASSWORD = ApiServer.PASSWORD;
  private static final String PRIVACY = "/admin/v1/privacy";
  private static final String REQUESTS = PRIVACY + "/requests";
  private static final String UNKNOWN_REQUEST = "dsr_01hx3k9q7c2m5v8w4z6t0r1y2b";
  private static final String UNKNOWN_TENANT = "tnt_01hx3k9q7c2m5v8w4z6t0r1y2b";
  private static final HexFormat HEX = HexFormat.of();

  ApiServer api;
  String tenantA;
  String tenantB;
  String aliceToken;
  String mallory;
  String malloryBasic;
  String dave;
  String daveBasic;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    api = ApiServer.start(dir);
    tenantA = api.post("/admin/v1/tenants", api.admin, json("slug", "dsr-a", "name", "A")).id();
    tenantB = api.post("/admin/v1/tenants", api.admin, json("slug", "dsr-b", "name", "B")).id();
    api.passwordUser(tenantA, "alice", "rol_tenant_admin");
    aliceToken = ApiServer.bearer(api.post(a("/tokens"), ApiServer.basic("alice", PASSWORD), json("name", "cli"))
        .field("secret"));
    mallory = api.passwordUser(tenantA, "mallory", "rol_member");
    malloryBasic = ApiServer.basic("mallory", PASSWORD);
    dave = api.passwordUser(tenantB, "dave", "rol_member");
    daveBasic = ApiServer.basic("dave", PASSWORD);
  }

  @AfterAll
  void stop() {
    api.close();
  }

  // ---------------------------------------------------------------- helpers

  private String member(String username) {
    return api.passwordUser(tenantA, username, "rol_member");
  }

  private String a(String path) {
    return "/admin/v1/tenants/" + tenantA + path;
  }

  private String b(String path) {
    return "/admin/v1/tenants/" + tenantB + path;
  }

  private static Reply status(Reply reply, int status) {
    assertThat(reply.status()).as(reply.text()).isEqualTo(status);
    return reply;
  }

  private static JsonNode ok(Reply reply) {
    return status(reply, 200).json();
  }

  private static List<String> ids(Reply reply) {
    List<String> ids = new ArrayList<>();
    ok(reply).path("data").forEach(item -> ids.add(item.path("id").asText()));
    return ids;
  }

  private static List<String> texts(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(value -> values.add(value.asText()));
    return values;
  }

  private static void assertError(Reply reply, int status, String code, String param) {
    assertThat(reply.status()).as(reply.text()).isEqualTo(status);
    assertThat(reply.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    assertThat(reply.code()).as(reply.text()).isEqualTo(code);
    assertThat(reply.param()).as(reply.text()).isEqualTo(param);
    assertThat(reply.text()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  private static void assertNoPersonalPayload(JsonNode request) {
    assertThat(request.has("payload")).as(request.toString()).isFalse();
    assertThat(request.has("corrections")).as(request.toString()).isFalse();
  }

  private List<JsonNode> ledgerRecordsOf(String basic) {
    List<JsonNode> records = new ArrayList<>();
    ok(api.get(PRIVACY + "/records?limit=1000", basic)).path("data").forEach(records::add);
    return records;
  }

  // ---------------------------------------------------------------- the self-service flow

  @Test
  void aMembersAccessRequestIsRoutedToTheTenantAndAnsweredWithAVerifiableReceipt() throws Exception {
    String bob = member("bob");
    String bobBasic = ApiServer.basic("bob", PASSWORD);

    JsonNode submitted = status(api.post(REQUESTS, bobBasic, json("type", "ACCESS")), 201).json();
    String id = submitted.path("id").asText();
    assertThat(id).startsWith("dsr_");
    assertThat(submitted.path("userId").asText()).isEqualTo(bob);
    assertThat(submitted.path("type").asText()).isEqualTo("ACCESS");
    assertThat(submitted.path("status").asText()).isEqualTo("ROUTED");
    assertThat(submitted.path("routedTo").asText()).isEqualTo(tenantA);
    assertThat(submitted.path("verificationMethod").asText()).isEqualTo("signed-in");
    assertThat(Instant.parse(submitted.path("dueAt").asText())).isAfter(Instant.parse(submitted.path("receivedAt").asText()));
    assertThat(submitted.path("progress").isArray()).isTrue();
    assertThat(submitted.path("correctionFields")).isEmpty();
    assertNoPersonalPayload(submitted);

    // The member sees their own request but cannot handle it.
    assertThat(ids(api.get(REQUESTS, bobBasic))).containsExactly(id);
    assertThat(ok(api.get(REQUESTS + "/" + id, bobBasic)).path("status").asText()).isEqualTo("ROUTED");
    assertError(api.post(REQUESTS + "/" + id + "/fulfil", bobBasic, null), 403, "PERMISSION_DENIED", null);
    assertError(api.post(a("/privacy/requests/" + id + "/fulfil"), bobBasic, null), 403, "PERMISSION_DENIED", null);

    // The tenant administrator finds it under the tenant; at platform level it is none of theirs.
    assertThat(ids(api.get(a("/privacy/requests"), aliceToken))).contains(id);
    assertThat(ids(api.get(a("/privacy/requests?status=ROUTED&userId=" + bob), aliceToken))).containsExactly(id);
    assertThat(ids(api.get(a("/privacy/requests?status=FULFILLED,REFUSED&userId=" + bob), aliceToken))).isEmpty();
    assertThat(ids(api.get(a("/privacy/requests?status=FULFILLED&status=ROUTED&userId=" + bob), aliceToken)))
        .containsExactly(id);
    assertThat(ok(api.get(a("/privacy/requests/" + id), aliceToken)).path("id").asText()).isEqualTo(id);
    assertError(api.get(REQUESTS + "/" + id, aliceToken), 404, "NOT_FOUND", null);
    // Platform handlers see every request, a tenant's listing only those routed to it.
    assertThat(ids(api.get(REQUESTS + "?userId=" + bob, api.admin))).containsExactly(id);
    assertThat(ids(api.get(b("/privacy/requests"), api.admin))).doesNotContain(id);

    Reply fulfilled = api.post(a("/privacy/requests/" + id + "/fulfil"), aliceToken, null);
    JsonNode receipt = ok(fulfilled);
    JsonNode request = receipt.path("request");
    assertThat(request.path("status").asText()).isEqualTo("FULFILLED");
    assertThat(request.path("closedAt").isNull()).isFalse();
    assertNoPersonalPayload(request);

    // The export is embedded as a JSON object.
    JsonNode export = receipt.path("export");
    assertThat(export.isObject()).as(fulfilled.text()).isTrue();
    assertThat(export.path("subject").path("userId").asText()).isEqualTo(bob);
    assertThat(export.path("contributors").findValuesAsText("name")).contains("accounts", "privacy-ledger");
    assertThat(export.path("contributors").findValuesAsText("value")).contains("bob@example.com");
    assertThat(receipt.path("erased").isObject()).isTrue();
    assertThat(receipt.path("erased")).isEmpty();
    assertThat(receipt.path("restricted")).isEmpty();

    // The closing record and its inclusion proof verify against the signed checkpoint.
    JsonNode record = receipt.path("record");
    assertThat(record.path("reference").asText()).isEqualTo("dsr:" + id + ":fulfilled");
    assertThat(record.path("kind").asText()).isEqualTo("REQUEST");
    assertThat(record.path("subjectKey").asText()).isEqualTo(api.platform.privacy().subjectKey(UserId.of(bob)));
    JsonNode proof = receipt.path("proof");
    assertThat(proof.path("index").asLong()).isEqualTo(record.path("index").asLong());
    assertThat(proof.path("leafHash").asText()).isEqualTo(record.path("leafHash").asText());
    JsonNode checkpoint = proof.path("checkpoint");
    assertThat(proof.path("treeSize").asLong()).isEqualTo(checkpoint.path("size").asLong())
        .isGreaterThan(proof.path("index").asLong());
    List<byte[]> path = new ArrayList<>();
    proof.path("path").forEach(hash -> path.add(HEX.parseHex(hash.asText())));
    MerkleVerifier.verifyInclusion(HEX.parseHex(proof.path("leafHash").asText()), proof.path("index").asLong(),
        proof.path("treeSize").asLong(), path, HEX.parseHex(checkpoint.path("rootHash").asText()));
    SignedCheckpoint.parse(checkpoint.path("signed").asText())
        .verify(Ed25519Keys.parsePublicKey(status(api.get(PRIVACY + "/public-key", bobBasic), 200).text()));

    // Closed: a second fulfilment is a conflict; the subject's ledger tells the whole story.
    assertError(api.post(a("/privacy/requests/" + id + "/fulfil"), aliceToken, null), 409, "FAILED_PRECONDITION", null);
    assertThat(ledgerRecordsOf(bobBasic)).extracting(r -> r.path("reference").asText())
        .contains("dsr:" + id + ":received", "dsr:" + id + ":verified:signed-in", "dsr:" + id + ":routed",
            "dsr:" + id + ":fulfilled");
    assertThat(ids(api.get(a("/privacy/requests?status=FULFILLED&userId=" + bob), aliceToken))).containsExactly(id);
  }

  @Test
  void theExportIsSentAsJsonAsTheServiceWroteIt() {
    String kim = member("kim");
    String kimBasic = ApiServer.basic("kim", PASSWORD);
    Reply mine = api.get(PRIVACY + "/me/export", kimBasic);
    assertThat(mine.status()).as(mine.text()).isEqualTo(200);
    assertThat(mine.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    assertThat(mine.headers().firstValue("Cache-Control")).contains("no-store");
    assertThat(mine.json().path("subject").path("userId").asText()).isEqualTo(kim);
    assertThat(mine.json().path("contributors").findValuesAsText("value")).contains("kim@example.com");
    assertThat(mine.text()).contains("\"name\": \"accounts\"");

    assertThat(ok(api.get(PRIVACY + "/users/" + kim + "/export", api.admin)).path("subject").path("userId").asText())
        .isEqualTo(kim);
    assertThat(ok(api.get(PRIVACY + "/users/" + kim + "/export", kimBasic)).path("subject").path("userId").asText())
        .isEqualTo(kim);
    assertError(api.get(PRIVACY + "/users/" + kim + "/export", malloryBasic), 404, "NOT_FOUND", null);
    assertError(api.get(PRIVACY + "/users/" + kim + "/export", aliceToken), 404, "NOT_FOUND", null);
  }

  @Test
  void aRectificationShowsOnlyTheFieldNamesAndARefusalClosesIt() {
    String lena = member("lena");
    String lenaBasic = ApiServer.basic("lena", PASSWORD);
    Reply unknownField = api.post(REQUESTS, lenaBasic, json("type", "RECTIFICATION", "corrections", Map.of("fax", "1")));
    assertError(unknownField, 400, "INVALID_ARGUMENT", "corrections.fax");
    assertError(api.post(REQUESTS, lenaBasic, json("type", "RECTIFICATION")), 400, "INVALID_ARGUMENT", "corrections");
    assertError(api.post(REQUESTS, lenaBasic, json("type", "ACCESS", "corrections", Map.of("email", "x@y.example"))),
        400, "INVALID_ARGUMENT", "corrections");
    assertError(api.post(REQUESTS, lenaBasic, "{\"type\":\"RECTIFICATION\",\"corrections\":{\"email\":5}}"), 400,
        "INVALID_ARGUMENT", "corrections.email");

    Reply submitted = status(api.post(REQUESTS, lenaBasic, json("type", "RECTIFICATION", "corrections",
        Map.of("displayName", "Lena Secret-Name", "email", "lena@corrected.example"))), 201);
    String id = submitted.id();
    assertThat(texts(submitted.json().path("correctionFields"))).containsExactly("displayName", "email");
    assertThat(submitted.text()).doesNotContain("Secret-Name").doesNotContain("corrected.example");
    assertNoPersonalPayload(submitted.json());
    Reply listed = api.get(a("/privacy/requests?userId=" + lena), aliceToken);
    assertThat(ids(listed)).containsExactly(id);
    assertThat(listed.text()).doesNotContain("Secret-Name");

    assertError(api.post(a("/privacy/requests/" + id + "/refuse"), aliceToken, "{}"), 400, "INVALID_ARGUMENT", "reason");
    JsonNode refused = ok(api.post(a("/privacy/requests/" + id + "/refuse"), aliceToken,
        json("reason", "the current values are accurate")));
    assertThat(refused.path("request").path("status").asText()).isEqualTo("REFUSED");
    assertThat(refused.path("request").path("outcome").asText()).isEqualTo("the current values are accurate");
    assertThat(refused.path("request").path("correctionFields")).isEmpty();
    assertThat(refused.has("export") && refused.path("export").isNull()).isTrue();
    assertThat(refused.path("record").path("reference").asText()).isEqualTo("dsr:" + id + ":refused");
    assertThat(refused.path("proof").path("index").asLong()).isEqualTo(refused.path("record").path("index").asLong());
    assertError(api.post(a("/privacy/requests/" + id + "/refuse"), aliceToken, json("reason", "again")), 409,
        "FAILED_PRECONDITION", null);
  }

  @Test
  void aRequestReceivedElsewhereIsVerifiedThenHandledAndDeadlinesExtendOnce() {
    String carol = member("carol");
    JsonNode received = status(api.post(REQUESTS, api.admin, json("userId", carol, "type", "ACCESS")), 201).json();
    String id = received.path("id").asText();
    assertThat(received.path("status").asText()).isEqualTo("RECEIVED");
    assertThat(received.path("routedTo").isNull()).isTrue();
    assertThat(received.path("verifiedAt").isNull()).isTrue();
    assertError(api.post(REQUESTS + "/" + id + "/fulfil", api.admin, null), 409, "FAILED_PRECONDITION", null);
    assertError(api.post(REQUESTS + "/" + id + "/verify", api.admin, json("method", "Bad Method")), 400,
        "INVALID_ARGUMENT", "method");

    JsonNode verified = ok(api.post(REQUESTS + "/" + id + "/verify", api.admin, json("method", "id-document")));
    assertThat(verified.path("status").asText()).isEqualTo("VERIFIED");
    assertThat(verified.path("verificationMethod").asText()).isEqualTo("id-document");
    assertError(api.post(REQUESTS + "/" + id + "/verify", api.admin, json("method", "id-document")), 409,
        "FAILED_PRECONDITION", null);

    JsonNode extended = ok(api.post(REQUESTS + "/" + id + "/extend", api.admin,
        json("reason", "the export spans several systems")));
    assertThat(Instant.parse(extended.path("dueAt").asText())).isAfter(Instant.parse(verified.path("dueAt").asText()));
    assertThat(extended.path("extensionReason").asText()).isEqualTo("the export spans several systems");
    assertError(api.post(REQUESTS + "/" + id + "/extend", api.admin, json("reason", "again")), 409,
        "FAILED_PRECONDITION", null);
    assertError(api.post(REQUESTS + "/" + id + "/extend", api.admin, json("reason", " ")), 400, "INVALID_ARGUMENT",
        "reason");
    assertThat(ok(api.post(REQUESTS + "/" + id + "/fulfil", api.admin, null)).path("export").isObject()).isTrue();

    // Nothing is overdue yet; the literal path is not taken for a request id.
    assertThat(ok(api.get(REQUESTS + "/overdue", api.admin)).path("data").isArray()).isTrue();
    assertThat(ids(api.get(REQUESTS + "/overdue", api.admin))).isEmpty();

    // A tenant administrator submits for a member: routed to the tenant, verified by its administrators.
    String dan = member("dan");
    assertError(api.post(a("/privacy/requests"), aliceToken, json("type", "ACCESS")), 400, "INVALID_ARGUMENT", "userId");
    JsonNode onBehalf = status(api.post(a("/privacy/requests"), aliceToken, json("userId", dan, "type", "ERASURE")), 201)
        .json();
    String behalfId = onBehalf.path("id").asText();
    assertThat(onBehalf.path("status").asText()).isEqualTo("ROUTED");
    assertThat(onBehalf.path("routedTo").asText()).isEqualTo(tenantA);
    assertThat(onBehalf.path("verifiedAt").isNull()).isTrue();
    assertError(api.post(a("/privacy/requests"), aliceToken, json("userId", dan, "type", "ERASURE")), 409, "CONFLICT",
        "type");
    assertError(api.post(a("/privacy/requests/" + behalfId + "/fulfil"), aliceToken, null), 409, "FAILED_PRECONDITION",
        null);
    JsonNode danVerified = ok(api.post(a("/privacy/requests/" + behalfId + "/verify"), aliceToken,
        json("method", "email-link")));
    assertThat(danVerified.path("verifiedAt").isNull()).isFalse();
    assertThat(danVerified.path("routedTo").asText()).isEqualTo(tenantA);
    assertThat(ok(api.post(a("/privacy/requests/" + behalfId + "/extend"), aliceToken, json("reason", "backups")))
        .path("extensionReason").asText()).isEqualTo("backups");
    assertThat(ok(api.post(a("/privacy/requests/" + behalfId + "/refuse"), aliceToken, json("reason", "kept for a contract")))
        .path("request").path("status").asText()).isEqualTo("REFUSED");
  }

  // ---------------------------------------------------------------- erasure and legal holds

  @Test
  void anErasureKeepsWhatALegalHoldCoversAndEndsTheMembersAccess() {
    String erin = member("erin");
    String erinToken = ApiServer.bearer(api.post(a("/tokens"), ApiServer.basic("erin", PASSWORD), json("name", "e"))
        .field("secret"));
    String holds = PRIVACY + "/users/" + erin + "/holds";
    assertError(api.post(holds, api.admin, json("categories", List.of("user.contact.fax"), "reason", "x")), 400,
        "INVALID_ARGUMENT", "categories[0]");
    assertError(api.post(holds, api.admin, json("categories", List.of("user.contact"))), 400, "INVALID_ARGUMENT", "reason");
    assertError(api.post(holds, api.admin, json("categories", List.of(), "reason", "x")), 400, "INVALID_ARGUMENT",
        "categories");
    JsonNode hold = status(api.post(holds, api.admin,
        json("categories", List.of("user.contact"), "reason", "litigation 2026-17")), 201).json();
    String holdId = hold.path("id").asText();
    assertThat(holdId).startsWith("hld_");
    assertThat(hold.path("userId").asText()).isEqualTo(erin);
    assertThat(texts(hold.path("categories"))).containsExactly("user.contact");
    assertThat(hold.path("releasedAt").isNull()).isTrue();
    assertThat(ids(api.get(holds + "?active=true", api.admin))).containsExactly(holdId);

    JsonNode submitted = status(api.post(REQUESTS, erinToken, json("type", "ERASURE")), 201).json();
    String id = submitted.path("id").asText();
    assertThat(submitted.path("verificationMethod").asText()).isEqualTo("api-token");
    assertThat(submitted.path("routedTo").asText()).isEqualTo(tenantA);
    assertError(api.post(REQUESTS, erinToken, json("type", "ERASURE")), 409, "CONFLICT", "type");

    JsonNode receipt = ok(api.post(a("/privacy/requests/" + id + "/fulfil"), aliceToken, null));
    assertThat(receipt.path("request").path("status").asText()).isEqualTo("FULFILLED");
    assertThat(texts(receipt.path("request").path("progress"))).startsWith("accounts", "privacy-ledger");
    assertThat(receipt.path("restricted").path("user.contact").asText())
        .isEqualTo("legal hold " + holdId + ": litigation 2026-17");
    assertThat(texts(receipt.path("erased").path("accounts"))).contains("user.org.tokens", "user.org.membership")
        .isSorted();
    assertThat(receipt.path("export").isNull()).isTrue();
    assertThat(receipt.path("record").path("reference").asText()).isEqualTo("dsr:" + id + ":fulfilled");

    // The member's token is gone; what the hold covers is kept.
    assertError(api.get("/admin/v1/me", erinToken), 401, "UNAUTHENTICATED", null);
    assertThat(ok(api.get(PRIVACY + "/users/" + erin + "/export", api.admin)).path("contributors")
        .findValuesAsText("value")).contains("erin@example.com");

    assertThat(status(api.delete(holds + "/" + holdId, api.admin), 204).text()).isEmpty();
    assertError(api.delete(holds + "/" + holdId, api.admin), 404, "NOT_FOUND", null);
    assertThat(ids(api.get(holds + "?active=true", api.admin))).isEmpty();
    JsonNode all = ok(api.get(holds, api.admin));
    assertThat(all.path("data").get(0).path("releasedAt").isNull()).isFalse();
    assertThat(ids(api.get(holds + "?active=false", api.admin))).containsExactly(holdId);
  }

  // ---------------------------------------------------------------- policy versions

  @Test
  void policyVersionsArePublishedAndAcknowledgedFromTheClientsAddress() {
    String frank = member("frank");
    String frankBasic = ApiServer.basic("frank", PASSWORD);
    String policies = PRIVACY + "/policies";
    assertError(api.get(policies + "/current", frankBasic), 404, "NOT_FOUND", null);

    String effective = Instant.now().minusSeconds(60).toString();
    Map<String, Object> v1 = Map.of("version", "2025-01", "effectiveAt", effective, "summary", "First version",
        "text", "The full policy text.");
    assertError(api.post(policies, frankBasic, ApiServer.JSON.valueToTree(v1).toString()), 403, "PERMISSION_DENIED", null);
    assertError(api.post(policies, aliceToken, ApiServer.JSON.valueToTree(v1).toString()), 403, "PERMISSION_DENIED", null);
    assertError(api.post(policies, api.admin, json("version", "2025-01", "effectiveAt", "next monday", "summary", "x",
        "text", "x")), 400, "INVALID_ARGUMENT", "effectiveAt");
    assertError(api.post(policies, api.admin, json("version", "2025-01", "effectiveAt", 1735689600L, "summary", "x",
        "text", "x")), 400, "INVALID_ARGUMENT", "effectiveAt");
    Reply invalid = api.post(policies, api.admin, json("version", "bad version!", "summary", " "));
    assertError(invalid, 400, "INVALID_ARGUMENT", "version");
    assertThat(invalid.json().path("error").path("fields").findValuesAsText("field"))
        .contains("version", "effectiveAt", "summary", "text");

    JsonNode published = status(api.post(policies, api.admin, ApiServer.JSON.valueToTree(v1).toString()), 201).json();
    assertThat(published.path("version").asText()).isEqualTo("2025-01");
    assertThat(published.path("documentSha256").asText()).matches("[0-9a-f]{64}");
    assertThat(published.has("text")).isFalse();
    assertError(api.post(policies, api.admin, ApiServer.JSON.valueToTree(v1).toString()), 409, "CONFLICT", "version");
    status(api.post(policies, api.admin, json("version", "2099-01", "effectiveAt", "2099-01-01T00:00:00Z",
        "summary", "Later", "text", "Another text.")), 201);

    assertThat(ok(api.get(policies, frankBasic)).path("data").findValuesAsText("version"))
        .containsExactly("2025-01", "2099-01");
    assertThat(ok(api.get(policies + "/current", frankBasic)).path("version").asText()).isEqualTo("2025-01");

    Reply acknowledged = status(api.post(policies + "/2025-01/acknowledgments", frankBasic,
        json("method", "click-through")), 201);
    assertThat(acknowledged.json().path("userId").asText()).isEqualTo(frank);
    assertThat(acknowledged.json().path("version").asText()).isEqualTo("2025-01");
    assertThat(acknowledged.json().path("method").asText()).isEqualTo("click-through");
    assertThat(acknowledged.json().path("clientIp").asText()).isEqualTo("127.0.0.1");
    assertError(api.post(policies + "/2025-01/acknowledgments", frankBasic, json("method", "click-through")), 409,
        "CONFLICT", "version");
    assertError(api.post(policies + "/1999-01/acknowledgments", frankBasic, json("method", "api")), 404, "NOT_FOUND",
        null);
    assertError(api.post(policies + "/2099-01/acknowledgments", frankBasic, json("method", "Click Through")), 400,
        "INVALID_ARGUMENT", "method");

    // The ledger keeps the acknowledgment with the client address as an erasable detail.
    JsonNode record = ledgerRecordsOf(frankBasic).stream()
        .filter(r -> r.path("reference").asText().equals("policy:2025-01")).findFirst().orElseThrow();
    assertThat(record.path("kind").asText()).isEqualTo("ACKNOWLEDGMENT");
    assertThat(record.path("details").path("user.device.ip_address").asText()).isEqualTo("127.0.0.1");

    assertThat(ok(api.get(PRIVACY + "/me/acknowledgments", frankBasic)).path("data").findValuesAsText("version"))
        .containsExactly("2025-01");
    JsonNode whoAcknowledged = ok(api.get(policies + "/2025-01/acknowledgments?limit=10", api.admin));
    assertThat(whoAcknowledged.path("data").findValuesAsText("userId")).containsExactly(frank);
    assertThat(whoAcknowledged.path("limit").asInt()).isEqualTo(10);
    assertError(api.get(policies + "/2025-01/acknowledgments", frankBasic), 403, "PERMISSION_DENIED", null);
    assertError(api.get(policies + "/1999-01/acknowledgments", api.admin), 404, "NOT_FOUND", null);
  }

  // ---------------------------------------------------------------- minors

  @Test
  void aMinorsAccountWaitsForAGuardiansConsent() {
    String gina = member("gina");
    String ginaBasic = ApiServer.basic("gina", PASSWORD);
    assertThat(api.get("/admin/v1/me", ginaBasic).status()).isEqualTo(200);
    String minor = a("/privacy/users/" + gina + "/minor");
    String consent = a("/privacy/users/" + gina + "/guardian-consent");

    assertError(api.put(minor, malloryBasic, json("minor", true)), 403, "PERMISSION_DENIED", null);
    assertError(api.put(minor, aliceToken, "{}"), 400, "INVALID_ARGUMENT", "minor");
    assertError(api.put(minor, aliceToken, json("minor", "yes")), 400, "INVALID_ARGUMENT", "minor");
    assertError(api.post(consent, aliceToken, json("reference", "consent form 41")), 409, "FAILED_PRECONDITION", null);

    JsonNode flagged = ok(api.put(minor, aliceToken, json("minor", true)));
    assertThat(flagged.path("userId").asText()).isEqualTo(gina);
    assertThat(flagged.path("minor").asBoolean()).isTrue();
    assertThat(flagged.path("guardianConsentAt").isNull()).isTrue();

    // Pending until a guardian consents: the password no longer signs in.
    Reply pending = api.get("/admin/v1/me", ginaBasic);
    assertThat(pending.status()).as(pending.text()).isNotEqualTo(200);
    assertError(pending, 409, "FAILED_PRECONDITION", null);

    assertError(api.post(consent, aliceToken, json("reference", " ")), 400, "INVALID_ARGUMENT", "reference");
    assertError(api.post(consent, aliceToken, "{}"), 400, "INVALID_ARGUMENT", "reference");
    JsonNode consented = ok(api.post(consent, aliceToken, json("reference", "consent form 41")));
    assertThat(consented.path("guardianConsentAt").isNull()).isFalse();
    assertThat(consented.path("guardianReference").asText()).isEqualTo("consent form 41");
    assertThat(api.get("/admin/v1/me", ginaBasic).status()).isEqualTo(200);

    assertThat(ok(api.get(a("/privacy/users/" + gina + "/flags"), aliceToken)).path("minor").asBoolean()).isTrue();
    assertThat(ok(api.get(PRIVACY + "/users/" + gina + "/flags", ginaBasic)).path("minor").asBoolean()).isTrue();
    assertThat(ok(api.get(PRIVACY + "/users/" + gina + "/flags", api.admin)).path("minor").asBoolean()).isTrue();
    assertError(api.get(PRIVACY + "/users/" + gina + "/flags", malloryBasic), 404, "NOT_FOUND", null);

    // Platform handlers act at platform level.
    String hank = member("hank");
    String hankBasic = ApiServer.basic("hank", PASSWORD);
    assertThat(ok(api.put(PRIVACY + "/users/" + hank + "/minor", api.admin, json("minor", true))).path("minor")
        .asBoolean()).isTrue();
    assertError(api.get("/admin/v1/me", hankBasic), 409, "FAILED_PRECONDITION", null);
    ok(api.post(PRIVACY + "/users/" + hank + "/guardian-consent", api.admin, json("reference", "form 7")));
    assertThat(api.get("/admin/v1/me", hankBasic).status()).isEqualTo(200);
    assertError(api.post(PRIVACY + "/users/" + hank + "/guardian-consent", api.admin, json("reference", "")), 400,
        "INVALID_ARGUMENT", "reference");

    // Another tenant's member answers like an unknown person; another tenant like an unknown tenant.
    assertError(api.put(a("/privacy/users/" + dave + "/minor"), aliceToken, json("minor", true)), 404, "NOT_FOUND", null);
    assertError(api.put(b("/privacy/users/" + dave + "/minor"), aliceToken, json("minor", true)), 404, "NOT_FOUND", null);
    assertError(api.put(PRIVACY + "/users/" + dave + "/minor", aliceToken, json("minor", true)), 404, "NOT_FOUND", null);
  }

  // ---------------------------------------------------------------- retention

  @Test
  void theRetentionSweepAnswersWhatItRemoved() {
    JsonNode report = ok(api.post(PRIVACY + "/retention/sweep", api.admin, null));
    Instant.parse(report.path("at").asText());
    assertThat(report.path("removedByCategory").isObject()).isTrue();
    assertThat(report.path("total").isIntegralNumber()).isTrue();
    assertThat(report.path("total").asLong()).isGreaterThanOrEqualTo(0);
    assertError(api.post(PRIVACY + "/retention/sweep", malloryBasic, null), 403, "PERMISSION_DENIED", null);
    assertError(api.post(PRIVACY + "/retention/sweep", aliceToken, null), 403, "PERMISSION_DENIED", null);
  }

  // ---------------------------------------------------------------- refusals and bad input

  @Test
  void membersAndTenantAdministratorsAreRefusedPlatformOperations() {
    String holds = PRIVACY + "/users/" + mallory + "/holds";
    for (String caller : List.of(malloryBasic, aliceToken)) {
      assertError(api.get(REQUESTS + "/overdue", caller), 403, "PERMISSION_DENIED", null);
      assertError(api.post(holds, caller, json("categories", List.of("user.contact"), "reason", "x")), 403,
          "PERMISSION_DENIED", null);
      assertError(api.get(holds, caller), 403, "PERMISSION_DENIED", null);
      assertError(api.delete(holds + "/hld_01hx3k9q7c2m5v8w4z6t0r1y2b", caller), 403, "PERMISSION_DENIED", null);
      assertError(api.get(PRIVACY + "/policies/2025-01/acknowledgments", caller), 403, "PERMISSION_DENIED", null);
      assertError(api.post(PRIVACY + "/retention/sweep", caller, null), 403, "PERMISSION_DENIED", null);
    }
    assertError(api.get(REQUESTS, null), 401, "UNAUTHENTICATED", null);
    assertError(api.get(PRIVACY + "/me/export", null), 401, "UNAUTHENTICATED", null);
    // A member asking for someone else's requests is told there is no such user.
    status(api.post(REQUESTS, malloryBasic, json("type", "RESTRICTION")), 201);
    assertError(api.get(REQUESTS + "?userId=" + dave, malloryBasic), 404, "NOT_FOUND", null);
    assertThat(ids(api.get(REQUESTS + "?userId=" + mallory, malloryBasic))).hasSize(1);
    // On behalf of someone else, a member is refused.
    assertError(api.post(a("/privacy/requests"), malloryBasic, json("userId", dave, "type", "ACCESS")), 404, "NOT_FOUND",
        null);
    String nina = member("nina");
    assertError(api.post(a("/privacy/requests"), malloryBasic, json("userId", nina, "type", "ACCESS")), 403,
        "PERMISSION_DENIED", null);
    assertError(api.post(REQUESTS, malloryBasic, json("userId", nina, "type", "ACCESS")), 404, "NOT_FOUND", null);
  }

  @Test
  void anotherTenantsRequestsAnswerLikeUnknownOnes() {
    String daveRequest = status(api.post(REQUESTS, daveBasic, json("type", "ACCESS")), 201).id();
    assertThat(ok(api.get(REQUESTS + "/" + daveRequest, daveBasic)).path("routedTo").asText()).isEqualTo(tenantB);

    Reply foreign = api.get(a("/privacy/requests/" + daveRequest), aliceToken);
    Reply unknown = api.get(a("/privacy/requests/" + UNKNOWN_REQUEST), aliceToken);
    assertError(foreign, 404, "NOT_FOUND", null);
    assertThat(foreign.text()).isEqualTo(unknown.text());
    for (String action : List.of("/fulfil", "/verify", "/extend", "/refuse")) {
      String body = action.equals("/fulfil") ? null : action.equals("/verify") ? json("method", "id-document")
          : json("reason", "because");
      assertError(api.post(a("/privacy/requests/" + daveRequest + action), aliceToken, body), 404, "NOT_FOUND", null);
      assertError(api.post(b("/privacy/requests/" + daveRequest + action), aliceToken, body), 404, "NOT_FOUND", null);
    }
    assertThat(ids(api.get(a("/privacy/requests"), aliceToken))).doesNotContain(daveRequest);
    assertError(api.post(a("/privacy/requests"), aliceToken, json("userId", dave, "type", "ACCESS")), 404, "NOT_FOUND",
        null);

    Reply foreignTenant = api.get(b("/privacy/requests"), aliceToken);
    Reply unknownTenant = api.get("/admin/v1/tenants/" + UNKNOWN_TENANT + "/privacy/requests", aliceToken);
    assertError(foreignTenant, 404, "NOT_FOUND", null);
    assertThat(foreignTenant.text()).isEqualTo(unknownTenant.text());
    assertError(api.get(b("/privacy/requests"), malloryBasic), 404, "NOT_FOUND", null);
    assertError(api.get(a("/privacy/requests"), daveBasic), 404, "NOT_FOUND", null);
    assertError(api.get(a("/privacy/users/" + dave + "/flags"), aliceToken), 404, "NOT_FOUND", null);
    // The platform handler still reaches it, and the tenant it was routed to lists it.
    assertThat(ok(api.get(REQUESTS + "/" + daveRequest, api.admin)).path("id").asText()).isEqualTo(daveRequest);
    assertThat(ids(api.get(b("/privacy/requests"), api.admin))).contains(daveRequest);
  }

  @Test
  void badInputIs400NamingTheFieldAndUnknownIds404() {
    Reply badType = api.post(REQUESTS, malloryBasic, json("type", "DELETION"));
    assertError(badType, 400, "INVALID_ARGUMENT", "type");
    assertThat(badType.message()).contains("ACCESS", "ERASURE");
    assertError(api.post(REQUESTS, malloryBasic, "{}"), 400, "INVALID_ARGUMENT", "type");
    assertError(api.post(REQUESTS, malloryBasic, json("type", "ACCESS", "reason", "x")), 400, "INVALID_ARGUMENT", "reason");
    assertError(api.post(REQUESTS, malloryBasic, json("type", "ACCESS", "userId", "not an id!")), 400, "INVALID_ARGUMENT",
        "userId");
    assertError(api.post(REQUESTS, malloryBasic, json("type", 1)), 400, "INVALID_ARGUMENT", "type");

    Reply badStatus = api.get(REQUESTS + "?status=OPEN", malloryBasic);
    assertError(badStatus, 400, "INVALID_ARGUMENT", "status");
    assertThat(badStatus.message()).contains("ROUTED");
    assertError(api.get(REQUESTS + "?status=ROUTED,", malloryBasic), 400, "INVALID_ARGUMENT", "status");
    assertError(api.get(REQUESTS + "?status=ROUTED&status=routed", malloryBasic), 400, "INVALID_ARGUMENT", "status");
    assertError(api.get(a("/privacy/requests?status=DONE"), aliceToken), 400, "INVALID_ARGUMENT", "status");
    assertError(api.get(REQUESTS + "?userId=bad%20id", malloryBasic), 400, "INVALID_ARGUMENT", "userId");
    assertError(api.get(REQUESTS + "?limit=0", malloryBasic), 400, "INVALID_ARGUMENT", "limit");
    assertError(api.get(REQUESTS + "?offset=-1", malloryBasic), 400, "INVALID_ARGUMENT", "offset");
    assertError(api.get(a("/privacy/requests?limit=1001"), aliceToken), 400, "INVALID_ARGUMENT", "limit");

    assertError(api.get(REQUESTS + "/bad!id", malloryBasic), 400, "INVALID_ARGUMENT", "requestId");
    assertError(api.post(REQUESTS + "/" + "x".repeat(81) + "/fulfil", api.admin, null), 400, "INVALID_ARGUMENT",
        "requestId");
    assertError(api.get(REQUESTS + "/" + UNKNOWN_REQUEST, api.admin), 404, "NOT_FOUND", null);
    assertError(api.post(REQUESTS + "/" + UNKNOWN_REQUEST + "/verify", api.admin, json("method", "id-document")), 404,
        "NOT_FOUND", null);
    assertError(api.post(REQUESTS + "/" + UNKNOWN_REQUEST + "/extend", api.admin, json("reason", "x")), 404, "NOT_FOUND",
        null);
    assertError(api.post(REQUESTS + "/" + UNKNOWN_REQUEST + "/refuse", api.admin, json("reason", "x")), 404, "NOT_FOUND",
        null);
    assertError(api.post(REQUESTS + "/" + UNKNOWN_REQUEST + "/fulfil", api.admin, null), 404, "NOT_FOUND", null);
    assertError(api.post(REQUESTS + "/" + UNKNOWN_REQUEST + "/verify", api.admin, "{}"), 400, "INVALID_ARGUMENT",
        "method");
    assertError(api.post(REQUESTS + "/" + UNKNOWN_REQUEST + "/verify", api.admin, null), 400, "INVALID_ARGUMENT", null);

    String holds = PRIVACY + "/users/" + mallory + "/holds";
    assertError(api.delete(holds + "/bad!id", api.admin), 400, "INVALID_ARGUMENT", "holdId");
    assertError(api.delete(holds + "/hld_01hx3k9q7c2m5v8w4z6t0r1y2b", api.admin), 404, "NOT_FOUND", null);
    assertError(api.get(holds + "?active=maybe", api.admin), 400, "INVALID_ARGUMENT", "active");
    assertError(api.post(holds, api.admin, json("categories", "user.contact", "reason", "x")), 400, "INVALID_ARGUMENT",
        "categories");
    assertError(api.post(PRIVACY + "/users/usr_01hx3k9q7c2m5v8w4z6t0r1y2b/holds", api.admin,
        json("categories", List.of("user.contact"), "reason", "x")), 404, "NOT_FOUND", null);
    assertError(api.get(PRIVACY + "/users/bad!id/export", api.admin), 400, "INVALID_ARGUMENT", "userId");
    assertError(api.put(PRIVACY + "/users/usr_01hx3k9q7c2m5v8w4z6t0r1y2b/minor", api.admin, json("minor", true)), 404,
        "NOT_FOUND", null);
    assertError(api.get(a("/privacy/requests/bad!id"), aliceToken), 400, "INVALID_ARGUMENT", "requestId");
    assertError(api.get("/admin/v1/tenants/bad!id/privacy/requests", aliceToken), 400, "INVALID_ARGUMENT", "tenantId");
    assertError(api.send("POST", REQUESTS, malloryBasic, json("type", "ACCESS"), "text/plain"), 415, "INVALID_ARGUMENT",
        null);
    Reply wrongMethod = api.send("DELETE", REQUESTS + "/overdue", api.admin, null, null);
    assertError(wrongMethod, 405, "INVALID_ARGUMENT", null);
    assertThat(wrongMethod.headers().firstValue("Allow")).contains("GET");
  }
}
