package com.neurasea.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.neurasea.internal.Generations;
import com.neurasea.internal.PasswordHasher;
import com.neurasea.internal.Times;
import com.neurasea.model.AccountStatus;
import com.neurasea.model.ApiToken;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.LoginMethod;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.Principal;
import com.neurasea.model.TenantStatus;
import com.neurasea.model.User;
import com.neurasea.permissions.AccessCacheSettings;
import com.neurasea.spi.AccessFacts;
import com.neurasea.spi.Credentials;
import com.neurasea.spi.IdentityProvider;
import com.neurasea.spi.PasswordCredentials;
import com.neurasea.spi.PasswordRecord;
import com.neurasea.spi.Storage;
import com.neurasea.spi.TokenCredentials;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ArrayList;
import java.util.List;
import com.neurasea.model.ProcessingKind;
import com.neurasea.model.ProcessingRecord;
import com.neurasea.privacy.PrivacyLedger;

/**
 * The built-in identity provider: local Argon2id passwords with lockout after repeated failures,
 * and API tokens looked up by keyed hash and cached in memory (a verified token is re-checked
 * against expiry, its allow-list and the invalidation counters on every use).
 */
final class LocalIdentityProvider implements IdentityProvider {
  /**
   * A successful password sign-in from the same address and user agent is recorded in the privacy
   * ledger at most once per this interval (a host that sends Basic credentials with every request
   * would otherwise add an entry per request); failed sign-ins are always recorded.
   */
  static final Duration SIGN_IN_RECORD_INTERVAL = Duration.ofMinutes(15);
  private final Storage storage;
  private final Clock clock;
  private final Generations generations;
  private final PasswordHasher hasher;
  private final PasswordPolicy policy;
  private final TokenSecrets secrets;
  private final TokenUseRecorder uses;
  private final Cache<String, CachedToken> tokens;
  private final boolean caching;
  private final PrivacyLedger ledger;
  /** When each (account, address, user agent) sign-in was last recorded in the ledger. */
  private final Cache<String, Instant> recordedSignIns = Caffeine.newBuilder().maximumSize(100_000)
      .expireAfterWrite(SIGN_IN_RECORD_INTERVAL).build();

  LocalIdentityProvider(Storage storage, Clock clock, Generations generations, PasswordHasher hasher,
      PasswordPolicy policy, TokenSecrets secrets, TokenUseRecorder uses, AccessCacheSettings cacheSettings,
      PrivacyLedger ledger) {
    this.storage = storage;
    this.clock = clock;
    this.generations = generations;
    this.hasher = hasher;
    this.policy = policy;
    this.secrets = secrets;
    this.uses = uses;
    this.ledger = ledger;
    this.caching = cacheSettings.maximumSize() > 0;
    this.tokens = Caffeine.newBuilder()
        .maximumSize(cacheSettings.maximumSize())
        .expireAfterWrite(cacheSettings.expireAfterWrite())
        .build();
  }

  @Override
  public String name() {
    return "local";
  }

  @Override
  public Optional<Principal> authenticate(Credentials credentials) {
    if (credentials instanceof TokenCredentials token) {
      return Optional.of(authenticateToken(token));
    }
    if (credentials instanceof PasswordCredentials password) {
      return Optional.of(authenticatePassword(password));
    }
    return Optional.empty();
  }

  private Principal authenticateToken(TokenCredentials credentials) {
    return verifyToken(credentials).principal;
  }

  /** Verifies a bearer token against the cache (or the store), its expiry and its address allow-list. */
  CachedToken verifyToken(TokenCredentials credentials) {
    String secret = credentials.token();
    if (!TokenSecrets.wellFormed(secret)) {
      throw NeuraSeaException.unauthenticated();
    }
    CachedToken cached = caching ? tokens.getIfPresent(secret) : null;
    if (cached == null
        || cached.globalGeneration != generations.global()
        || cached.tenantGeneration != generations.tenant(cached.token.tenantId())) {
      cached = load(secret);
      if (caching) {
        tokens.put(secret, cached);
      }
    }
    long now = clock.millis();
    if (now >= cached.expiresAtMillis) {
      throw NeuraSeaException.unauthenticated();
    }
    if (!cached.allows(credentials.clientIp())) {
      throw new NeuraSeaException(ErrorCode.PERMISSION_DENIED, "this token may not be used from this address");
    }
    uses.used(cached, now);
    return cached;
  }

