package com.neurasea.tenancy;

import com.neurasea.internal.CommandValidator;
import com.neurasea.internal.Generations;
import com.neurasea.internal.IdGenerator;
import com.neurasea.internal.PasswordHasher;
import com.neurasea.internal.Times;
import com.neurasea.model.AccountStatus;
import com.neurasea.model.Caller;
import com.neurasea.model.CreateTenant;
import com.neurasea.model.CreateUser;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.LoginMethod;
import com.neurasea.model.Membership;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Permissions;
import com.neurasea.model.PrincipalKind;
import com.neurasea.model.Scope;
import com.neurasea.model.Tenant;
import com.neurasea.model.TenantId;
import com.neurasea.model.TenantStatus;
import com.neurasea.model.UpdateTenant;
import com.neurasea.model.UpdateUser;
import com.neurasea.model.User;
import com.neurasea.model.UserId;
import com.neurasea.permissions.PermissionService;
import com.neurasea.privacy.PrivacyLedger;
import com.neurasea.model.ProcessingKind;
import com.neurasea.model.ProcessingRecord;
import com.neurasea.spi.Storage;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Tenants, user accounts and memberships ({@link GroupService} has the groups).
 *
 * <p>Every call is checked against the caller: tenant-level calls act in {@code caller.tenantId()}
 * and need the named permission there; an id of another tenant answers exactly as an unknown id.
 * Creating and changing tenants and adding existing accounts to a tenant are platform operations.
 */
@Singleton
public final class TenancyService {
  private static final String USERNAME = "user.account.username";
  private static final String DISPLAY_NAME = "user.account.display_name";
  private static final String LOGIN_METHOD = "user.account.login_method";
  private static final String ACCOUNT_STATUS = "user.account.status";
  private static final String VERIFICATION = "user.account.verification_status";
  private static final String CREDENTIAL = "user.account.credential";
  private static final String EMAIL = "user.contact.email";
  private static final String PHONE = "user.contact.phone";
  private static final String MEMBERSHIP = "user.org.membership";

  private final Storage storage;
  private final Clock clock;
  private final Generations generations;
  private final CommandValidator validator;
  private final IdGenerator ids;
  private final PermissionService permissions;
  private final PasswordHasher passwords;
  private final MemberChecks checks;
  private final PrivacyLedger ledger;

  @Inject
  TenancyService(Storage storage, Clock clock, Generations generations, CommandValidator validator, IdGenerator ids,
      PermissionService permissions, PasswordHasher passwords, PrivacyLedger ledger) {
    this.storage = storage;
    this.clock = clock;
    this.generations = generations;
    this.validator = validator;
    this.ids = ids;
    this.permissions = permissions;
    this.passwords = passwords;
    this.checks = new MemberChecks(storage, permissions);
    this.ledger = ledger;
  }

  // ---------------------------------------------------------------- tenants

  /** Creates a tenant; a platform operation ({@code platform:tenants:manage}). */
  public Tenant createTenant(Caller caller, CreateTenant command) {
    Objects.requireNonNull(caller, "caller");
    validator.validate("tenant", command);
    permissions.require(Caller.platform(caller.principal()), Permissions.PLATFORM_TENANTS_MANAGE, Scope.platform());
    String zone = command.timeZone() == null ? "UTC" : checkZone(command.timeZone());
    Instant now = Times.now(clock);
    Tenant tenant = new Tenant(new TenantId(ids.next(TenantId.PREFIX)), command.slug(), command.name(),
        TenantStatus.ACTIVE, zone, now, now);
    storage.tenancy().insertTenant(tenant);
    return tenant;
  }

  /** Returns the caller's tenant ({@code tenant:read}). */
  public Tenant getTenant(Caller caller) {
    TenantId tenant = caller.requireTenant();
    permissions.require(caller, Permissions.TENANT_READ, Scope.tenant());
    return storage.tenancy().findTenant(tenant).orElseThrow(() -> NeuraSeaException.notFound("tenant"));
  }

