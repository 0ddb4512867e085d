package com.neurasea.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample host end to end: in-process on a free port, over a real data directory. */
class SampleHostTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  Path tmp;

  private SampleHostOptions options(Path dataDir) {
    return new SampleHostOptions(0, "127.0.0.1", dataDir, "admin");
  }

  @Test
  void aNewUserGetsATokenAndUsesIt() throws Exception {
    try (RunningHost host = SampleHost.start(options(tmp.resolve("data")))) {
      assertThat(host.port()).isPositive();
      assertThat(Files.exists(tmp.resolve("data").resolve(SampleHost.DATABASE_FILE))).isTrue();
      assertThat(Files.exists(tmp.resolve("data").resolve(SampleHost.KEY_FILE))).isTrue();
      String admin = "Bearer " + host.bootstrapToken().orElseThrow();
      assertThat(SampleHost.greeting(host)).contains(host.bootstrapToken().get(), "curl", "/admin/v1/me");

      JsonNode tenant = call(host, "POST", "/admin/v1/tenants", admin, "{\"slug\":\"acme\",\"name\":\"Acme\"}", 201);
      String tenantPath = "/admin/v1/tenants/" + tenant.path("id").asText();
      JsonNode user = call(host, "POST", tenantPath + "/users", admin, "{\"username\":\"alice\",\"displayName\":\"张伟\","
          + "\"loginMethod\":\"PASSWORD\",\"password\":\"correct horse battery\"}", 201);
      String userId = user.path("id").asText();
      call(host, "POST", tenantPath + "/bindings", admin, "{\"subject\":{\"kind\":\"USER\",\"id\":\"" + userId
          + "\"},\"roleId\":\"rol_member\",\"scope\":{\"kind\":\"TENANT\"}}", 201);

      String alice = "Basic " + Base64.getEncoder().encodeToString("alice:correct horse battery".getBytes(StandardCharsets.UTF_8));
      JsonNode issued = call(host, "POST", tenantPath + "/tokens", alice, "{\"name\":\"laptop\"}", 201);
      String secret = issued.path("secret").asText();
      assertThat(secret).isNotBlank();

      JsonNode me = call(host, "GET", "/admin/v1/me", "Bearer " + secret, null, 200);
      assertThat(me.path("principal").path("kind").asText()).isEqualTo("API_TOKEN");
      assertThat(me.path("principal").path("userId").asText()).isEqualTo(userId);
      assertThat(me.path("principal").path("tokenTenantId").asText()).isEqualTo(tenant.path("id").asText());
      assertThat(me.path("user").path("displayName").asText()).isEqualTo("张伟");
      assertThat(call(host, "GET", "/healthz", null, null, 200).path("status").asText()).isEqualTo("ok");
      assertThat(call(host, "GET", "/anything-else", null, null, 404).path("error").path("code").asText())
          .isEqualTo("NOT_FOUND");
    }
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"netty", "servlet"})
  void theDemoChannelAnswersAFirstGatewayCallOnEitherBinding(String binding) throws Exception {
    SampleHostOptions base = options(tmp.resolve("data-" + binding));
    SampleHostOptions options = new SampleHostOptions(0, "127.0.0.1", base.dataDir(), "admin", false, null, null,
        base.jurisdiction(), base.minorRule(), null, true, binding);
    try (RunningHost host = SampleHost.start(options)) {
      String admin = "Bearer " + host.bootstrapToken().orElseThrow();
      JsonNode reply = call(host, "POST", "/v1/chat/completions", admin,
          "{\"model\":\"demo-echo\",\"messages\":[{\"role\":\"user\",\"content\":\"first call\"}]}", 200);
      assertThat(reply.path("choices").path(0).path("message").path("content").asText()).isEqualTo("echo: first call");
      assertThat(call(host, "GET", "/v1/models", admin, null, 200).path("data").path(0).path("id").asText())
          .isEqualTo("demo-echo");
      assertThat(call(host, "POST", "/v1/chat/completions", "Bearer nope", "{}", 401).path("error").path("type")
          .asText()).isEqualTo("authentication_error");
      // the admin API answers on the same port
      assertThat(call(host, "GET", "/admin/v1/me", admin, null, 200).path("principal").path("kind").asText())
          .isEqualTo("API_TOKEN");
    }
  }

  @Test
  void aSecondStartReusesTheDataAndTheFirstToken() throws Exception {
    Path data = tmp.resolve("data");
    String admin;
    try (RunningHost first = SampleHost.start(options(data))) {
      admin = "Bearer " + first.bootstrapToken().orElseThrow();
      call(first, "POST", "/admin/v1/tenants", admin, "{\"slug\":\"kept-co\",\"name\":\"Kept\"}", 201);
    }
    try (RunningHost second = SampleHost.start(options(data))) {
      assertThat(second.bootstrapToken()).isEmpty();
      assertThat(SampleHost.greeting(second)).contains("Reusing existing data").doesNotContain("ns_");
      assertThat(call(second, "GET", "/admin/v1/me", admin, null, 200).path("user").path("username").asText())
          .isEqualTo("admin");
      assertThat(call(second, "GET", "/admin/v1/tenants", admin, null, 200).path("data").findValuesAsText("slug"))
          .contains("platform", "kept-co");
    }
  }

  @Test
  void anOperatorCanReissueALostAdminToken() throws Exception {
    Path data = tmp.resolve("data");
    try (RunningHost first = SampleHost.start(options(data))) {
      assertThat(first.recoveryToken()).isEmpty();
    }
    SampleHostOptions reissue = SampleHostOptions.parse(
        List.of("--port", "0", "--data-dir", data.toString(), "--issue-admin-token"), Map.of());
    try (RunningHost second = SampleHost.start(reissue)) {
      String token = second.recoveryToken().orElseThrow();
      assertThat(SampleHost.greeting(second)).contains(token, "shown ONCE");
      assertThat(call(second, "GET", "/admin/v1/tenants", "Bearer " + token, null, 200).path("data")
          .findValuesAsText("slug")).contains("platform");
    }
  }

  @Test
  void theStorageCanBeNamedByUrl() throws Exception {
    Path db = tmp.resolve("elsewhere/platform.db");
    SampleHostOptions options = SampleHostOptions.parse(List.of("--port", "0", "--data-dir",
        tmp.resolve("data").toString(), "--db", "sqlite:" + db), Map.of());
    try (RunningHost host = SampleHost.start(options)) {
      assertThat(host.bootstrapToken()).isPresent();
    }
    assertThat(db).exists();
    assertThat(tmp.resolve("data/neurasea.db")).doesNotExist();
    SampleHostOptions unknown = SampleHostOptions.parse(List.of("--port", "0", "--data-dir",
        tmp.resolve("data").toString(), "--db", "mysql://db/x"), Map.of());
    assertThatThrownBy(() -> SampleHost.start(unknown)).isInstanceOf(StartupException.class)
        .hasMessageStartingWith("cannot open the storage given by --db: ")
        .hasMessageContaining("available adapters");
  }

  @Test
  void twoHostsOnOneDataDirectoryAreRefusedClearlyBecauseEachNeedsItsOwnQuotaJournal() throws Exception {
    Path data = tmp.resolve("data");
    try (RunningHost first = SampleHost.start(options(data))) {
      assertThat(data.resolve(SampleHost.QUOTA_JOURNAL)).isDirectory();
      assertThatThrownBy(() -> SampleHost.start(options(data))).isInstanceOf(StartupException.class)
          .hasMessageContaining("quota journal").hasMessageContaining("in use by another instance");
    }
    // once the first has stopped, the directory (and the host id kept in it) serve the next start
    SampleHost.start(options(data)).close();
  }

  @Test
  void aBusyPortIsReportedClearly() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"))) {
      int port = busy.getLocalPort();
      String expected = "port " + port + " on 127.0.0.1 is already in use; choose another with --port";
      assertThatThrownBy(() -> SampleHost.start(options(tmp.resolve("data")).withPort(port)))
          .isInstanceOf(StartupException.class).hasMessage(expected);
      Main main = Main.run("--port", String.valueOf(port), "--data-dir", tmp.resolve("data").toString());
      assertThat(main.status()).isEqualTo(2);
      assertThat(main.err()).isEqualTo("neurasea: " + expected + "\n");
    }
    // The failed starts released the database: a normal start on the same data works.
    try (RunningHost host = SampleHost.start(options(tmp.resolve("data")))) {
      assertThat(host.bootstrapToken()).isPresent();
    }
  }

  @Test
  void anUnusableDataDirectoryIsReportedClearly() throws Exception {
    Path file = Files.writeString(tmp.resolve("a-file"), "not a directory");
    assertThatThrownBy(() -> SampleHost.start(options(file.resolve("data"))))
        .isInstanceOf(StartupException.class)
        .hasMessageStartingWith("cannot create the data directory " + file.resolve("data"))
        .hasMessageEndingWith("choose another with --data-dir");
    assertThatThrownBy(() -> SampleHost.start(options(file)))
        .isInstanceOf(StartupException.class)
        .hasMessageContaining("is a file, not a directory");
    Main main = Main.run("--data-dir", file.resolve("data").toString(), "--port", "0");
    assertThat(main.status()).isEqualTo(2);
    assertThat(main.err()).startsWith("neurasea: cannot create the data directory").doesNotContain("\tat ");
  }

  @Test
  void aDatabaseFromANewerReleaseIsRefusedClearly() throws Exception {
    Path data = tmp.resolve("data");
    SampleHost.start(options(data)).close();
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + data.resolve(SampleHost.DATABASE_FILE));
        Statement statement = connection.createStatement()) {
      statement.executeUpdate("INSERT INTO neurasea_schema_history (installed_rank, version, description, type, script,"
          + " checksum, installed_by, execution_time, success) VALUES (999, '999', 'from the future', 'SQL',"
          + " 'V999__from_the_future.sql', 0, 'test', 0, 1)");
    }
    assertThatThrownBy(() -> SampleHost.start(options(data)))
        .isInstanceOf(StartupException.class)
        .hasMessageContaining("999")
        .hasMessageContaining("newer than this library supports");
    Main main = Main.run("--data-dir", data.toString(), "--port", "0");
    assertThat(main.status()).isEqualTo(2);
    assertThat(main.err()).contains("newer than this library supports").doesNotContain("\tat ").doesNotContain("Exception");
    assertThat(main.err().lines()).hasSize(1);
  }

  @Test
  void badFlagsAreNamedAndHelpListsEveryFlag() {
    for (List<String> args : List.of(List.of("--port", "http"), List.of("--port=70000"), List.of("--frobnicate"),
        List.of("--port"), List.of("extra"), List.of("--bind", " "), List.of("--admin-username", "a b"))) {
      Main main = Main.run(args.toArray(String[]::new));
      assertThat(main.status()).as("%s", args).isEqualTo(2);
      assertThat(main.err()).as("%s", args).startsWith("neurasea: ").contains("--").doesNotContain("\tat ");
      assertThat(main.err().lines()).hasSize(1);
    }
    assertThatThrownBy(() -> SampleHostOptions.parse(List.of(), Map.of("NEURASEA_PORT", "eighty")))
        .isInstanceOf(StartupException.class).hasMessageContaining("NEURASEA_PORT");
    Main help = Main.run("--help");
    assertThat(help.status()).isZero();
    assertThat(help.out()).contains("--port", "--bind", "--data-dir", "--admin-username", "--help", "NEURASEA_PORT",
        "NEURASEA_BIND", "NEURASEA_DATA_DIR", "NEURASEA_ADMIN_USERNAME");
  }

  @Test
  void flagsWinOverEnvironmentWhichWinsOverDefaults() {
    assertThat(SampleHostOptions.parse(List.of(), Map.of())).isEqualTo(SampleHostOptions.defaults());
    Map<String, String> env = Map.of("NEURASEA_PORT", "9000", "NEURASEA_BIND", "0.0.0.0", "NEURASEA_DATA_DIR", "/srv/ns");
    assertThat(SampleHostOptions.parse(List.of(), env))
        .isEqualTo(new SampleHostOptions(9000, "0.0.0.0", Path.of("/srv/ns"), "admin"));
    assertThat(SampleHostOptions.parse(List.of("--port=9100", "--data-dir", "/tmp/x", "--admin-username", "root"), env))
        .isEqualTo(new SampleHostOptions(9100, "0.0.0.0", Path.of("/tmp/x"), "root"));
  }

  @Test
  void privacyJurisdictionAndMinorRuleComeFromFlagsOrEnvironment() {
    SampleHostOptions options = SampleHostOptions.parse(List.of("--privacy-jurisdiction", "PIPL"),
        Map.of("NEURASEA_MINOR_RULE", "block"));
    assertThat(options.jurisdiction()).isEqualTo(com.neurasea.privacy.Jurisdiction.PIPL);
    assertThat(options.minorRule()).isEqualTo(com.neurasea.privacy.MinorRule.BLOCK);
    assertThatThrownBy(() -> SampleHostOptions.parse(List.of("--privacy-jurisdiction=ccpa"), Map.of()))
        .isInstanceOf(StartupException.class).hasMessageContaining("--privacy-jurisdiction must be gdpr or pipl");
    assertThatThrownBy(() -> SampleHostOptions.parse(List.of(), Map.of("NEURASEA_MINOR_RULE", "allow")))
        .isInstanceOf(StartupException.class).hasMessageContaining("NEURASEA_MINOR_RULE must be guardian-consent");
  }

  @Test
  void hostIdComesFromFlagOrEnvironment() {
    assertThat(SampleHostOptions.parse(List.of(), Map.of()).hostId()).isNull();
    assertThat(SampleHostOptions.parse(List.of(), Map.of("NEURASEA_HOST_ID", "gw-1")).hostId()).isEqualTo("gw-1");
    assertThat(SampleHostOptions.parse(List.of("--host-id=gw-2"), Map.of("NEURASEA_HOST_ID", "gw-1")).hostId())
        .isEqualTo("gw-2");
    assertThat(SampleHostOptions.parse(List.of(), Map.of("NEURASEA_HOST_ID", " ")).hostId()).isNull();
    assertThatThrownBy(() -> SampleHostOptions.parse(List.of("--host-id", "gw 1"), Map.of()))
        .isInstanceOf(StartupException.class).hasMessageContaining("--host-id must be 1-64 letters");
    assertThatThrownBy(() -> SampleHostOptions.parse(List.of(), Map.of("NEURASEA_HOST_ID", "-gw")))
        .isInstanceOf(StartupException.class).hasMessageContaining("NEURASEA_HOST_ID must be 1-64 letters");
    assertThat(Main.run("--host-id").err()).isEqualTo("neurasea: --host-id needs a value; run with --help to see the flags\n");
    assertThat(Main.run("--help").out()).contains("--host-id", "NEURASEA_HOST_ID");
  }

  @Test
  void theBootstrapTokenMetersUnderTheHostId() throws Exception {
    SampleHostOptions options = SampleHostOptions.parse(List.of("--port", "0", "--data-dir",
        tmp.resolve("data").toString(), "--host-id", "sample-a"), Map.of());
    try (RunningHost host = SampleHost.start(options)) {
      String admin = "Bearer " + host.bootstrapToken().orElseThrow();
      String tenant = call(host, "GET", "/admin/v1/me", admin, null, 200).path("principal").path("tokenTenantId")
          .asText();
      String quotas = "/admin/v1/tenants/" + tenant + "/quotas/tenant/" + tenant;
      call(host, "PUT", quotas, admin, "{\"budget\":100,\"period\":\"daily\"}", 200);
      String reservations = "/admin/v1/tenants/" + tenant + "/reservations";
      JsonNode held = call(host, "POST", reservations, admin, "{\"requestId\":\"sample-1\",\"maxCost\":60}", 201);
      assertThat(held.path("hostId").asText()).isEqualTo("sample-a");
      JsonNode usage = call(host, "POST", reservations + "/sample-1/settle", admin, "{\"cost\":60}", 200);
      assertThat(usage.path("hostId").asText()).isEqualTo("sample-a");
      JsonNode refused = call(host, "POST", reservations, admin, "{\"requestId\":\"sample-2\",\"maxCost\":60}", 429);
      assertThat(refused.path("error").path("code").asText()).isEqualTo("QUOTA_EXCEEDED");
    }
  }

  static JsonNode call(RunningHost host, String method, String path, String auth, String body, int status)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(host.baseUri() + path))
        .timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (auth != null) {
      request.header("Authorization", auth);
    }
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(response.statusCode()).as("%s %s: %s", method, path, response.body()).isEqualTo(status);
    return JSON.readTree(response.body());
  }

  /** What {@code main} would print and return, without exiting the JVM. */
  private record Main(int status, String out, String err) {
    static Main run(String... args) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int status = SampleHost.run(List.of(args), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8));
      return new Main(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
  }
}