  private CachedToken load(String secret) {
    long global = generations.global();
    ApiToken token = storage.credentials().findTokenByHash(secrets.hash(secret))
        .orElseThrow(NeuraSeaException::unauthenticated);
    long tenantGeneration = generations.tenant(token.tenantId());
    if (token.revokedAt() != null) {
      throw NeuraSeaException.unauthenticated();
    }
    // One read for the tenant's and account's state, the same one permission checks use.
    AccessFacts facts = storage.accessOf(token.tenantId(), token.userId());
    if (facts.tenantStatus() == null || facts.userStatus() == null) {
      throw NeuraSeaException.unauthenticated();
    }
    if (facts.tenantStatus() != TenantStatus.ACTIVE) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "the token's tenant is not active");
    }
    if (facts.userStatus() != AccountStatus.ACTIVE) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "the token's account is not active");
    }
    if (!facts.member()) {
      throw NeuraSeaException.unauthenticated();
    }
    List<AddressRange> ranges = new ArrayList<>();
    for (String cidr : token.ipAllowList()) {
      ranges.add(AddressRange.parse(cidr, "ipAllowList"));
    }
    return new CachedToken(token, List.copyOf(ranges), global, tenantGeneration);
  }

  private Principal authenticatePassword(PasswordCredentials credentials) {
    String password = credentials.password() == null ? "" : credentials.password();
    Optional<User> found = credentials.username() == null
        ? Optional.empty()
        : storage.tenancy().findUserByUsername(credentials.username());
    Optional<PasswordRecord> record = found.filter(u -> u.loginMethod() == LoginMethod.PASSWORD)
        .flatMap(u -> storage.credentials().findPassword(u.id()));
    if (record.isEmpty()) {
      hasher.verifyDummy(password);
      throw NeuraSeaException.unauthenticated();
    }
    User user = found.get();
    PasswordRecord stored = record.get();
    Instant now = Times.now(clock);
    if (stored.lockedUntil() != null && now.isBefore(stored.lockedUntil())) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION,
          "the account is temporarily locked after repeated failed sign-ins; try again later");
    }
    if (!hasher.verify(password, stored.hash())) {
      int failures = stored.failedAttempts() + 1;
      Instant lockedUntil = failures >= policy.maxFailures() ? now.plus(policy.lockout()) : null;
      storage.inTransaction(stores -> {
        stores.credentials().recordLoginFailure(user.id(), lockedUntil == null ? failures : 0, lockedUntil);
        ledger.record(stores, signIn(user, credentials, "security_monitoring", "login:failed"));
        return null;
      });
      throw NeuraSeaException.unauthenticated();
    }
    if (user.status() != AccountStatus.ACTIVE) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION,
          "the account is " + user.status().name().toLowerCase(java.util.Locale.ROOT));
    }
    String signInKey = user.id().value() + '\n' + credentials.clientIp() + '\n' + credentials.userAgent();
    Instant lastRecorded = recordedSignIns.getIfPresent(signInKey);
    boolean recordSignIn = lastRecorded == null || !now.isBefore(lastRecorded.plus(SIGN_IN_RECORD_INTERVAL));
    storage.inTransaction(stores -> {
      stores.credentials().recordLoginSuccess(user.id(), now);
      if (recordSignIn) {
        ledger.record(stores, signIn(user, credentials, "account_security", "login:password"));
      }
      return null;
    });
    if (recordSignIn) {
      recordedSignIns.put(signInKey, now);
    }
    return Principal.user(user.id());
  }

  /**
   * The ledger record of a password sign-in: its time, and the client's address and user agent as
   * erasable details (the leaf only says they were collected).
   */
  private ProcessingRecord signIn(User user, PasswordCredentials credentials, String purpose, String reference) {
    List<String> categories = new ArrayList<>(List.of("user.usage.request_time"));
    String ip = clip(credentials.clientIp());
    String userAgent = clip(credentials.userAgent());
    if (ip != null) {
      categories.add("user.device.ip_address");
    }
    if (userAgent != null) {
      categories.add("user.device.user_agent");
    }
    return ProcessingRecord.of(ProcessingKind.COLLECTION).module("identity").subject(user.id())
        .actor(Principal.user(user.id())).categories(categories)
        .purpose(purpose, ledger.jurisdiction().security()).reference(reference)
        .detail("user.device.ip_address", ip).detail("user.device.user_agent", userAgent).build();
  }

  private static String clip(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    return value.length() > 512 ? value.substring(0, 512) : value;
  }
}
