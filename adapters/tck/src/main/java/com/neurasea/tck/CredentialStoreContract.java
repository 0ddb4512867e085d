package com.neurasea.tck;

import static com.neurasea.tck.TckAssertions.assertConflict;
import static com.neurasea.tck.TckFixtures.membership;
import static com.neurasea.tck.TckFixtures.nextInstant;
import static com.neurasea.tck.TckFixtures.randomId;
import static com.neurasea.tck.TckFixtures.secretHash;
import static com.neurasea.tck.TckFixtures.tenant;
import static com.neurasea.tck.TckFixtures.token;
import static com.neurasea.tck.TckFixtures.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.neurasea.model.ApiToken;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Tenant;
import com.neurasea.model.TokenId;
import com.neurasea.model.User;
import com.neurasea.model.UserId;
import com.neurasea.spi.CredentialStore;
import com.neurasea.spi.PasswordRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link com.neurasea.spi.CredentialStore}: password hashes and lockout state, and API
 * tokens found by the exact keyed hash of their secret, scoped by tenant, revoked once and touched in
 * batches.
 *
 * <p>A storage adapter passes it by extending this class in its own tests and implementing
 * {@link #newStorage()}. Each test opens one storage before it runs and closes it afterwards.
 */
public abstract class CredentialStoreContract extends StorageUnderTest {
  private static final PageRequest ALL = PageRequest.firstPage();
  private static final String HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$ZGlnZXN0ZGlnZXN0";
  private static final String OTHER_HASH = "$argon2id$v=19$m=65536,t=3,p=4$b3RoZXJzYWx0$b3RoZXJkaWdlc3Q";

  // ---- passwords

  @Test
  void savedPasswordIsFound() {
    User user = savedUser();

    store().savePassword(user.id(), HASH);

    assertThat(store().findPassword(user.id())).contains(new PasswordRecord(user.id(), HASH, 0, null, null));
  }

  @Test
  void passwordOfUserWithoutOneIsNotFound() {
    User user = savedUser();

    assertThat(store().findPassword(user.id())).isEmpty();
    assertThat(store().findPassword(new UserId(randomId("usr_")))).isEmpty();
  }

  @Test
  void loginFailuresAreCountedWithoutLockout() {
    User user = savedUser();
    store().savePassword(user.id(), HASH);

    store().recordLoginFailure(user.id(), 1, null);

    assertThat(store().findPassword(user.id())).contains(new PasswordRecord(user.id(), HASH, 1, null, null));
  }

  @Test
  void loginFailureRecordsLockout() {
    User user = savedUser();
    store().savePassword(user.id(), HASH);
    Instant lockedUntil = nextInstant();

    store().recordLoginFailure(user.id(), 1, null);
    store().recordLoginFailure(user.id(), 5, lockedUntil);

    assertThat(store().findPassword(user.id())).contains(new PasswordRecord(user.id(), HASH, 5, lockedUntil, null));
  }

  @Test
  void loginFailureKeepsLastLoginTime() {
    User user = savedUser();
    store().savePassword(user.id(), HASH);
    Instant lastLogin = nextInstant();
    store().recordLoginSuccess(user.id(), lastLogin);

    store().recordLoginFailure(user.id(), 1, null);

    assertThat(store().findPassword(user.id()).orElseThrow().lastLoginAt()).isEqualTo(lastLogin);
  }

  @Test
  void loginSuccessResetsFailuresAndRecordsTime() {
    User user = savedUser();
    store().savePassword(user.id(), HASH);
    store().recordLoginFailure(user.id(), 5, nextInstant());
    Instant at = nextInstant();

    store().recordLoginSuccess(user.id(), at);

    assertThat(store().findPassword(user.id())).contains(new PasswordRecord(user.id(), HASH, 0, null, at));
  }

  @Test
  void savePasswordReplacesHashAndResetsLockout() {
    User user = savedUser();
    store().savePassword(user.id(), HASH);
    store().recordLoginFailure(user.id(), 5, nextInstant());

    store().savePassword(user.id(), OTHER_HASH);

    PasswordRecord found = store().findPassword(user.id()).orElseThrow();
    assertThat(found.hash()).isEqualTo(OTHER_HASH);
    assertThat(found.failedAttempts()).isZero();
    assertThat(found.lockedUntil()).isNull();
  }

  @Test
  void passwordsOfUsersAreKeptApart() {
    User first = savedUser();
    User second = savedUser();
    store().savePassword(first.id(), HASH);
    store().savePassword(second.id(), OTHER_HASH);

    store().recordLoginFailure(first.id(), 3, null);

    assertThat(store().findPassword(second.id())).contains(new PasswordRecord(second.id(), OTHER_HASH, 0, null, null));
  }

  // ---- tokens

  @Test
  void insertedTokenIsFound() {
    Tenant tenant = savedTenant();
    ApiToken token = token(tenant, savedMember(tenant));

    store().insertToken(token, secretHash());

    assertThat(store().findToken(tenant.id(), token.id())).contains(token);
  }

  @Test
  void unknownTokenIsNotFound() {
    Tenant tenant = savedTenant();

    assertThat(store().findToken(tenant.id(), new TokenId(randomId("tok_")))).isEmpty();
  }

  @Test
  void tokenIsFoundByItsHashWhateverItsTenant() {
    Tenant first = savedTenant();
    Tenant second = savedTenant();
    byte[] firstHash = secretHash();
    byte[] secondHash = secretHash();
    ApiToken inFirst = token(first, savedMember(first));
    ApiToken inSecond = token(second, savedMember(second));
    store().insertToken(inFirst, firstHash);
    store().insertToken(inSecond, secondHash);

    assertThat(store().findTokenByHash(firstHash.clone())).contains(inFirst);
    assertThat(store().findTokenByHash(secondHash.clone())).contains(inSecond);
  }

  @Test
  void tokenIsNotFoundByAnotherHash() {
    Tenant tenant = savedTenant();
    byte[] hash = secretHash();
    store().insertToken(token(tenant, savedMember(tenant)), hash);

    byte[] flipped = hash.clone();
    flipped[flipped.length - 1] ^= 1;
    assertThat(store().findTokenByHash(flipped)).isEmpty();
    assertThat(store().findTokenByHash(Arrays.copyOf(hash, hash.length - 1))).isEmpty();
    assertThat(store().findTokenByHash(Arrays.copyOf(hash, hash.length + 1))).isEmpty();
    assertThat(store().findTokenByHash(secretHash())).isEmpty();
  }

  @Test
  void duplicateHashIsConflict() {
    Tenant tenant = savedTenant();
    User user = savedMember(tenant);
    byte[] hash = secretHash();
    store().insertToken(token(tenant, user), hash);

    assertConflict(() -> store().insertToken(token(tenant, user), hash.clone()));
  }

  @Test
  void allowListsRoundTrip() {
    Tenant tenant = savedTenant();
    User user = savedMember(tenant);
    ApiToken token = new ApiToken(new TokenId(randomId("tok_")), tenant.id(), user.id(), "ci", "nsk_ab12",
        nextInstant(), nextInstant(), null, null, List.of("10.0.0.0/8", "192.168.1.7", "2001:db8::/32", "::1"),
        List.of("gpt-4o*", "qwen2.5:72b", "meta-llama/Llama-3.1-8B@v2", "*"));

    store().insertToken(token, secretHash());

    assertThat(store().findToken(tenant.id(), token.id())).contains(token);
  }

  @Test
  void emptyAllowListsRoundTripAsEmpty() {
    Tenant tenant = savedTenant();
    ApiToken token = token(tenant, savedMember(tenant));

    store().insertToken(token, secretHash());

    ApiToken found = store().findToken(tenant.id(), token.id()).orElseThrow();
    assertThat(found.ipAllowList()).isEmpty();
    assertThat(found.modelAllowList()).isEmpty();
  }

  @Test
  void neverExpiringTokenRoundTripsWithNullExpiry() {
    Tenant tenant = savedTenant();
    ApiToken token = token(tenant, savedMember(tenant));
    byte[] hash = secretHash();

    store().insertToken(token, hash);

    assertThat(store().findTokenByHash(hash).orElseThrow().expiresAt()).isNull();
  }

  @Test
  void expiryRoundTrips() {
    Tenant tenant = savedTenant();
    User user = savedMember(tenant);
    Instant expiresAt = nextInstant();
    ApiToken token = new ApiToken(new TokenId(randomId("tok_")), tenant.id(), user.id(), "expiring", "nsk_cd34",
        nextInstant(), expiresAt, null, null, List.of(), List.of());

    store().insertToken(token, secretHash());

    assertThat(store().findToken(tenant.id(), token.id()).orElseThrow().expiresAt()).isEqualTo(expiresAt);
  }

  @Test
  void tokensOfTenantAreListedByCreationTime() {
    Tenant tenant = savedTenant();
    User first = savedMember(tenant);
    User second = savedMember(tenant);
    ApiToken older = token(tenant, second);
    ApiToken middle = token(tenant, first);
    ApiToken newer = token(tenant, second);
    store().insertToken(newer, secretHash());
    store().insertToken(older, secretHash());
    store().insertToken(middle, secretHash());

    assertThat(store().listTokens(tenant.id(), null, ALL)).containsExactly(older, middle, newer);
  }

  @Test
  void tokensOfOneUserAreListed() {
    Tenant tenant = savedTenant();
    User owner = savedMember(tenant);
    User other = savedMember(tenant);
    ApiToken first = savedToken(tenant, owner);
    savedToken(tenant, other);
    ApiToken second = savedToken(tenant, owner);

    assertThat(store().listTokens(tenant.id(), owner.id(), ALL)).containsExactly(first, second);
  }

  @Test
  void tokenPagingRespectsOffsetAndLimit() {
    Tenant tenant = savedTenant();
    User user = savedMember(tenant);
    List<ApiToken> tokens = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      tokens.add(savedToken(tenant, user));
    }

    assertThat(store().listTokens(tenant.id(), null, new PageRequest(0, 2)))
        .containsExactlyElementsOf(tokens.subList(0, 2));
    assertThat(store().listTokens(tenant.id(), user.id(), new PageRequest(2, 2)))
        .containsExactlyElementsOf(tokens.subList(2, 4));
    assertThat(store().listTokens(tenant.id(), null, new PageRequest(4, 2))).containsExactly(tokens.get(4));
    assertThat(store().listTokens(tenant.id(), user.id(), new PageRequest(5, 2))).isEmpty();
  }

  @Test
  void revokedTokenCarriesRevocationTime() {
    Tenant tenant = savedTenant();
    byte[] hash = secretHash();
    ApiToken token = token(tenant, savedMember(tenant));
    store().insertToken(token, hash);
    Instant at = nextInstant();

    assertThat(store().revokeToken(tenant.id(), token.id(), at)).isTrue();
    assertThat(store().findToken(tenant.id(), token.id()).orElseThrow().revokedAt()).isEqualTo(at);
    assertThat(store().findTokenByHash(hash).orElseThrow().revokedAt()).isEqualTo(at);
  }

  @Test
  void revokingTwiceIsFalseAndKeepsFirstTime() {
    Tenant tenant = savedTenant();
    ApiToken token = savedToken(tenant, savedMember(tenant));
    Instant first = nextInstant();
    store().revokeToken(tenant.id(), token.id(), first);

    assertThat(store().revokeToken(tenant.id(), token.id(), nextInstant())).isFalse();
    assertThat(store().findToken(tenant.id(), token.id()).orElseThrow().revokedAt()).isEqualTo(first);
  }

  @Test
  void revokingUnknownTokenIsFalse() {
    Tenant tenant = savedTenant();

    assertThat(store().revokeToken(tenant.id(), new TokenId(randomId("tok_")), nextInstant())).isFalse();
  }

  @Test
  void revokingLeavesOtherTokensAlone() {
    Tenant tenant = savedTenant();
    User user = savedMember(tenant);
    ApiToken revoked = savedToken(tenant, user);
    ApiToken kept = savedToken(tenant, user);

    store().revokeToken(tenant.id(), revoked.id(), nextInstant());

    assertThat(store().findToken(tenant.id(), kept.id())).contains(kept);
  }

  @Test
  void tokenUseIsRecordedInOneBatch() {
    Tenant tenant = savedTenant();
    User user = savedMember(tenant);
    ApiToken first = savedToken(tenant, user);
    ApiToken second = savedToken(tenant, user);
    ApiToken unused = savedToken(tenant, user);
    Instant firstUse = nextInstant();
    Instant secondUse = nextInstant();
    Map<TokenId, Instant> uses = new LinkedHashMap<>();
    uses.put(first.id(), firstUse);
    uses.put(second.id(), secondUse);

    store().recordTokenUse(uses);

    assertThat(lastUsedAt(tenant, first)).isEqualTo(firstUse);
    assertThat(lastUsedAt(tenant, second)).isEqualTo(secondUse);
    assertThat(lastUsedAt(tenant, unused)).isNull();
  }

  @Test
  void tokenUseMovesLastUsedForward() {
    Tenant tenant = savedTenant();
    ApiToken token = savedToken(tenant, savedMember(tenant));
    Instant earlier = nextInstant();
    Instant later = nextInstant();

    store().recordTokenUse(Map.of(token.id(), earlier));
    store().recordTokenUse(Map.of(token.id(), later));

    assertThat(lastUsedAt(tenant, token)).isEqualTo(later);
  }

  @Test
  void tokenUseNeverMovesLastUsedBackwards() {
    Tenant tenant = savedTenant();
    ApiToken token = savedToken(tenant, savedMember(tenant));
    Instant earlier = nextInstant();
    Instant later = nextInstant();

    store().recordTokenUse(Map.of(token.id(), later));
    store().recordTokenUse(Map.of(token.id(), earlier));

    assertThat(lastUsedAt(tenant, token)).isEqualTo(later);
  }

  @Test
  void emptyTokenUseBatchChangesNothing() {
    Tenant tenant = savedTenant();
    ApiToken token = savedToken(tenant, savedMember(tenant));

    store().recordTokenUse(Map.of());

    assertThat(store().findToken(tenant.id(), token.id())).contains(token);
  }

  // ---- isolation between tenants

  @Test
  void tokenOfAnotherTenantIsNotFound() {
    Tenant owner = savedTenant();
    Tenant other = savedTenant();
    ApiToken token = savedToken(owner, savedMember(owner));

    assertThat(store().findToken(other.id(), token.id())).isEmpty();
  }

  @Test
  void tokenOfAnotherTenantCannotBeRevoked() {
    Tenant owner = savedTenant();
    Tenant other = savedTenant();
    ApiToken token = savedToken(owner, savedMember(owner));

    assertThat(store().revokeToken(other.id(), token.id(), nextInstant())).isFalse();
    assertThat(store().findToken(owner.id(), token.id()).orElseThrow().revokedAt()).isNull();
  }

  @Test
  void tokensOfAnotherTenantAreNotListed() {
    Tenant owner = savedTenant();
    Tenant other = savedTenant();
    User user = savedMember(owner);
    storage().tenancy().insertMembership(membership(other, user));
    savedToken(owner, user);
    ApiToken own = savedToken(other, user);

    assertThat(store().listTokens(other.id(), null, ALL)).containsExactly(own);
    assertThat(store().listTokens(other.id(), user.id(), ALL)).containsExactly(own);
  }

  // ---- erasure

  @Test
  void deletingCredentialsRemovesThePasswordAndTokensInEveryTenant() {
    Tenant first = savedTenant();
    Tenant second = savedTenant();
    User user = savedMember(first);
    storage().tenancy().insertMembership(membership(second, user));
    store().savePassword(user.id(), HASH);
    byte[] hash = secretHash();
    ApiToken inFirst = token(first, user);
    store().insertToken(inFirst, hash);
    ApiToken revoked = savedToken(first, user);
    store().revokeToken(first.id(), revoked.id(), nextInstant());
    ApiToken inSecond = savedToken(second, user);

    assertThat(store().deleteCredentials(user.id())).isEqualTo(4);

    assertThat(store().findPassword(user.id())).isEmpty();
    assertThat(store().findTokenByHash(hash)).isEmpty();
    assertThat(store().findToken(first.id(), inFirst.id())).isEmpty();
    assertThat(store().findToken(first.id(), revoked.id())).isEmpty();
    assertThat(store().findToken(second.id(), inSecond.id())).isEmpty();
    assertThat(store().listTokens(first.id(), user.id(), ALL)).isEmpty();
    assertThat(store().listTokens(second.id(), null, ALL)).isEmpty();
    assertThat(store().deleteCredentials(user.id())).isZero();
  }

  @Test
  void deletingCredentialsLeavesOtherUsersAlone() {
    Tenant tenant = savedTenant();
    User erased = savedMember(tenant);
    User other = savedMember(tenant);
    store().savePassword(erased.id(), HASH);
    store().savePassword(other.id(), OTHER_HASH);
    savedToken(tenant, erased);
    byte[] otherHash = secretHash();
    ApiToken othersToken = token(tenant, other);
    store().insertToken(othersToken, otherHash);

    assertThat(store().deleteCredentials(erased.id())).isEqualTo(2);

    assertThat(store().findPassword(other.id())).contains(new PasswordRecord(other.id(), OTHER_HASH, 0, null, null));
    assertThat(store().findTokenByHash(otherHash)).contains(othersToken);
    assertThat(store().listTokens(tenant.id(), null, ALL)).containsExactly(othersToken);
  }

  @Test
  void deletingCredentialsCountsWhatTheUserHad() {
    Tenant tenant = savedTenant();
    User passwordOnly = savedMember(tenant);
    store().savePassword(passwordOnly.id(), HASH);
    User tokensOnly = savedMember(tenant);
    savedToken(tenant, tokensOnly);
    savedToken(tenant, tokensOnly);
    User nothing = savedMember(tenant);

    assertThat(store().deleteCredentials(passwordOnly.id())).isEqualTo(1);
    assertThat(store().deleteCredentials(tokensOnly.id())).isEqualTo(2);
    assertThat(store().deleteCredentials(nothing.id())).isZero();
    assertThat(store().deleteCredentials(new UserId(randomId("usr_")))).isZero();
    assertThat(store().findPassword(passwordOnly.id())).isEmpty();
    assertThat(store().listTokens(tenant.id(), null, ALL)).isEmpty();
  }

  @Test
  void deletedCredentialsComeBackWhenTheUnitOfWorkRollsBack() {
    Tenant tenant = savedTenant();
    User user = savedMember(tenant);
    store().savePassword(user.id(), HASH);
    ApiToken token = savedToken(tenant, user);

    assertThatThrownBy(() -> storage().inTransaction(stores -> {
      assertThat(stores.credentials().deleteCredentials(user.id())).isEqualTo(2);
      throw new IllegalStateException("the erasure failed");
    })).isInstanceOf(IllegalStateException.class);

    assertThat(store().findPassword(user.id())).contains(new PasswordRecord(user.id(), HASH, 0, null, null));
    assertThat(store().findToken(tenant.id(), token.id())).contains(token);
  }

  // ---- helpers

  private CredentialStore store() {
    return storage().credentials();
  }

  private Instant lastUsedAt(Tenant tenant, ApiToken token) {
    return store().findToken(tenant.id(), token.id()).orElseThrow().lastUsedAt();
  }

  private Tenant savedTenant() {
    Tenant tenant = tenant();
    storage().tenancy().insertTenant(tenant);
    return tenant;
  }

  private User savedUser() {
    User user = user();
    storage().tenancy().insertUser(user);
    return user;
  }

  private User savedMember(Tenant tenant) {
    User user = savedUser();
    storage().tenancy().insertMembership(membership(tenant, user));
    return user;
  }

  private ApiToken savedToken(Tenant tenant, User user) {
    ApiToken token = token(tenant, user);
    store().insertToken(token, secretHash());
    return token;
  }
}
