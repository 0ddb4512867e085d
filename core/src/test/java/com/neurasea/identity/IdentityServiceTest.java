package com.neurasea.identity;

import com.neurasea.Backends;
import com.neurasea.permissions.AccessCacheSettings;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.api.extension.RegisterExtension;
import com.neurasea.tck.FreshStorage;
import static com.neurasea.Errors.assertCode;
import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.TestPlatform;
import com.neurasea.model.AccountStatus;
import com.neurasea.model.ApiToken;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.Caller;
import com.neurasea.model.CreateToken;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.IssuedToken;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Principal;
import com.neurasea.model.PrincipalKind;
import com.neurasea.model.Tenant;
import com.neurasea.model.TenantStatus;
import com.neurasea.model.User;
import com.neurasea.spi.PasswordCredentials;
import com.neurasea.spi.TokenCredentials;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"sqlite", "postgres"})
class IdentityServiceTest {
  @RegisterExtension final FreshStorage fresh;

  IdentityServiceTest(String backend) {
    this.fresh = Backends.fresh(backend);
  }

  @TempDir Path dir;
  TestPlatform t;
  IdentityService identity;
  Tenant acme;
  User alice;
  Caller aliceCaller;

  @BeforeEach
  void setUp() {
    t = new TestPlatform(fresh.storage(), dir, AccessCacheSettings.DEFAULT);
    identity = t.platform.identity();
    acme = t.tenant("acme");
    alice = t.user(acme, "alice", BuiltInRole.MEMBER);
    aliceCaller = TestPlatform.as(alice, acme);
  }

  @AfterEach
  void tearDown() {
    t.close();
  }

  private Principal token(String secret) {
    return identity.authenticate(new TokenCredentials(secret, "10.1.2.3", "test"));
  }

  @Test
  void passwordSignInWorksIgnoringUsernameCase() {
    Principal p = identity.authenticate(new PasswordCredentials("ALICE", TestPlatform.PASSWORD, "127.0.0.1", "ua"));
    assertThat(p).isEqualTo(Principal.user(alice.id()));
    assertCode(() -> identity.authenticate(new PasswordCredentials("alice", "wrong password!!", null, null)),
        ErrorCode.UNAUTHENTICATED);
    assertCode(() -> identity.authenticate(new PasswordCredentials("nobody", "whatever password", null, null)),
        ErrorCode.UNAUTHENTICATED);
    assertCode(() -> identity.authenticate(new PasswordCredentials(null, null, null, null)), ErrorCode.UNAUTHENTICATED);
  }

  @Test
  void repeatedFailuresLockTheAccountOutForAWhile() {
    for (int i = 0; i < 5; i++) {
      assertCode(() -> identity.authenticate(new PasswordCredentials("alice", "wrong password!!", null, null)),
          ErrorCode.UNAUTHENTICATED);
    }
    // Even the right password is refused during the lockout.
    assertCode(() -> identity.authenticate(new PasswordCredentials("alice", TestPlatform.PASSWORD, null, null)),
        ErrorCode.FAILED_PRECONDITION);
    t.clock.advance(Duration.ofMinutes(16));
    assertThat(identity.authenticate(new PasswordCredentials("alice", TestPlatform.PASSWORD, null, null)).userId())
        .isEqualTo(alice.id());
  }

  @Test
  void adminUnlockClearsALockout() {
    for (int i = 0; i < 5; i++) {
      assertCode(() -> identity.authenticate(new PasswordCredentials("alice", "wrong password!!", null, null)),
          ErrorCode.UNAUTHENTICATED);
    }
    t.platform.tenancy().setUserStatus(t.admin.inTenant(acme.id()), alice.id(), AccountStatus.ACTIVE);
    assertThat(identity.authenticate(new PasswordCredentials("alice", TestPlatform.PASSWORD, null, null))).isNotNull();
  }

  @Test
  void disabledAccountCannotSignIn() {
    t.platform.tenancy().setUserStatus(t.admin.inTenant(acme.id()), alice.id(), AccountStatus.DISABLED);
    assertCode(() -> identity.authenticate(new PasswordCredentials("alice", TestPlatform.PASSWORD, null, null)),
        ErrorCode.FAILED_PRECONDITION);
  }

