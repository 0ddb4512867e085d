package com.neurasea.store.sqlite;

import static com.neurasea.store.sqlite.Fixtures.NON_ASCII;
import static com.neurasea.store.sqlite.Fixtures.SQL_LOOKING;
import static com.neurasea.store.sqlite.Fixtures.assertConflict;
import static com.neurasea.store.sqlite.Fixtures.hash;
import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.model.ApiToken;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Tenant;
import com.neurasea.model.TokenId;
import com.neurasea.model.User;
import com.neurasea.model.UserId;
import com.neurasea.spi.CredentialStore;
import com.neurasea.spi.PasswordRecord;
import com.neurasea.spi.Storage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteCredentialStoreTest {
  @TempDir Path dir;
  Storage storage;
  CredentialStore credentials;

  @BeforeEach
  void open() {
    storage = Fixtures.open(dir);
    credentials = storage.credentials();
  }

  @AfterEach
  void close() {
    storage.close();
  }

  @Test
  void passwordLifecycle() {
    UserId user = UserId.of("usr_pw");
    assertThat(credentials.findPassword(user)).isEmpty();

    credentials.savePassword(user, "$argon2id$v=19$m=65536,t=3,p=4$" + SQL_LOOKING);
    assertThat(credentials.findPassword(user))
        .contains(new PasswordRecord(user, "$argon2id$v=19$m=65536,t=3,p=4$" + SQL_LOOKING, 0, null, null));

    Instant lockedUntil = Fixtures.now();
    credentials.recordLoginFailure(user, 5, lockedUntil);
    assertThat(credentials.findPassword(user)).contains(new PasswordRecord(user,
        "$argon2id$v=19$m=65536,t=3,p=4$" + SQL_LOOKING, 5, lockedUntil, null));

    Instant login = Fixtures.now();
    credentials.recordLoginSuccess(user, login);
    PasswordRecord afterLogin = credentials.findPassword(user).orElseThrow();
    assertThat(afterLogin.failedAttempts()).isZero();
    assertThat(afterLogin.lockedUntil()).isNull();
    assertThat(afterLogin.lastLoginAt()).isEqualTo(login);

    credentials.recordLoginFailure(user, 2, null);
    credentials.savePassword(user, "new-hash");
    assertThat(credentials.findPassword(user)).contains(new PasswordRecord(user, "new-hash", 0, null, login));
  }

  @Test
  void tokensRoundTripWithAllowListsVerbatim() {
    Tenant tenant = Fixtures.tenant();
    User user = Fixtures.user();
    Instant created = Fixtures.now();
    ApiToken token = new ApiToken(TokenId.of("tok_full"), tenant.id(), user.id(), NON_ASCII, "nsk_Ab12", created,
        created.plusSeconds(3600), null, null,
        List.of("10.0.0.0/8", "::1", "quote\"back\\slash", "new\nline\ttab\u0001", NON_ASCII),
        List.of("gpt-4o*", SQL_LOOKING, "[\"json\",]", ""));
    credentials.insertToken(token, hash(1));

    assertThat(credentials.findTokenByHash(hash(1))).contains(token);
    assertThat(credentials.findToken(tenant.id(), token.id())).contains(token);
    assertThat(credentials.findToken(Fixtures.tenant().id(), token.id())).isEmpty();
    assertThat(credentials.findTokenByHash(hash(2))).isEmpty();
  }

  @Test
  void duplicateTokenHashOrIdIsConflict() {
    Tenant tenant = Fixtures.tenant();
    User user = Fixtures.user();
    ApiToken token = Fixtures.token(tenant, user);
    credentials.insertToken(token, hash(3));
    assertConflict(() -> credentials.insertToken(Fixtures.token(tenant, user), hash(3)), "secretHash");
    assertConflict(() -> credentials.insertToken(token, hash(4)), "id");
  }

  @Test
  void tokensAreListedPerTenantAndUserInCreationOrder() {
    Tenant tenant = Fixtures.tenant();
    User alice = Fixtures.user();
    User bob = Fixtures.user();
    ApiToken a1 = Fixtures.token(tenant, alice);
    ApiToken b1 = Fixtures.token(tenant, bob);
    ApiToken a2 = Fixtures.token(tenant, alice);
    ApiToken elsewhere = Fixtures.token(Fixtures.tenant(), alice);
    int seed = 10;
    for (ApiToken t : List.of(a1, b1, a2, elsewhere)) {
      credentials.insertToken(t, hash(seed++));
    }

    assertThat(credentials.listTokens(tenant.id(), null, PageRequest.firstPage())).containsExactly(a1, b1, a2);
    assertThat(credentials.listTokens(tenant.id(), alice.id(), PageRequest.firstPage())).containsExactly(a1, a2);
    assertThat(credentials.listTokens(tenant.id(), null, new PageRequest(1, 1))).containsExactly(b1);
  }

  @Test
  void revokingIsRecordedOnce() {
    Tenant tenant = Fixtures.tenant();
    ApiToken token = Fixtures.token(tenant, Fixtures.user());
    credentials.insertToken(token, hash(20));
    Instant first = Fixtures.now();

    assertThat(credentials.revokeToken(Fixtures.tenant().id(), token.id(), first)).isFalse();
    assertThat(credentials.revokeToken(tenant.id(), token.id(), first)).isTrue();
    assertThat(credentials.revokeToken(tenant.id(), token.id(), Fixtures.now())).isFalse();
    assertThat(credentials.revokeToken(tenant.id(), TokenId.of("tok_absent"), first)).isFalse();
    assertThat(credentials.findToken(tenant.id(), token.id()).orElseThrow().revokedAt()).isEqualTo(first);
  }

  @Test
  void tokenUseNeverMovesBackwards() {
    Tenant tenant = Fixtures.tenant();
    ApiToken t1 = Fixtures.token(tenant, Fixtures.user());
    ApiToken t2 = Fixtures.token(tenant, Fixtures.user());
    credentials.insertToken(t1, hash(30));
    credentials.insertToken(t2, hash(31));
    Instant early = Fixtures.now();
    Instant late = Fixtures.now();

    Map<TokenId, Instant> uses = new HashMap<>();
    uses.put(t1.id(), late);
    uses.put(t2.id(), early);
    uses.put(TokenId.of("tok_absent"), late);
    credentials.recordTokenUse(uses);
    credentials.recordTokenUse(Map.of(t1.id(), early, t2.id(), late));
    credentials.recordTokenUse(Map.of());

    assertThat(credentials.findToken(tenant.id(), t1.id()).orElseThrow().lastUsedAt()).isEqualTo(late);
    assertThat(credentials.findToken(tenant.id(), t2.id()).orElseThrow().lastUsedAt()).isEqualTo(late);
  }
}
