package com.neurasea.http;

import static com.neurasea.http.ApiServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.neurasea.http.ApiServer.Reply;
import com.neurasea.ledger.verify.Ed25519Keys;
import com.neurasea.ledger.verify.MerkleVerifier;
import com.neurasea.ledger.verify.SignedCheckpoint;
import com.neurasea.ledger.verify.VerifyCommand;
import com.neurasea.ledger.verify.ProofException;
import com.neurasea.model.Caller;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.Permissions;
import com.neurasea.model.Principal;
import com.neurasea.model.Scope;
import com.neurasea.model.TenantId;
import com.neurasea.model.UserId;
import com.neurasea.privacy.TermKind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The privacy ledger over HTTP: records, checkpoints, proofs, verification, exports and the taxonomy. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrivacyRoutesTest {
  private static final String PASSWORD = ApiServer.PASSWORD;
  private static final String PRIVACY = "/admin/v1/privacy";
  private static final String UNKNOWN_USER = "usr_01hx3k9q7c2m5v8w4z6t0r1y2b";
  private static final HexFormat HEX = HexFormat.of();

  ApiServer api;
  String tenantA;
  String tenantB;
  String alice;
  String bob;
  String carol;
  String dave;
  String aliceToken;
  String bobBasic;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    api = ApiServer.start(dir);
    tenantA = api.post("/admin/v1/tenants", api.admin, json("slug", "privacy-a", "name", "A")).id();
    tenantB = api.post("/admin/v1/tenants", api.admin, json("slug", "privacy-b", "name", "B")).id();
    alice = api.passwordUser(tenantA, "alice", "rol_tenant_admin");
    bob = api.passwordUser(tenantA, "bob", "rol_member");
    carol = api.passwordUser(tenantA, "carol", "rol_member");
    dave = api.passwordUser(tenantB, "dave", "rol_member");
    aliceToken = ApiServer.bearer(api.post(a("/tokens"), ApiServer.basic("alice", PASSWORD), json("name", "cli"))
        .field("secret"));
    bobBasic = ApiServer.basic("bob", PASSWORD);
  }

  @AfterAll
  void stop() {
    api.close();
  }

  private String a(String path) {
    return "/admin/v1/tenants/" + tenantA + path;
  }

  private String subjectKey(String userId) {
    return api.platform.privacy().subjectKey(UserId.of(userId));
  }

  private static Reply ok(Reply reply) {
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    return reply;
  }

  private static List<JsonNode> data(Reply reply) {
    List<JsonNode> items = new ArrayList<>();
    ok(reply).json().path("data").forEach(items::add);
    return items;
  }

  private static List<String> texts(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(value -> values.add(value.asText()));
    return values;
  }

  /** The record TenancyService.createUser made for an account. */
  private static Predicate<JsonNode> accountCreation(String tenant) {
    return r -> r.path("module").asText().equals("tenancy") && r.path("kind").asText().equals("COLLECTION")
        && tenant.equals(r.path("tenantId").asText(null))
        && texts(r.path("categories")).contains("user.account.username");
  }

  private static void assertError(Reply reply, int status, String code, String param) {
    assertThat(reply.status()).as(reply.text()).isEqualTo(status);
    assertThat(reply.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    assertThat(reply.code()).as(reply.text()).isEqualTo(code);
    assertThat(reply.param()).as(reply.text()).isEqualTo(param);
    assertThat(reply.text()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  private PublicKey publicKey() {
    return Ed25519Keys.parsePublicKey(ok(api.get(PRIVACY + "/public-key", api.admin)).text());
  }

  private static byte[] hex(JsonNode node) {
    return HEX.parseHex(node.asText());
  }

  private JsonNode signCheckpoint() {
    return ok(api.post(PRIVACY + "/checkpoints", api.admin, null)).json();
  }

  // ---------------------------------------------------------------- records

  @Test
  void aUserReadsTheirOwnRecordsIncludingAccountCreationAndPasswordSignIn() {
    Reply mine = api.send("GET", PRIVACY + "/records", bobBasic, null, null, Map.of("User-Agent", "privacy-test/1.0"));
    List<JsonNode> records = data(mine);
    assertThat(mine.json().path("fromIndex").asLong()).isZero();
    assertThat(mine.json().path("limit").asInt()).isEqualTo(ApiCall.DEFAULT_LIMIT);
    assertThat(records).isNotEmpty().allSatisfy(r -> assertThat(r.path("subjectKey").asText()).isEqualTo(subjectKey(bob)));
    List<Long> indexes = records.stream().map(r -> r.path("index").asLong()).toList();
    assertThat(indexes).isSorted().doesNotHaveDuplicates();

    JsonNode creation = records.stream().filter(accountCreation(tenantA)).findFirst().orElseThrow();
    assertThat(texts(creation.path("categories")))
        .contains("user.account.username", "user.contact.email", "user.account.credential", "user.org.membership");
    assertThat(creation.path("actor").asText()).isEqualTo("token:" + subjectKey(api.bootstrap.admin().id().value()));
    assertThat(creation.path("purpose").asText()).isEqualTo("account_security");
    assertThat(creation.path("legalBasis").asText()).isEqualTo("gdpr.contract");
    assertThat(creation.path("recipient").isNull()).isTrue();
    assertThat(creation.path("ground").isNull()).isTrue();
    assertThat(creation.path("separateConsent").isNull()).isTrue();
    assertThat(creation.path("detailCategories").isArray()).isTrue();
    assertThat(creation.path("details").isObject()).isTrue();
    assertThat(creation.path("detailsErased").asBoolean(true)).isFalse();
    assertThat(creation.path("leafHash").asText()).matches("[0-9a-f]{64}");
    assertThat(Instant.parse(creation.path("recordedAt").asText())).isBefore(Instant.now().plusSeconds(1));
    // Records never carry the account's personal data in clear, only its pseudonymous key.
    assertThat(creation.toString()).doesNotContain("bob@example.com");

    // This very request signed bob in with a password: the sign-in is recorded with its client
    // address and user agent as erasable details.
    JsonNode signIn = records.stream()
        .filter(r -> r.path("module").asText().equals("identity") && r.path("reference").asText().equals("login:password"))
        .filter(r -> r.path("details").path("user.device.user_agent").asText().equals("privacy-test/1.0"))
        .findFirst().orElseThrow(() -> new AssertionError("no sign-in record in " + mine.text()));
    assertThat(signIn.path("kind").asText()).isEqualTo("COLLECTION");
    assertThat(signIn.path("tenantId").isNull()).isTrue();
    assertThat(signIn.path("actor").asText()).isEqualTo("user:" + subjectKey(bob));
    assertThat(texts(signIn.path("categories"))).contains("user.device.ip_address", "user.device.user_agent");
    assertThat(texts(signIn.path("detailCategories")))
        .containsExactlyInAnyOrder("user.device.ip_address", "user.device.user_agent");
    assertThat(signIn.path("details").path("user.device.ip_address").asText()).isEqualTo("127.0.0.1");
    assertThat(signIn.path("detailsErased").asBoolean(true)).isFalse();

    List<JsonNode> explicit = data(api.get(PRIVACY + "/records?userId=" + bob + "&limit=1000", bobBasic));
    assertThat(explicit).anyMatch(accountCreation(tenantA));
    List<JsonNode> later = data(api.get(PRIVACY + "/records?fromIndex=" + (signIn.path("index").asLong() + 1), bobBasic));
    assertThat(later).allSatisfy(r -> assertThat(r.path("index").asLong()).isGreaterThan(signIn.path("index").asLong()));
    assertThat(data(api.get(PRIVACY + "/records?limit=1", bobBasic))).hasSize(1);
  }

  @Test
  void aPlatformOperatorReadsAnyonesRecordsAndTheWholeLedger() {
    assertThat(data(api.get(PRIVACY + "/records?userId=" + dave, api.admin))).anyMatch(accountCreation(tenantB));
    assertThat(data(api.get(PRIVACY + "/records?userId=" + UNKNOWN_USER, api.admin))).isEmpty();

    Reply page = api.get(PRIVACY + "/ledger?fromIndex=1&limit=3", api.admin);
    assertThat(data(page)).extracting(r -> r.path("index").asLong()).containsExactly(1L, 2L, 3L);
    assertThat(page.json().path("fromIndex").asLong()).isEqualTo(1);
    assertThat(page.json().path("limit").asInt()).isEqualTo(3);
    assertThat(data(api.get(PRIVACY + "/ledger", api.admin))).hasSizeGreaterThan(3);

    assertError(api.get(PRIVACY + "/ledger", bobBasic), 403, "PERMISSION_DENIED", null);
    assertError(api.get(PRIVACY + "/ledger", aliceToken), 403, "PERMISSION_DENIED", null);
  }

  @Test
  void aTenantAdminReadsAMembersRecordsMadeInTheTenant() {
    List<JsonNode> records = data(api.get(a("/privacy/records?userId=" + bob), aliceToken));
    assertThat(records).anyMatch(accountCreation(tenantA));
    // Sign-ins are platform-level records: only bob and platform operators see them.
    assertThat(records).allSatisfy(r -> assertThat(r.path("tenantId").asText()).isEqualTo(tenantA));
    assertThat(data(api.get(a("/privacy/records"), aliceToken))).anyMatch(accountCreation(tenantA));
    assertThat(data(api.get(a("/privacy/records"), bobBasic))).anyMatch(accountCreation(tenantA));

    // At platform level a tenant admin is nobody special: another person's records are not found.
    assertError(api.get(PRIVACY + "/records?userId=" + bob, aliceToken), 404, "NOT_FOUND", null);
  }

  @Test
  void aMemberWithoutLedgerReadIsRefusedAnotherMembersRecords() {
    assertThat(api.platform.permissions().check(Caller.in(Principal.user(UserId.of(bob)), TenantId.of(tenantA)),
        Permissions.LEDGER_READ, Scope.tenant())).isFalse();
    assertError(api.get(a("/privacy/records?userId=" + carol), bobBasic), 403, "PERMISSION_DENIED", null);
    assertError(api.get(PRIVACY + "/records?userId=" + carol, bobBasic), 404, "NOT_FOUND", null);
  }

  @Test
  void anotherTenantsUserAnswersLikeAnUnknownOne() {
    Reply foreign = api.get(a("/privacy/records?userId=" + dave), aliceToken);
    Reply unknown = api.get(a("/privacy/records?userId=" + UNKNOWN_USER), aliceToken);
    assertError(foreign, 404, "NOT_FOUND", null);
    assertThat(foreign.text()).isEqualTo(unknown.text());
    assertError(api.get(PRIVACY + "/records?userId=" + dave, aliceToken), 404, "NOT_FOUND", null);
    assertError(api.get(PRIVACY + "/records?userId=" + dave, bobBasic), 404, "NOT_FOUND", null);

    Reply foreignTenant = api.get("/admin/v1/tenants/" + tenantB + "/privacy/records", aliceToken);
    Reply unknownTenant = api.get("/admin/v1/tenants/tnt_01hx3k9q7c2m5v8w4z6t0r1y2b/privacy/records", aliceToken);
    assertError(foreignTenant, 404, "NOT_FOUND", null);
    assertThat(foreignTenant.text()).isEqualTo(unknownTenant.text());
    assertError(api.get(PRIVACY + "/records", null), 401, "UNAUTHENTICATED", null);
  }

  @Test
  void badParametersAre400NamingTheParameter() {
    assertError(api.get(PRIVACY + "/records?userId=not%20an%20id!", bobBasic), 400, "INVALID_ARGUMENT", "userId");
    assertError(api.get(PRIVACY + "/records?userId=", bobBasic), 400, "INVALID_ARGUMENT", "userId");
    assertError(api.get(a("/privacy/records?userId=%2F%2F"), aliceToken), 400, "INVALID_ARGUMENT", "userId");
    assertError(api.get(PRIVACY + "/records?fromIndex=abc", bobBasic), 400, "INVALID_ARGUMENT", "fromIndex");
    assertError(api.get(PRIVACY + "/records?fromIndex=-1", bobBasic), 400, "INVALID_ARGUMENT", "fromIndex");
    assertError(api.get(PRIVACY + "/records?fromIndex=1&fromIndex=2", bobBasic), 400, "INVALID_ARGUMENT", "fromIndex");
    assertError(api.get(PRIVACY + "/records?limit=0", bobBasic), 400, "INVALID_ARGUMENT", "limit");
    assertError(api.get(PRIVACY + "/records?limit=1001", bobBasic), 400, "INVALID_ARGUMENT", "limit");
    assertError(api.get(PRIVACY + "/records?limit=ten", bobBasic), 400, "INVALID_ARGUMENT", "limit");
    assertError(api.get(PRIVACY + "/ledger?fromIndex=-5", api.admin), 400, "INVALID_ARGUMENT", "fromIndex");
    assertError(api.get(PRIVACY + "/ledger?limit=-1", api.admin), 400, "INVALID_ARGUMENT", "limit");

    assertError(api.get(PRIVACY + "/proofs/inclusion", bobBasic), 400, "INVALID_ARGUMENT", "index");
    assertError(api.get(PRIVACY + "/proofs/inclusion?index=-1", bobBasic), 400, "INVALID_ARGUMENT", "index");
    assertError(api.get(PRIVACY + "/proofs/inclusion?index=1.5", bobBasic), 400, "INVALID_ARGUMENT", "index");
    assertError(api.get(PRIVACY + "/proofs/inclusion?index=99999999999999999999", bobBasic), 400, "INVALID_ARGUMENT",
        "index");
    assertError(api.get(PRIVACY + "/proofs/consistency?oldSize=x&newSize=1", bobBasic), 400, "INVALID_ARGUMENT",
        "oldSize");
    assertError(api.get(PRIVACY + "/proofs/consistency?oldSize=0", bobBasic), 400, "INVALID_ARGUMENT", "newSize");
    assertError(api.get(PRIVACY + "/proofs/consistency?oldSize=0&newSize=-2", bobBasic), 400, "INVALID_ARGUMENT",
        "newSize");
    assertError(api.get(PRIVACY + "/proofs/consistency?oldSize=3&newSize=2", bobBasic), 400, "INVALID_ARGUMENT",
        "oldSize");
    assertError(api.get(PRIVACY + "/proofs/consistency?oldSize=0&newSize=" + Long.MAX_VALUE, bobBasic), 400,
        "INVALID_ARGUMENT", "newSize");
  }

  // ---------------------------------------------------------------- checkpoints and proofs

  @Test
  void checkpointsAreSignedByOperatorsAndReadByAnyone() {
    JsonNode signed = signCheckpoint();
    assertThat(signed.path("origin").asText()).isNotBlank();
    assertThat(signed.path("size").asLong()).isPositive();
    assertThat(signed.path("rootHash").asText()).matches("[0-9a-f]{64}");
    assertThat(signed.path("keyId").asText()).isNotBlank();
    assertThat(Base64.getDecoder().decode(signed.path("signature").asText())).hasSize(64);
    Instant.parse(signed.path("timestamp").asText());

    SignedCheckpoint parsed = SignedCheckpoint.parse(signed.path("signed").asText());
    assertThat(parsed.checkpoint().size()).isEqualTo(signed.path("size").asLong());
    assertThat(parsed.checkpoint().root()).isEqualTo(hex(signed.path("rootHash")));
    assertThat(parsed.checkpoint().timestampMillis()).isEqualTo(Instant.parse(signed.path("timestamp").asText()).toEpochMilli());
    assertThat(parsed.keyId()).isEqualTo(signed.path("keyId").asText());
    PublicKey key = publicKey();
    assertThatCode(() -> parsed.verify(key)).doesNotThrowAnyException();

    JsonNode latest = ok(api.get(PRIVACY + "/checkpoints/latest", bobBasic)).json();
    assertThat(latest.path("size").asLong()).isGreaterThanOrEqualTo(signed.path("size").asLong());

    assertError(api.post(PRIVACY + "/checkpoints", bobBasic, null), 403, "PERMISSION_DENIED", null);
    assertError(api.post(PRIVACY + "/checkpoints", aliceToken, null), 403, "PERMISSION_DENIED", null);
    Reply publicKey = ok(api.get(PRIVACY + "/public-key", bobBasic));
    assertThat(publicKey.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    assertThat(publicKey.text()).startsWith("ed25519 ");
  }

  @Test
  void noCheckpointYetIs404(@TempDir Path dir) throws Exception {
    try (ApiServer fresh = ApiServer.start(dir)) {
      assertError(fresh.get(PRIVACY + "/checkpoints/latest", fresh.admin), 404, "NOT_FOUND", null);
      assertThat(fresh.post(PRIVACY + "/checkpoints", fresh.admin, null).status()).isEqualTo(200);
      assertThat(fresh.get(PRIVACY + "/checkpoints/latest", fresh.admin).status()).isEqualTo(200);
    }
  }

  @Test
  void anInclusionProofVerifiesAgainstItsSignedCheckpoint() throws Exception {
    JsonNode creation = data(api.get(PRIVACY + "/records", bobBasic)).stream().filter(accountCreation(tenantA))
        .findFirst().orElseThrow();
    long index = creation.path("index").asLong();

    JsonNode proof = ok(api.get(PRIVACY + "/proofs/inclusion?index=" + index, bobBasic)).json();
    assertThat(proof.path("index").asLong()).isEqualTo(index);
    assertThat(proof.path("leafHash").asText()).isEqualTo(creation.path("leafHash").asText());
    JsonNode checkpoint = proof.path("checkpoint");
    assertThat(proof.path("treeSize").asLong()).isEqualTo(checkpoint.path("size").asLong()).isGreaterThan(index);
    List<byte[]> path = new ArrayList<>();
    proof.path("path").forEach(hash -> path.add(hex(hash)));
    MerkleVerifier.verifyInclusion(hex(proof.path("leafHash")), index, proof.path("treeSize").asLong(), path,
        hex(checkpoint.path("rootHash")));
    SignedCheckpoint.parse(checkpoint.path("signed").asText()).verify(publicKey());

    // A tampered leaf does not verify.
    byte[] other = hex(proof.path("leafHash"));
    other[0] ^= 1;
    assertThatThrownBy(() -> MerkleVerifier.verifyInclusion(other, index, proof.path("treeSize").asLong(), path,
        hex(checkpoint.path("rootHash")))).isInstanceOf(ProofException.class);

    assertThat(ok(api.get(PRIVACY + "/proofs/inclusion?index=0", aliceToken)).json().path("index").asLong()).isZero();
    assertError(api.get(PRIVACY + "/proofs/inclusion?index=1000000", bobBasic), 404, "NOT_FOUND", null);
  }

  @Test
  void aConsistencyProofLinksTwoCheckpoints() throws Exception {
    JsonNode first = signCheckpoint();
    api.passwordUser(tenantA, "erin", "rol_member");
    JsonNode second = signCheckpoint();
    long oldSize = first.path("size").asLong();
    long newSize = second.path("size").asLong();
    assertThat(newSize).isGreaterThan(oldSize);

    JsonNode proof = ok(api.get(PRIVACY + "/proofs/consistency?oldSize=" + oldSize + "&newSize=" + newSize, bobBasic))
        .json();
    assertThat(proof.path("oldSize").asLong()).isEqualTo(oldSize);
    assertThat(proof.path("newSize").asLong()).isEqualTo(newSize);
    assertThat(proof.path("oldRoot").asText()).isEqualTo(first.path("rootHash").asText());
    assertThat(proof.path("newRoot").asText()).isEqualTo(second.path("rootHash").asText());
    List<byte[]> path = new ArrayList<>();
    proof.path("path").forEach(hash -> path.add(hex(hash)));
    MerkleVerifier.verifyConsistency(oldSize, newSize, path, hex(first.path("rootHash")), hex(second.path("rootHash")));

    JsonNode same = ok(api.get(PRIVACY + "/proofs/consistency?oldSize=" + newSize + "&newSize=" + newSize, aliceToken))
        .json();
    assertThat(same.path("path")).isEmpty();
    assertError(api.get(PRIVACY + "/proofs/consistency?oldSize=0&newSize=" + (newSize + 1_000_000), bobBasic), 400,
        "INVALID_ARGUMENT", "newSize");
  }

  // ---------------------------------------------------------------- verification and exports

  @Test
  void operatorsVerifyTheLedger() {
    signCheckpoint();
    JsonNode report = ok(api.post(PRIVACY + "/verify", api.admin, null)).json();
    assertThat(report.path("ok").asBoolean()).as(report.toString()).isTrue();
    assertThat(report.path("entriesChecked").asLong()).isPositive();
    assertThat(report.path("checkpointsChecked").asLong()).isPositive();
    assertThat(report.has("firstBadIndex") && report.path("firstBadIndex").isNull()).isTrue();
    assertThat(report.path("problem").isNull()).isTrue();
    assertThat(report.path("message").isNull()).isTrue();

    assertError(api.post(PRIVACY + "/verify", bobBasic, null), 403, "PERMISSION_DENIED", null);
    assertError(api.post(PRIVACY + "/verify", aliceToken, null), 403, "PERMISSION_DENIED", null);
  }

  @Test
  void theExportsVerifyOffline(@TempDir Path dir) throws Exception {
    signCheckpoint();
    api.passwordUser(tenantB, "frank", "rol_member");
    signCheckpoint();
    Reply checkpoints = ok(api.get(PRIVACY + "/export/checkpoints", api.admin));
    Reply entries = ok(api.get(PRIVACY + "/export/entries", api.admin));
    Reply publicKey = ok(api.get(PRIVACY + "/public-key", api.admin));
    for (Reply text : List.of(checkpoints, entries, publicKey)) {
      assertThat(text.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
      assertThat(text.headers().firstValue("Cache-Control")).contains("no-store");
    }
    assertThat(checkpoints.text()).startsWith("neurasea-checkpoint-export/v1\n");
    assertThat(entries.text()).startsWith("neurasea-entry-export/v1\n");
    // Entries hold hashed content only: no erasable details such as the sign-in user agent.
    assertThat(entries.text()).doesNotContain("Java-http-client").doesNotContain("127.0.0.1");

    Path checkpointFile = Files.writeString(dir.resolve("checkpoints.txt"), checkpoints.text());
    Path entryFile = Files.writeString(dir.resolve("entries.txt"), entries.text());
    Path keyFile = Files.writeString(dir.resolve("key.txt"), publicKey.text());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = VerifyCommand.run(new String[] {"--checkpoints", checkpointFile.toString(), "--public-key",
        keyFile.toString(), "--entries", entryFile.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    String report = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    assertThat(status).as(report).isEqualTo(VerifyCommand.OK);
    assertThat(report).contains("RESULT: OK");
    // Every checkpoint's root was recomputed from the exported entries (a short export would pass as NOT_COVERED).
    assertThat(report).doesNotContain("NOT_COVERED");

    // A tampered entry fails the offline check.
    List<String> lines = new ArrayList<>(entries.text().lines().toList());
    String[] second = lines.get(2).split(" ", 2);
    byte[] content = Base64.getDecoder().decode(second[1]);
    content[content.length - 2] ^= 1;
    lines.set(2, second[0] + " " + Base64.getEncoder().encodeToString(content));
    Files.writeString(entryFile, String.join("\n", lines) + "\n");
    int tampered = VerifyCommand.run(new String[] {"--checkpoints", checkpointFile.toString(), "--public-key",
        keyFile.toString(), "--entries", entryFile.toString()}, new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertThat(tampered).isEqualTo(VerifyCommand.FAILED);

    assertError(api.get(PRIVACY + "/export/checkpoints", bobBasic), 403, "PERMISSION_DENIED", null);
    assertError(api.get(PRIVACY + "/export/entries", bobBasic), 403, "PERMISSION_DENIED", null);
    assertError(api.get(PRIVACY + "/export/entries", aliceToken), 403, "PERMISSION_DENIED", null);
  }

  @Test
  void theTaxonomyListsEveryTermByKind() {
    JsonNode taxonomy = ok(api.get(PRIVACY + "/taxonomy", bobBasic)).json();
    List<String> kinds = new ArrayList<>();
    taxonomy.fieldNames().forEachRemaining(kinds::add);
    assertThat(kinds).containsExactly(Arrays.stream(TermKind.values()).map(Enum::name).toArray(String[]::new));
    JsonNode username = null;
    for (JsonNode term : taxonomy.path("CATEGORY")) {
      assertThat(term.path("key").asText()).isNotBlank();
      assertThat(term.path("label").asText()).isNotBlank();
      assertThat(term.path("attributes").isObject()).isTrue();
      if (term.path("key").asText().equals("user.account.username")) {
        username = term;
      }
    }
    assertThat(username).isNotNull();
    List<String> bases = new ArrayList<>();
    taxonomy.path("BASIS").forEach(term -> bases.add(term.path("key").asText()));
    assertThat(bases).contains("gdpr.contract");
    assertThat(taxonomy.path("PURPOSE").findValuesAsText("key")).contains("account_security");
  }

  @Test
  void theRecordsOfProcessingActivitiesComeAsJsonOrText() {
    JsonNode report = ok(api.get(PRIVACY + "/processing-activities", api.admin)).json();
    assertThat(report.path("controller").asText()).isEqualTo("NeuraSea");
    assertThat(report.path("activities").findValuesAsText("purpose")).contains("account_security",
        "service_delivery");
    assertThat(report.path("activities").get(0).path("dataCategories").findValuesAsText("key"))
        .contains("user.account.username");
    assertThat(report.path("securityMeasures").size()).isPositive();

    Reply text = ok(api.get(PRIVACY + "/processing-activities?format=text", api.admin));
    assertThat(text.text()).startsWith("RECORDS OF PROCESSING ACTIVITIES");
    assertThat(text.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));

    assertError(api.get(PRIVACY + "/processing-activities?format=pdf", api.admin), 400, "INVALID_ARGUMENT", "format");
    assertError(api.get(PRIVACY + "/processing-activities", aliceToken), 403, "PERMISSION_DENIED", null);
  }

  // ---------------------------------------------------------------- streamed text

  @Test
  void aStreamedAnswerFailingBeforeItStartsIsAJsonErrorAndAfterwardsAnAbortedBody(@TempDir Path dir) throws Exception {
    List<Route> streams = List.of(
        Route.get("/admin/v1/test/refused", call -> new AdminRoutes.TextStream(out -> {
          throw NeuraSeaException.denied(Permissions.PLATFORM_LEDGER_READ);
        })),
        Route.get("/admin/v1/test/broken", call -> new AdminRoutes.TextStream(out -> {
          String line = "x".repeat(1023) + "\n";
          for (int i = 0; i < 512; i++) {
            out.write(line);
          }
          throw new IllegalStateException("the store went away");
        })),
        Route.get("/admin/v1/test/streamed", call -> new AdminRoutes.TextStream(out -> out.write("hello\n"))));
    try (ApiServer server = ApiServer.start(dir, streams)) {
      assertError(server.get("/admin/v1/test/refused", server.admin), 403, "PERMISSION_DENIED", null);
      Reply streamed = ok(server.get("/admin/v1/test/streamed", server.admin));
      assertThat(streamed.text()).isEqualTo("hello\n");
      assertThat(streamed.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
      assertThatThrownBy(() -> server.get("/admin/v1/test/broken", server.admin)).isInstanceOf(UncheckedIOException.class);
      assertThat(server.get("/healthz", null).status()).isEqualTo(200);
    }
  }
}
