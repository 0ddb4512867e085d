package com.neurasea.identity;

import com.neurasea.internal.CommandValidator;
import com.neurasea.internal.Generations;
import com.neurasea.internal.IdGenerator;
import com.neurasea.internal.PasswordHasher;
import com.neurasea.internal.Times;
import com.neurasea.model.AccountStatus;
import com.neurasea.model.ApiToken;
import com.neurasea.model.BindingId;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.CreateTenant;
import com.neurasea.model.CreateUser;
import com.neurasea.model.LoginMethod;
import com.neurasea.model.Membership;
import com.neurasea.model.RoleBinding;
import com.neurasea.model.Subject;
import com.neurasea.model.Tenant;
import com.neurasea.model.TenantStatus;
import com.neurasea.model.User;
import com.neurasea.model.Caller;
import com.neurasea.model.CreateToken;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.IssuedToken;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Permissions;
import com.neurasea.model.Principal;
import com.neurasea.model.PrincipalKind;
import com.neurasea.model.Scope;
import com.neurasea.model.TenantId;
import com.neurasea.model.TokenId;
import com.neurasea.model.UserId;
import com.neurasea.permissions.AccessCacheSettings;
import com.neurasea.permissions.PermissionService;
import com.neurasea.spi.CredentialStore;
import com.neurasea.spi.Credentials;
import com.neurasea.spi.IdentityProvider;
import com.neurasea.spi.KeyProvider;
import com.neurasea.spi.Storage;
import com.neurasea.spi.TokenCredentials;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import com.neurasea.model.ProcessingKind;
import com.neurasea.model.ProcessingRecord;
import com.neurasea.privacy.PrivacyLedger;
import java.util.Set;

/**
 * Authentication and API tokens.
 *
 * <p>{@link #authenticate} asks the built-in provider (local passwords and API tokens) and then each
 * provider the host added, in order; the first that handles the credentials decides. Tokens are
 * shown once at creation and stored only as keyed hashes; a verified token is served from memory,
 * and revocation, suspension of its tenant or a change of its account takes effect at once.
 */
@Singleton
public final class IdentityService implements AutoCloseable {
  private final Storage storage;
  private final Clock clock;
  private final Generations generations;
  private final CommandValidator validator;
  private final IdGenerator ids;
  private final PermissionService permissions;
  private final TokenSecrets secrets;
  private final TokenUseRecorder uses;
  private final List<IdentityProvider> providers;
  private final PrivacyLedger ledger;
  private final LocalIdentityProvider local;

  @Inject
  IdentityService(Storage storage, Clock clock, Generations generations, CommandValidator validator, IdGenerator ids,
      PermissionService permissions, PasswordHasher hasher, PasswordPolicy policy, KeyProvider keys,
      AccessCacheSettings cacheSettings, Set<IdentityProvider> extraProviders, PrivacyLedger ledger) {
    this.storage = storage;
    this.clock = clock;
    this.generations = generations;
    this.validator = validator;
    this.ids = ids;
    this.permissions = permissions;
    this.secrets = new TokenSecrets(keys);
    this.uses = new TokenUseRecorder(storage);
    this.ledger = ledger;
    List<IdentityProvider> all = new ArrayList<>();
    this.local = new LocalIdentityProvider(storage, clock, generations, hasher, policy, secrets, uses, cacheSettings,
        ledger);
    all.add(local);
    all.addAll(extraProviders);
    this.providers = List.copyOf(all);
  }

  /**
   * Authenticates credentials.
   *
   * @return the principal
   * @throws NeuraSeaException {@code UNAUTHENTICATED} for unknown, wrong, expired or revoked
   *     credentials; {@code FAILED_PRECONDITION} when the account or its tenant may not act;
   *     {@code PERMISSION_DENIED} when a token is used from an address outside its allow-list
   */
  public Principal authenticate(Credentials credentials) {
    if (credentials == null) {
      throw NeuraSeaException.unauthenticated();
    }
    for (IdentityProvider provider : providers) {
      Optional<Principal> principal = provider.authenticate(credentials);
      if (principal.isPresent()) {
        return principal.get();
      }
    }
    throw NeuraSeaException.unauthenticated();
  }

  /**
   * Authenticates an API token and returns its metadata with the principal, for callers that enforce
   * the token's own controls (the gateway checks its model allow-list). Expiry, revocation and the
   * address allow-list are checked here, as in {@link #authenticate}.
   *
   * @param credentials the bearer token, the client's address and user agent
   * @return the token and its principal
   * @throws NeuraSeaException as {@link #authenticate} does
   */
  public AuthenticatedToken authenticateToken(TokenCredentials credentials) {
    if (credentials == null) {
      throw NeuraSeaException.unauthenticated();
    }
    CachedToken cached = local.verifyToken(credentials);
    return new AuthenticatedToken(cached.principal, cached.token);
  }

  /** The names of the identity providers in the order they are asked. */
  public List<String> providerNames() {
    return providers.stream().map(IdentityProvider::name).toList();
  }