  /** Changes the caller's tenant's name or time zone ({@code tenant:manage}). */
  public Tenant updateTenant(Caller caller, UpdateTenant command) {
    TenantId tenantId = caller.requireTenant();
    validator.validate("tenant", command);
    permissions.require(caller, Permissions.TENANT_MANAGE, Scope.tenant());
    Tenant current = storage.tenancy().findTenant(tenantId).orElseThrow(() -> NeuraSeaException.notFound("tenant"));
    Tenant updated = new Tenant(current.id(), current.slug(),
        command.name() == null ? current.name() : command.name(),
        current.status(),
        command.timeZone() == null ? current.timeZone() : checkZone(command.timeZone()),
        current.createdAt(), Times.now(clock));
    if (!storage.tenancy().updateTenant(updated)) {
      throw NeuraSeaException.notFound("tenant");
    }
    return updated;
  }

  /**
   * Lists tenants: every tenant for a platform administrator, otherwise the tenants the calling
   * user belongs to.
   */
  public List<Tenant> listTenants(Caller caller, PageRequest page) {
    Objects.requireNonNull(caller, "caller");
    Objects.requireNonNull(page, "page");
    if (permissions.check(Caller.platform(caller.principal()), Permissions.PLATFORM_TENANTS_MANAGE, Scope.platform())) {
      return storage.tenancy().listTenants(page);
    }
    if (caller.principal().kind() == PrincipalKind.API_TOKEN) {
      return storage.tenancy().findTenant(caller.principal().tokenTenantId()).stream().toList();
    }
    List<Tenant> mine = new ArrayList<>();
    List<Membership> memberships = storage.tenancy().listMemberships(caller.principal().userId());
    for (int i = page.offset(); i < memberships.size() && mine.size() < page.limit(); i++) {
      storage.tenancy().findTenant(memberships.get(i).tenantId()).ifPresent(mine::add);
    }
    return mine;
  }