  @Test
  void tokenIsShownOnceStoredOnlyAsHashAndAuthenticates() throws Exception {
    IssuedToken issued = identity.createToken(aliceCaller, new CreateToken("ci", null, null, List.of("gpt-4o*")));
    assertThat(issued.secret()).startsWith("ns_").hasSize(46);
    assertThat(issued.token().prefix()).isEqualTo(issued.secret().substring(0, 11));
    assertThat(issued.toString()).doesNotContain(issued.secret());
    Principal p = token(issued.secret());
    assertThat(p.kind()).isEqualTo(PrincipalKind.API_TOKEN);
    assertThat(p.userId()).isEqualTo(alice.id());
    assertThat(p.tokenTenantId()).isEqualTo(acme.id());
    assertThat(identity.getToken(aliceCaller, issued.token().id()).modelAllowList()).containsExactly("gpt-4o*");
    // The secret never reaches the database; its display prefix does (which shows we read the right data).
    t.platform.identity().flushTokenUse();
    String stored = storedData();
    assertThat(stored).contains(issued.token().prefix());
    assertThat(stored).doesNotContain(issued.secret().substring(issued.token().prefix().length()));
    assertCode(() -> token(issued.secret() + "x"), ErrorCode.UNAUTHENTICATED);
    assertCode(() -> token("ns_" + "A".repeat(43)), ErrorCode.UNAUTHENTICATED);
    assertCode(() -> token(null), ErrorCode.UNAUTHENTICATED);
  }

  /** Everything the backend holds: the SQLite files, or the PostgreSQL token rows as text. */
  private String storedData() throws Exception {
    Map<String, String> db = fresh.settings();
    StringBuilder text = new StringBuilder();
    if (db.containsKey("path")) {
      try (var files = Files.list(Path.of(db.get("path")).getParent())) {
        for (Path file : files.toList()) {
          text.append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
        }
      }
      return text.toString();
    }
    try (Connection connection = DriverManager.getConnection(db.get("url"), db.get("username"), db.get("password"));
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT * FROM " + db.get("schema") + ".api_tokens")) {
      while (rows.next()) {
        for (int column = 1; column <= rows.getMetaData().getColumnCount(); column++) {
          text.append(rows.getString(column)).append('|');
        }
      }
    }
    return text.toString();
  }

  @Test
  void revokedTokenStopsAtOnce() {
    IssuedToken issued = identity.createToken(aliceCaller, new CreateToken("ci", null, null, null));
    token(issued.secret());
    ApiToken revoked = identity.revokeToken(aliceCaller, issued.token().id());
    assertThat(revoked.revokedAt()).isNotNull();
    assertCode(() -> token(issued.secret()), ErrorCode.UNAUTHENTICATED);
    assertCode(() -> identity.revokeToken(aliceCaller, issued.token().id()), ErrorCode.FAILED_PRECONDITION);
  }