  /**
   * Creates an API token for the calling user in the caller's tenant ({@code tokens:create}).
   *
   * @return the token with its secret, which is never shown again
   */
  public IssuedToken createToken(Caller caller, CreateToken command) {
    TenantId tenant = caller.requireTenant();
    validator.validate("token", command);
    Principal principal = caller.principal();
    if (principal.kind() == PrincipalKind.SYSTEM) {
      throw NeuraSeaException.invalid("caller", "the system cannot own tokens; act as a user");
    }
    permissions.require(caller, Permissions.TOKENS_CREATE, Scope.tenant());
    Instant now = Times.now(clock);
    Instant expiresAt = Times.millis(command.expiresAt());
    if (expiresAt != null && !expiresAt.isAfter(now)) {
      throw NeuraSeaException.invalid("expiresAt", "must be in the future");
    }
    List<String> ipAllowList = command.ipAllowList() == null ? List.of() : command.ipAllowList();
    for (int i = 0; i < ipAllowList.size(); i++) {
      AddressRange.parse(ipAllowList.get(i), "ipAllowList[" + i + "]");
    }
    List<String> models = command.modelAllowList() == null ? List.of() : command.modelAllowList();
    return storage.inTransaction(stores -> {
      IssuedToken issued = mint(stores.credentials(), tenant, principal.userId(), command.name(), now, expiresAt,
          ipAllowList, models);
      ledger.record(stores, tokenRecord(principal, tenant, principal.userId(), issued.token().id(), "created"));
      return issued;
    });
  }

  /**
   * Lists API tokens in the caller's tenant: the caller's own, or with {@code all} every token of the
   * tenant ({@code tokens:read}).
   */
  public List<ApiToken> listTokens(Caller caller, boolean all, PageRequest page) {
    TenantId tenant = caller.requireTenant();
    Objects.requireNonNull(page, "page");
    if (all) {
      permissions.require(caller, Permissions.TOKENS_READ, Scope.tenant());
      return storage.credentials().listTokens(tenant, null, page);
    }
    permissions.requireTenantAccess(caller);
    UserId self = caller.principal().userId();
    return self == null ? List.of() : storage.credentials().listTokens(tenant, self, page);
  }

  /** Returns one token: one's own, or any of the tenant's with {@code tokens:read}. */
  public ApiToken getToken(Caller caller, TokenId tokenId) {
    return visibleToken(caller, tokenId, Permissions.TOKENS_READ);
  }