  /**
   * Suspends, reactivates or closes a tenant; a platform operation. Suspension stops every principal
   * of the tenant at once; a closed tenant cannot be reopened.
   */
  public Tenant setTenantStatus(Caller caller, TenantId tenantId, TenantStatus status) {
    Objects.requireNonNull(caller, "caller");
    if (tenantId == null) {
      throw NeuraSeaException.invalid("tenantId", "must not be null");
    }
    if (status == null) {
      throw NeuraSeaException.invalid("status", "must be one of ACTIVE, SUSPENDED, CLOSED");
    }
    permissions.require(Caller.platform(caller.principal()), Permissions.PLATFORM_TENANTS_MANAGE, Scope.platform());
    Tenant current = storage.tenancy().findTenant(tenantId).orElseThrow(() -> NeuraSeaException.notFound("tenant"));
    if (current.status() == TenantStatus.CLOSED && status != TenantStatus.CLOSED) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "a closed tenant cannot be reopened");
    }
    Tenant updated = current.withStatus(status, Times.now(clock));
    if (!storage.tenancy().updateTenant(updated)) {
      throw NeuraSeaException.notFound("tenant");
    }
    generations.bumpTenant(tenantId);
    return updated;
  }

  // ---------------------------------------------------------------- users

  /**
   * Creates an account and makes it a member of the caller's tenant ({@code members:manage}). The
   * account, its membership and its password land together or not at all.
   */
  public User createUser(Caller caller, CreateUser command) {
    TenantId tenant = caller.requireTenant();
    validator.validate("user", command);
    permissions.require(caller, Permissions.MEMBERS_MANAGE, Scope.tenant());
    boolean passwordLogin = command.loginMethod() == LoginMethod.PASSWORD;
    if (passwordLogin && command.password() == null) {
      throw NeuraSeaException.invalid("password", "is required for the PASSWORD login method");
    }
    if (!passwordLogin && command.password() != null) {
      throw NeuraSeaException.invalid("password", "is only accepted for the PASSWORD login method");
    }
    String hash = passwordLogin ? passwords.hash(command.password()) : null;
    Instant now = Times.now(clock);
    User user = new User(new UserId(ids.next(UserId.PREFIX)), command.username(), emptyToNull(command.displayName()),
        emptyToNull(command.email()), emptyToNull(command.phone()), command.loginMethod(), null, null,
        AccountStatus.ACTIVE, now, now);
    storage.inTransaction(stores -> {
      stores.tenancy().insertUser(user);
      stores.tenancy().insertMembership(new Membership(tenant, user.id(), now));
      if (hash != null) {
        stores.credentials().savePassword(user.id(), hash);
      }
      List<String> categories = new ArrayList<>(List.of(USERNAME, LOGIN_METHOD, ACCOUNT_STATUS, MEMBERSHIP));
      if (user.displayName() != null) {
        categories.add(DISPLAY_NAME);
      }
      if (user.email() != null) {
        categories.add(EMAIL);
      }
      if (user.phone() != null) {
        categories.add(PHONE);
      }
      if (hash != null) {
        categories.add(CREDENTIAL);
      }
      ledger.record(stores, account(ProcessingKind.COLLECTION, caller, tenant, user.id(), categories)
          .reference("account:created").build());
      return null;
    });
    generations.bumpTenant(tenant);
    return user;
  }

  /** Returns an account: one's own, or a member of the caller's tenant ({@code members:read}). */
  public User getUser(Caller caller, UserId userId) {
    Objects.requireNonNull(caller, "caller");
    if (userId == null) {
      throw NeuraSeaException.invalid("userId", "must not be null");
    }
    if (!MemberChecks.isSelf(caller, userId)) {
      checks.requireMemberWith(caller, userId, Permissions.MEMBERS_READ);
    }
    return storage.tenancy().findUser(userId).orElseThrow(() -> NeuraSeaException.notFound("user"));
  }

  /**
   * Changes an account's profile: one's own, or a member's ({@code members:manage}) when the account
   * belongs to no other tenant (otherwise only the user or a platform administrator may). A changed
   * e-mail or phone loses its verification.
   */
  public User updateUser(Caller caller, UserId userId, UpdateUser command) {
    Objects.requireNonNull(caller, "caller");
    if (userId == null) {
      throw NeuraSeaException.invalid("userId", "must not be null");
    }
    validator.validate("user", command);
    if (!MemberChecks.isSelf(caller, userId)) {
      requireAccountAdmin(caller, userId);
    }
    User current = storage.tenancy().findUser(userId).orElseThrow(() -> NeuraSeaException.notFound("user"));
    User updated = current.withProfile(command, Times.now(clock));
    List<String> changed = new ArrayList<>();
    if (!Objects.equals(updated.displayName(), current.displayName())) {
      changed.add(DISPLAY_NAME);
    }
    if (!Objects.equals(updated.email(), current.email())) {
      changed.add(EMAIL);
    }
    if (!Objects.equals(updated.phone(), current.phone())) {
      changed.add(PHONE);
    }
    if (!Objects.equals(updated.emailVerifiedAt(), current.emailVerifiedAt())
        || !Objects.equals(updated.phoneVerifiedAt(), current.phoneVerifiedAt())) {
      changed.add(VERIFICATION);
    }
    storage.inTransaction(stores -> {
      if (!stores.tenancy().updateUser(updated)) {
        throw NeuraSeaException.notFound("user");
      }
      if (!changed.isEmpty()) {
        ledger.record(stores, account(ProcessingKind.RECTIFICATION, caller, caller.tenantId(), userId, changed)
            .build());
      }
      return null;
    });
    return updated;
  }

  /**
   * Activates, locks or disables a member's account ({@code members:manage}, same multi-tenant rule as
   * {@link #updateUser}). Takes effect on every session and token of the account at once.
   */
  public User setUserStatus(Caller caller, UserId userId, AccountStatus status) {
    Objects.requireNonNull(caller, "caller");
    if (userId == null) {
      throw NeuraSeaException.invalid("userId", "must not be null");
    }
    if (status == null) {
      throw NeuraSeaException.invalid("status", "must be one of PENDING, ACTIVE, LOCKED, DISABLED");
    }
    if (MemberChecks.isSelf(caller, userId)) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "an account cannot change its own status");
    }
    requireAccountAdmin(caller, userId);
    User current = storage.tenancy().findUser(userId).orElseThrow(() -> NeuraSeaException.notFound("user"));
    User updated = current.withStatus(status, Times.now(clock));
    storage.inTransaction(stores -> {
      stores.tenancy().updateUser(updated);
      if (status == AccountStatus.ACTIVE) {
        // Unlocking also clears an automatic lockout after failed sign-ins.
        stores.credentials().recordLoginFailure(userId, 0, null);
      }
      ledger.record(stores, account(ProcessingKind.COLLECTION, caller, caller.tenantId(), userId,
          List.of(ACCOUNT_STATUS)).reference("status:" + status.name()).build());
      return null;
    });
    generations.bumpAll();
    return updated;
  }

  /**
   * Sets a local password: one's own, or a member's under the same rule as {@link #updateUser}.
   * Resets the failed sign-in count and any lockout.
   */
  public void setPassword(Caller caller, UserId userId, String newPassword) {
    Objects.requireNonNull(caller, "caller");
    if (userId == null) {
      throw NeuraSeaException.invalid("userId", "must not be null");
    }
    if (newPassword == null || newPassword.length() < 12 || newPassword.length() > 256) {
      throw NeuraSeaException.invalid("password", "must be 12 to 256 characters");
    }
    if (!MemberChecks.isSelf(caller, userId)) {
      requireAccountAdmin(caller, userId);
    }
    User user = storage.tenancy().findUser(userId).orElseThrow(() -> NeuraSeaException.notFound("user"));
    if (user.loginMethod() != LoginMethod.PASSWORD) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "the account does not sign in with a password");
    }
    String hash = passwords.hash(newPassword);
    storage.inTransaction(stores -> {
      stores.credentials().savePassword(userId, hash);
      ledger.record(stores, account(ProcessingKind.COLLECTION, caller, caller.tenantId(), userId,
          List.of(CREDENTIAL)).build());
      return null;
    });
  }

  /** Records that the account's e-mail address was verified now (by the host's verification flow). */
  public User markEmailVerified(Caller caller, UserId userId) {
    return markVerified(caller, userId, true);
  }

  /** Records that the account's phone number was verified now (by the host's verification flow). */
  public User markPhoneVerified(Caller caller, UserId userId) {
    return markVerified(caller, userId, false);
  }

  /** Lists the caller's tenant's members ({@code members:read}). */
  public List<User> listMembers(Caller caller, PageRequest page) {
    TenantId tenant = caller.requireTenant();
    Objects.requireNonNull(page, "page");
    permissions.require(caller, Permissions.MEMBERS_READ, Scope.tenant());
    return storage.tenancy().listMembers(tenant, page);
  }

  /**
   * Adds an existing account to the caller's tenant; a platform operation
   * ({@code platform:users:manage}), since tenant administrators must not reach accounts of other
   * tenants.
   */
  public Membership addMember(Caller caller, UserId userId) {
    TenantId tenant = caller.requireTenant();
    if (userId == null) {
      throw NeuraSeaException.invalid("userId", "must not be null");
    }
    permissions.require(Caller.platform(caller.principal()), Permissions.PLATFORM_USERS_MANAGE, Scope.platform());
    if (storage.tenancy().findTenant(tenant).isEmpty()) {
      throw NeuraSeaException.notFound("tenant");
    }
    if (storage.tenancy().findUser(userId).isEmpty()) {
      throw NeuraSeaException.notFound("user");
    }
    Membership membership = new Membership(tenant, userId, Times.now(clock));
    storage.inTransaction(stores -> {
      stores.tenancy().insertMembership(membership);
      ledger.record(stores, account(ProcessingKind.COLLECTION, caller, tenant, userId, List.of(MEMBERSHIP))
          .build());
      return null;
    });
    generations.bumpTenant(tenant);
    return membership;
  }

  /**
   * Removes a member from the caller's tenant ({@code members:manage}), with its group memberships
   * and role bindings there, in one transaction. The account itself remains.
   */
  public void removeMember(Caller caller, UserId userId) {
    TenantId tenant = caller.requireTenant();
    if (userId == null) {
      throw NeuraSeaException.invalid("userId", "must not be null");
    }
    checks.requireMemberWith(caller, userId, Permissions.MEMBERS_MANAGE);
    storage.inTransaction(stores -> {
      stores.permissions().deleteBindingsOfUser(tenant, userId);
      if (!stores.tenancy().deleteMembership(tenant, userId)) {
        throw NeuraSeaException.notFound("user");
      }
      ledger.record(stores, account(ProcessingKind.ERASURE, caller, tenant, userId,
          List.of(MEMBERSHIP, "user.org.roles")).build());
      return null;
    });
    generations.bumpTenant(tenant);
  }

  // ---------------------------------------------------------------- internals

  private User markVerified(Caller caller, UserId userId, boolean email) {
    Objects.requireNonNull(caller, "caller");
    if (userId == null) {
      throw NeuraSeaException.invalid("userId", "must not be null");
    }
    requireAccountAdmin(caller, userId);
    User u = storage.tenancy().findUser(userId).orElseThrow(() -> NeuraSeaException.notFound("user"));
    String field = email ? "email" : "phone";
    if ((email ? u.email() : u.phone()) == null) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "the account has no " + field + " to verify");
    }
    Instant now = Times.now(clock);
    User updated = new User(u.id(), u.username(), u.displayName(), u.email(), u.phone(), u.loginMethod(),
        email ? now : u.emailVerifiedAt(), email ? u.phoneVerifiedAt() : now, u.status(), u.createdAt(), now);
    storage.inTransaction(stores -> {
      stores.tenancy().updateUser(updated);
      ledger.record(stores, account(ProcessingKind.COLLECTION, caller, caller.tenantId(), userId,
          List.of(VERIFICATION, email ? EMAIL : PHONE)).reference("verified:" + field).build());
      return null;
    });
    return updated;
  }

  /** Whether the caller may change a whole account: platform admin, or tenant admin of its only tenant. */
  private void requireAccountAdmin(Caller caller, UserId userId) {
    if (permissions.check(Caller.platform(caller.principal()), Permissions.PLATFORM_USERS_MANAGE, Scope.platform())) {
      if (storage.tenancy().findUser(userId).isEmpty()) {
        throw NeuraSeaException.notFound("user");
      }
      return;
    }
    checks.requireMemberWith(caller, userId, Permissions.MEMBERS_MANAGE);
    if (storage.tenancy().listMemberships(userId).size() > 1) {
      throw new NeuraSeaException(ErrorCode.PERMISSION_DENIED,
          "the account belongs to other tenants too; only the user or a platform administrator may change it");
    }
  }

  private static String checkZone(String zone) {
    try {
      return ZoneId.of(zone).getId();
    } catch (DateTimeException e) {
      throw NeuraSeaException.invalid("timeZone", "is not a known time zone id");
    }
  }

  /** A record of account processing by the tenancy module, for account security under the service contract. */
  private ProcessingRecord.Builder account(ProcessingKind kind, Caller caller, TenantId tenant, UserId subject,
      List<String> categories) {
    return ProcessingRecord.of(kind).module("tenancy").tenant(tenant).subject(subject).actor(caller.principal())
        .categories(categories).purpose("account_security", ledger.jurisdiction().contract());
  }

  private static String emptyToNull(String value) {
    return value == null || value.isEmpty() ? null : value;
  }

}