  @Test
  void expiredTokenIsRefused() {
    IssuedToken issued = identity.createToken(aliceCaller,
        new CreateToken("short", t.clock.instant().plus(Duration.ofHours(1)), null, null));
    token(issued.secret());
    t.clock.advance(Duration.ofHours(2));
    assertCode(() -> token(issued.secret()), ErrorCode.UNAUTHENTICATED);
    assertCode(() -> identity.createToken(aliceCaller, new CreateToken("past", t.clock.instant(), null, null)),
        ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void suspendedTenantOrLockedAccountStopsTokensAtOnce() {
    IssuedToken issued = identity.createToken(aliceCaller, new CreateToken("ci", null, null, null));
    token(issued.secret());
    t.platform.tenancy().setTenantStatus(t.admin, acme.id(), TenantStatus.SUSPENDED);
    assertCode(() -> token(issued.secret()), ErrorCode.FAILED_PRECONDITION);
    t.platform.tenancy().setTenantStatus(t.admin, acme.id(), TenantStatus.ACTIVE);
    token(issued.secret());
    t.platform.tenancy().setUserStatus(t.admin.inTenant(acme.id()), alice.id(), AccountStatus.LOCKED);
    assertCode(() -> token(issued.secret()), ErrorCode.FAILED_PRECONDITION);
  }

  @Test
  void removedMemberTokenStops() {
    IssuedToken issued = identity.createToken(aliceCaller, new CreateToken("ci", null, null, null));
    token(issued.secret());
    t.platform.tenancy().removeMember(t.admin.inTenant(acme.id()), alice.id());
    assertCode(() -> token(issued.secret()), ErrorCode.UNAUTHENTICATED);
  }

  @Test
  void ipAllowListIsEnforced() {
    IssuedToken issued = identity.createToken(aliceCaller,
        new CreateToken("office", null, List.of("10.1.0.0/16", "2001:db8::/32"), null));
    assertThat(identity.authenticate(new TokenCredentials(issued.secret(), "10.1.200.7", null))).isNotNull();
    assertThat(identity.authenticate(new TokenCredentials(issued.secret(), "2001:db8::1", null))).isNotNull();
    assertCode(() -> identity.authenticate(new TokenCredentials(issued.secret(), "10.2.0.1", null)),
        ErrorCode.PERMISSION_DENIED);
    assertCode(() -> identity.authenticate(new TokenCredentials(issued.secret(), null, null)),
        ErrorCode.PERMISSION_DENIED);
    assertCode(() -> identity.createToken(aliceCaller, new CreateToken("bad", null, List.of("10.0.0.0/33"), null)),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> identity.createToken(aliceCaller, new CreateToken("bad", null, List.of("example.com"), null)),
        ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void lastUseIsRecordedInBatches() {
    IssuedToken issued = identity.createToken(aliceCaller, new CreateToken("ci", null, null, null));
    assertThat(identity.getToken(aliceCaller, issued.token().id()).lastUsedAt()).isNull();
    token(issued.secret());
    identity.flushTokenUse();
    assertThat(identity.getToken(aliceCaller, issued.token().id()).lastUsedAt()).isEqualTo(t.clock.instant());
  }

  @Test
  void tokensOfOthersNeedPermissionAndOtherTenantsAreInvisible() {
    User bob = t.user(acme, "bob", BuiltInRole.MEMBER);
    IssuedToken bobs = identity.createToken(TestPlatform.as(bob, acme), new CreateToken("bob", null, null, null));
    assertCode(() -> identity.getToken(aliceCaller, bobs.token().id()), ErrorCode.NOT_FOUND);
    assertCode(() -> identity.revokeToken(aliceCaller, bobs.token().id()), ErrorCode.NOT_FOUND);
    assertCode(() -> identity.listTokens(aliceCaller, true, PageRequest.firstPage()), ErrorCode.PERMISSION_DENIED);
    assertThat(identity.listTokens(aliceCaller, false, PageRequest.firstPage())).isEmpty();
    Caller tenantAdmin = t.admin.inTenant(acme.id());
    assertThat(identity.listTokens(tenantAdmin, true, PageRequest.firstPage())).extracting(ApiToken::name)
        .contains("bob");
    Tenant other = t.tenant("other");
    assertCode(() -> identity.getToken(t.admin.inTenant(other.id()), bobs.token().id()), ErrorCode.NOT_FOUND);
  }

  @Test
  void tokenActsOnlyInItsTenant() {
    IssuedToken issued = identity.createToken(aliceCaller, new CreateToken("ci", null, null, null));
    Principal p = token(issued.secret());
    Tenant other = t.tenant("other");
    t.platform.tenancy().addMember(t.admin.inTenant(other.id()), alice.id());
    t.bind(other, alice, BuiltInRole.TENANT_OWNER.id());
    assertCode(() -> t.platform.tenancy().listMembers(Caller.in(p, other.id()), PageRequest.firstPage()),
        ErrorCode.NOT_FOUND);
    assertThat(t.platform.tenancy().listMembers(Caller.in(Principal.user(alice.id()), other.id()),
        PageRequest.firstPage())).isNotEmpty();
  }

  @Test
  void bootstrapHappensOnceAndItsTokenIsAPlatformAdmin() {
    assertThat(t.platform.bootstrap("admin", "platform")).isEmpty();
    Principal admin = token(t.bootstrap.token().secret());
    assertThat(t.platform.permissions().isPlatformAdmin(Caller.platform(admin))).isTrue();
  }

  @Test
  void lostAdminTokenCanBeReplacedByAnOperator() {
    IssuedToken recovery = identity.issueRecoveryToken("admin");
    Principal admin = token(recovery.secret());
    assertThat(t.platform.permissions().isPlatformAdmin(Caller.platform(admin))).isTrue();
    assertThat(token(t.bootstrap.token().secret())).isNotNull();
    assertCode(() -> identity.issueRecoveryToken("alice"), ErrorCode.FAILED_PRECONDITION);
    assertCode(() -> identity.issueRecoveryToken("nobody"), ErrorCode.NOT_FOUND);
    assertCode(() -> identity.issueRecoveryToken(" "), ErrorCode.INVALID_ARGUMENT);
  }
}