  /**
   * Revokes a token: one's own, or any of the tenant's with {@code tokens:manage}. Takes effect at
   * once on this instance.
   */
  public ApiToken revokeToken(Caller caller, TokenId tokenId) {
    TenantId tenant = caller.requireTenant();
    ApiToken token = visibleToken(caller, tokenId, Permissions.TOKENS_MANAGE);
    if (token.revokedAt() != null) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "the token is already revoked");
    }
    Instant now = Times.now(clock);
    storage.inTransaction(stores -> {
      if (!stores.credentials().revokeToken(tenant, tokenId, now)) {
        throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "the token is already revoked");
      }
      ledger.record(stores, tokenRecord(caller.principal(), tenant, token.userId(), tokenId, "revoked"));
      return null;
    });
    generations.bumpTenant(tenant);
    return new ApiToken(token.id(), token.tenantId(), token.userId(), token.name(), token.prefix(), token.createdAt(),
        token.expiresAt(), now, token.lastUsedAt(), token.ipAllowList(), token.modelAllowList());
  }

  /**
   * Creates the first platform administrator, unless an account with that username exists: a
   * tenant, a token-only account that is platform administrator and owner of the tenant, and an API
   * token for it, all in one transaction.
   *
   * @param adminUsername the administrator's username
   * @param tenantSlug the first tenant's slug
   * @return what was created, or empty when the administrator already exists
   */
  public Optional<BootstrapResult> bootstrap(String adminUsername, String tenantSlug) {
    validator.validate("admin", new CreateUser(adminUsername, null, null, null, LoginMethod.TOKEN_ONLY, null));
    validator.validate("tenant", new CreateTenant(tenantSlug, tenantSlug, null));
    Instant now = Times.now(clock);
    Optional<BootstrapResult> result = storage.inTransaction(stores -> {
      if (stores.tenancy().findUserByUsername(adminUsername).isPresent()) {
        return Optional.<BootstrapResult>empty();
      }
      Tenant tenant = new Tenant(new TenantId(ids.next(TenantId.PREFIX)), tenantSlug, tenantSlug,
          TenantStatus.ACTIVE, "UTC", now, now);
      stores.tenancy().insertTenant(tenant);
      User admin = new User(new UserId(ids.next(UserId.PREFIX)), adminUsername, "Platform administrator", null, null,
          LoginMethod.TOKEN_ONLY, null, null, AccountStatus.ACTIVE, now, now);
      stores.tenancy().insertUser(admin);
      stores.tenancy().insertMembership(new Membership(tenant.id(), admin.id(), now));
      stores.permissions().insertPlatformBinding(new RoleBinding(new BindingId(ids.next(BindingId.PREFIX)), null,
          Subject.user(admin.id()), BuiltInRole.PLATFORM_ADMIN.id(), Scope.platform(), now));
      stores.permissions().insertBinding(new RoleBinding(new BindingId(ids.next(BindingId.PREFIX)), tenant.id(),
          Subject.user(admin.id()), BuiltInRole.TENANT_OWNER.id(), Scope.tenant(), now));
      IssuedToken token = mint(stores.credentials(), tenant.id(), admin.id(), "bootstrap", now, null, List.of(),
          List.of());
      ledger.record(stores, ProcessingRecord.of(ProcessingKind.COLLECTION).module("identity").tenant(tenant.id())
          .subject(admin.id()).categories("user.account.username", "user.account.display_name",
              "user.account.login_method", "user.account.status", "user.org.membership", "user.org.roles",
              "user.org.tokens")
          .purpose("account_security", ledger.jurisdiction().contract()).reference("bootstrap").build());
      return Optional.of(new BootstrapResult(tenant, admin, token));
    });
    generations.bumpAll();
    return result;
  }

  /**
   * Issues a new API token for a platform administrator who lost theirs (the bootstrap token is
   * shown only once). Meant for operators with local access to the deployment: whoever can call
   * this Java API can read the database anyway. Hosts expose it as an explicit start-up option,
   * never over the network. Earlier tokens stay valid; revoke them once the new one works.
   *
   * @param adminUsername the administrator's username
   * @return the new token, bound to the administrator's first tenant
   * @throws NeuraSeaException {@code NOT_FOUND} for an unknown account; {@code FAILED_PRECONDITION} when
   *     the account is not an active platform administrator or belongs to no tenant
   */
  public IssuedToken issueRecoveryToken(String adminUsername) {
    if (adminUsername == null || adminUsername.isBlank()) {
      throw NeuraSeaException.invalid("adminUsername", "must not be blank");
    }
    User admin = storage.tenancy().findUserByUsername(adminUsername)
        .orElseThrow(() -> NeuraSeaException.notFound("user"));
    if (!permissions.isPlatformAdmin(Caller.platform(Principal.user(admin.id())))) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION,
          "'" + adminUsername + "' is not an active platform administrator");
    }
    List<Membership> memberships = storage.tenancy().listMemberships(admin.id());
    if (memberships.isEmpty()) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "'" + adminUsername + "' belongs to no tenant");
    }
    Instant now = Times.now(clock);
    TenantId tenant = memberships.get(0).tenantId();
    return storage.inTransaction(stores -> {
      IssuedToken issued = mint(stores.credentials(), tenant, admin.id(), "recovery " + now, now, null, List.of(),
          List.of());
      ledger.record(stores, tokenRecord(Principal.system(), tenant, admin.id(), issued.token().id(), "recovery"));
      return issued;
    });
  }

  private ProcessingRecord tokenRecord(Principal actor, TenantId tenant, UserId owner, TokenId tokenId, String what) {
    return ProcessingRecord.of(ProcessingKind.COLLECTION).module("identity").tenant(tenant).subject(owner)
        .actor(actor).categories("user.org.tokens").purpose("account_security", ledger.jurisdiction().contract())
        .reference("token:" + tokenId.value() + ":" + what).build();
  }

  /** Writes pending token last-used times now (also done periodically and on close). */
  public void flushTokenUse() {
    uses.flush();
  }

  /** Writes pending token last-used times. */
  @Override
  public void close() {
    uses.flush();
  }

  /** Makes a secret, stores the token with the secret's keyed hash, and returns both. */
  private IssuedToken mint(CredentialStore store, TenantId tenant, UserId user, String name, Instant now,
      Instant expiresAt, List<String> ipAllowList, List<String> modelAllowList) {
    String secret = secrets.newSecret();
    ApiToken token = new ApiToken(new TokenId(ids.next(TokenId.PREFIX)), tenant, user, name,
        secret.substring(0, TokenSecrets.DISPLAY_PREFIX_LENGTH), now, expiresAt, null, null, ipAllowList,
        modelAllowList);
    store.insertToken(token, secrets.hash(secret));
    return new IssuedToken(token, secret);
  }

  private ApiToken visibleToken(Caller caller, TokenId tokenId, String othersPermission) {
    TenantId tenant = caller.requireTenant();
    if (tokenId == null) {
      throw NeuraSeaException.invalid("tokenId", "must not be null");
    }
    permissions.requireTenantAccess(caller);
    ApiToken token = storage.credentials().findToken(tenant, tokenId)
        .orElseThrow(() -> NeuraSeaException.notFound("token"));
    if (!token.userId().equals(caller.principal().userId())) {
      if (!permissions.check(caller, othersPermission, Scope.tenant())) {
        throw NeuraSeaException.notFound("token");
      }
    }
    return token;
  }
}
