package com.neurasea.permissions;

import com.neurasea.internal.AccessChecks;
import com.neurasea.internal.CommandValidator;
import com.neurasea.internal.Generations;
import com.neurasea.internal.IdGenerator;
import com.neurasea.internal.Times;
import com.neurasea.model.BindingId;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.Caller;
import com.neurasea.model.CreateBinding;
import com.neurasea.model.CreateRole;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.GroupId;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Permissions;
import com.neurasea.model.Principal;
import com.neurasea.model.PrincipalKind;
import com.neurasea.model.Role;
import com.neurasea.model.RoleBinding;
import com.neurasea.model.RoleId;
import com.neurasea.model.Scope;
import com.neurasea.model.ScopeKind;
import com.neurasea.model.Subject;
import com.neurasea.model.SubjectKind;
import com.neurasea.model.TenantId;
import com.neurasea.model.UserId;
import com.neurasea.spi.Storage;
import jakarta.inject.Provider;
import com.neurasea.spi.Stores;
import com.neurasea.privacy.PrivacyLedger;
import com.neurasea.model.ProcessingRecord;
import com.neurasea.model.ProcessingKind;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Roles, role bindings and permission checks.
 *
 * <p>A caller holds a permission at a resource (the tenant or one of its groups) when a binding of
 * the caller's user, or of a group the user belongs to (directly or through a descendant group),
 * grants a role whose patterns cover the permission, at the tenant scope or at a group scope that is
 * the resource or one of its ancestors. Platform-scope bindings apply everywhere. Checks are served
 * from a cache that every change made through this library invalidates at once.
 *
 * <p>Escalation guard: a caller can only create roles and bindings whose permissions it holds
 * itself at the binding's scope, and can only remove bindings it could have created.
 */
@Singleton
public final class PermissionService implements AccessChecks {
  private static final List<Role> BUILT_IN_ROLES =
      Arrays.stream(BuiltInRole.values()).map(BuiltInRole::toRole).toList();

  /** A provider: the ledger checks permissions through this service, so it is built after it. */
  private final Provider<PrivacyLedger> ledger;
  private final Storage storage;
  private final Clock clock;
  private final Generations generations;
  private final CommandValidator validator;
  private final IdGenerator ids;
  private final AccessResolver resolver;

  @Inject
  PermissionService(Storage storage, Clock clock, Generations generations, CommandValidator validator,
      IdGenerator ids, AccessCacheSettings cacheSettings, Provider<PrivacyLedger> ledger) {
    this.ledger = ledger;
    this.storage = storage;
    this.clock = clock;
    this.generations = generations;
    this.validator = validator;
    this.ids = ids;
    this.resolver = new AccessResolver(storage, generations, cacheSettings);
  }

  /** Writes the library's built-in roles to the store so bindings and grant queries can use them. */
  public void syncBuiltInRoles() {
    storage.permissions().syncBuiltInRoles(BUILT_IN_ROLES);
    generations.bumpAll();
  }

  /**
   * Whether the caller holds a permission at a resource of its tenant.
   *
   * @param caller who is asking, and in which tenant
   * @param permission a concrete permission such as {@code tokens:create} or {@code models:use:gpt-4o}
   * @param resource {@link Scope#tenant()}, a group of the caller's tenant, or {@link Scope#platform()}
   * @return true if held; false otherwise, including when the caller may not act in the tenant at all
   */
  @Override
  public boolean check(Caller caller, String permission, Scope resource) {
    Objects.requireNonNull(caller, "caller");
    Objects.requireNonNull(permission, "permission");
    Objects.requireNonNull(resource, "resource");
    if (caller.principal().kind() == PrincipalKind.SYSTEM) {
      return true;
    }
    AccessSnapshot snapshot = snapshot(caller);
    return holds(caller, snapshot, permission, resource);
  }

  /**
   * Requires a permission, failing the way a caller should see it.
   *
   * @throws NeuraSeaException {@code NOT_FOUND} when the caller cannot see the tenant at all,
   *     {@code FAILED_PRECONDITION} when the tenant is suspended or closed, {@code UNAUTHENTICATED}
   *     when the account is no longer active, {@code PERMISSION_DENIED} otherwise
   */
  @Override
  public void require(Caller caller, String permission, Scope resource) {
    Objects.requireNonNull(caller, "caller");
    Objects.requireNonNull(permission, "permission");
    Objects.requireNonNull(resource, "resource");
    if (caller.principal().kind() == PrincipalKind.SYSTEM) {
      return;
    }
    AccessSnapshot snapshot = snapshot(caller);
    if (holds(caller, snapshot, permission, resource)) {
      return;
    }
    throw refusal(caller, snapshot, permission);
  }

  /**
   * Requires that the caller may act in its tenant at all (an active member, or a platform
   * administrator), without naming a permission.
   */
  @Override
  public void requireTenantAccess(Caller caller) {
    caller.requireTenant();
    if (caller.principal().kind() == PrincipalKind.SYSTEM) {
      return;
    }
    AccessSnapshot snapshot = snapshot(caller);
    if (snapshot.state() == AccessState.ACTIVE || isPlatformAdmin(snapshot)) {
      return;
    }
    throw refusal(caller, snapshot, null);
  }

  /**
   * The permission patterns the caller holds at a resource, sorted.
   *
   * @param caller who is asking
   * @param resource the tenant, a group of it, or the platform
   * @return the patterns (e.g. {@code models:use:gpt-4o*}); empty when the caller holds none
   */
  public Set<String> listPermitted(Caller caller, Scope resource) {
    Objects.requireNonNull(caller, "caller");
    Objects.requireNonNull(resource, "resource");
    if (caller.principal().kind() == PrincipalKind.SYSTEM) {
      return Set.of("*");
    }
    AccessSnapshot snapshot = snapshot(caller);
    Set<String> result = new TreeSet<>();
    for (GrantSet set : holdings(caller, snapshot, resource)) {
      result.addAll(set.patterns());
    }
    return result;
  }

  /** Whether the caller is an active platform administrator. */
  public boolean isPlatformAdmin(Caller caller) {
    if (caller.principal().kind() == PrincipalKind.SYSTEM) {
      return true;
    }
    return isPlatformAdmin(snapshot(Caller.platform(caller.principal())));
  }

  // ---------------------------------------------------------------- roles

  /** Creates a custom role in the caller's tenant; needs {@code roles:manage} and every permission it grants. */
  public Role createRole(Caller caller, CreateRole command) {
    TenantId tenant = caller.requireTenant();
    validator.validate("role", command);
    require(caller, Permissions.ROLES_MANAGE, Scope.tenant());
    guardEscalation(caller, command.permissions(), Scope.tenant());
    if (isBuiltInName(command.name())) {
      throw NeuraSeaException.conflict("name", "a built-in role is named " + command.name());
    }
    Role role = new Role(new RoleId(ids.next(RoleId.PREFIX)), tenant, command.name(), command.description(),
        command.permissions(), false, Times.now(clock));
    storage.permissions().insertRole(role);
    return role;
  }

  /** Replaces a custom role's description and permissions; the name cannot change. */
  public Role updateRole(Caller caller, RoleId roleId, CreateRole command) {
    TenantId tenant = caller.requireTenant();
    Objects.requireNonNull(roleId, "roleId");
    validator.validate("role", command);
    require(caller, Permissions.ROLES_MANAGE, Scope.tenant());
    Role existing = visibleRole(tenant, roleId);
    if (existing.builtIn()) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "built-in roles cannot be changed");
    }
    if (!existing.name().equals(command.name())) {
      throw NeuraSeaException.invalid("name", "a role cannot be renamed");
    }
    // Both what is removed and what is added must be within the caller's reach.
    guardEscalation(caller, existing.permissions(), Scope.tenant());
    guardEscalation(caller, command.permissions(), Scope.tenant());
    Role updated = new Role(roleId, tenant, existing.name(), command.description(), command.permissions(), false,
        existing.createdAt());
    if (!storage.permissions().updateRole(updated)) {
      throw NeuraSeaException.notFound("role");
    }
    generations.bumpTenant(tenant);
    return updated;
  }

  /** Deletes a custom role; CONFLICT while a binding still uses it. */
  public void deleteRole(Caller caller, RoleId roleId) {
    TenantId tenant = caller.requireTenant();
    Objects.requireNonNull(roleId, "roleId");
    require(caller, Permissions.ROLES_MANAGE, Scope.tenant());
    Role existing = visibleRole(tenant, roleId);
    if (existing.builtIn()) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "built-in roles cannot be deleted");
    }
    guardEscalation(caller, existing.permissions(), Scope.tenant());
    if (!storage.permissions().deleteRole(tenant, roleId)) {
      throw NeuraSeaException.notFound("role");
    }
    generations.bumpTenant(tenant);
  }

  /** Returns a built-in role or a custom role of the caller's tenant. */
  public Role getRole(Caller caller, RoleId roleId) {
    TenantId tenant = caller.requireTenant();
    Objects.requireNonNull(roleId, "roleId");
    require(caller, Permissions.ROLES_READ, Scope.tenant());
    return visibleRole(tenant, roleId);
  }

  /** Lists the built-in roles and the caller's tenant's custom roles. */
  public List<Role> listRoles(Caller caller) {
    TenantId tenant = caller.requireTenant();
    require(caller, Permissions.ROLES_READ, Scope.tenant());
    return storage.permissions().listRoles(tenant);
  }

  // ---------------------------------------------------------------- bindings

  /**
   * Grants a role to a user or group of the caller's tenant at the tenant or a group scope; or, for
   * a platform administrator, {@code platform_admin} to a user at platform scope.
   */
  public RoleBinding createBinding(Caller caller, CreateBinding command) {
    validator.validate("binding", command);
    if (command.scope().kind() == ScopeKind.PLATFORM) {
      return createPlatformBinding(caller, command);
    }
    TenantId tenant = caller.requireTenant();
    requireTenantAccess(caller);
    requireScopeExists(tenant, command.scope());
    require(caller, Permissions.BINDINGS_MANAGE, command.scope());
    requireSubjectExists(tenant, command.subject());
    Role role = visibleRole(tenant, command.roleId());
    if (role.id().equals(BuiltInRole.PLATFORM_ADMIN.id())) {
      throw NeuraSeaException.invalid("roleId", "platform_admin can only be bound at platform scope");
    }
    guardEscalation(caller, role.permissions(), command.scope());
    RoleBinding binding = new RoleBinding(new BindingId(ids.next(BindingId.PREFIX)), tenant, command.subject(),
        role.id(), command.scope(), Times.now(clock));
    storage.inTransaction(stores -> {
      stores.permissions().insertBinding(binding);
      recordBinding(stores, ProcessingKind.COLLECTION, caller, binding);
      return null;
    });
    generations.bumpTenant(tenant);
    return binding;
  }

  /** Removes a binding; the caller must hold {@code bindings:manage} and every permission the role grants. */
  public void deleteBinding(Caller caller, BindingId bindingId) {
    TenantId tenant = caller.requireTenant();
    Objects.requireNonNull(bindingId, "bindingId");
    requireTenantAccess(caller);
    RoleBinding binding = storage.permissions().findBinding(tenant, bindingId)
        .orElseThrow(() -> NeuraSeaException.notFound("binding"));
    require(caller, Permissions.BINDINGS_MANAGE, binding.scope());
    storage.permissions().findRole(tenant, binding.roleId())
        .ifPresent(role -> guardEscalation(caller, role.permissions(), binding.scope()));
    storage.inTransaction(stores -> {
      if (!stores.permissions().deleteBinding(tenant, bindingId)) {
        throw NeuraSeaException.notFound("binding");
      }
      recordBinding(stores, ProcessingKind.ERASURE, caller, binding);
      return null;
    });
    generations.bumpTenant(tenant);
  }

  /** A user's role binding is organization and permission information about them (policy section 1). */
  private void recordBinding(Stores stores, ProcessingKind kind, Caller caller, RoleBinding binding) {
    if (binding.subject().kind() != SubjectKind.USER) {
      return;
    }
    PrivacyLedger privacy = ledger.get();
    privacy.record(stores, ProcessingRecord.of(kind).module("permissions").tenant(binding.tenantId())
        .subject(new UserId(binding.subject().id())).actor(caller.principal()).categories("user.org.roles")
        .purpose("account_security", privacy.jurisdiction().contract())
        .reference("binding:" + binding.id().value()).build());
  }

  /** Lists the caller's tenant's bindings, or one subject's when {@code subject} is not null. */
  public List<RoleBinding> listBindings(Caller caller, Subject subject, PageRequest page) {
    TenantId tenant = caller.requireTenant();
    Objects.requireNonNull(page, "page");
    require(caller, Permissions.BINDINGS_READ, Scope.tenant());
    return storage.permissions().listBindings(tenant, subject, page);
  }

  // ---------------------------------------------------------------- internals

  private RoleBinding createPlatformBinding(Caller caller, CreateBinding command) {
    if (!isPlatformAdmin(caller)) {
      throw NeuraSeaException.denied("*");
    }
    if (command.subject().kind() != SubjectKind.USER) {
      throw NeuraSeaException.invalid("subject.kind", "a platform binding's subject must be a user");
    }
    if (!command.roleId().equals(BuiltInRole.PLATFORM_ADMIN.id())) {
      throw NeuraSeaException.invalid("roleId", "only platform_admin can be bound at platform scope");
    }
    UserId userId = new UserId(command.subject().id());
    if (storage.tenancy().findUser(userId).isEmpty()) {
      throw NeuraSeaException.notFound("user");
    }
    RoleBinding binding = new RoleBinding(new BindingId(ids.next(BindingId.PREFIX)), null, command.subject(),
        command.roleId(), Scope.platform(), Times.now(clock));
    storage.permissions().insertPlatformBinding(binding);
    generations.bumpAll();
    return binding;
  }

  private AccessSnapshot snapshot(Caller caller) {
    Principal principal = caller.principal();
    boolean platformOnly = principal.kind() == PrincipalKind.API_TOKEN
        && caller.tenantId() != null
        && !caller.tenantId().equals(principal.tokenTenantId());
    return resolver.snapshot(new AccessKey(principal.userId(), caller.tenantId(), platformOnly));
  }

  private boolean holds(Caller caller, AccessSnapshot snapshot, String permission, Scope resource) {
    if (snapshot.platform().matches(permission)) {
      return true;
    }
    if (resource.kind() == ScopeKind.PLATFORM || caller.tenantId() == null || snapshot.state() != AccessState.ACTIVE) {
      return false;
    }
    if (snapshot.tenant().matches(permission)) {
      return true;
    }
    if (resource.kind() == ScopeKind.GROUP && !snapshot.groups().isEmpty()) {
      return snapshot.matchesInGroups(permission, resolver.groupAndAncestors(caller.tenantId(), resource.groupId()));
    }
    return false;
  }

  private List<GrantSet> holdings(Caller caller, AccessSnapshot snapshot, Scope resource) {
    List<GrantSet> sets = new ArrayList<>();
    sets.add(snapshot.platform());
    if (resource.kind() == ScopeKind.PLATFORM || caller.tenantId() == null || snapshot.state() != AccessState.ACTIVE) {
      return sets;
    }
    sets.add(snapshot.tenant());
    if (resource.kind() == ScopeKind.GROUP) {
      for (GroupId group : resolver.groupAndAncestors(caller.tenantId(), resource.groupId())) {
        GrantSet set = snapshot.groups().get(group);
        if (set != null) {
          sets.add(set);
        }
      }
    }
    return sets;
  }

  private NeuraSeaException refusal(Caller caller, AccessSnapshot snapshot, String permission) {
    return switch (snapshot.state()) {
      case USER_INACTIVE -> new NeuraSeaException(ErrorCode.UNAUTHENTICATED, "the account is not active");
      case NOT_MEMBER -> caller.tenantId() == null && permission != null
          ? NeuraSeaException.denied(permission)
          : NeuraSeaException.notFound("tenant");
      case TENANT_INACTIVE -> new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "the tenant is not active");
      case ACTIVE -> NeuraSeaException.denied(permission);
    };
  }

  private void guardEscalation(Caller caller, Set<String> granted, Scope scope) {
    if (caller.principal().kind() == PrincipalKind.SYSTEM) {
      return;
    }
    List<GrantSet> held = holdings(caller, snapshot(caller), scope);
    for (String permission : new TreeSet<>(granted)) {
      boolean covered = false;
      for (GrantSet set : held) {
        if (set.matches(permission)) {
          covered = true;
          break;
        }
      }
      if (!covered) {
        throw new NeuraSeaException(ErrorCode.PERMISSION_DENIED,
            "cannot grant " + permission + ": the caller does not hold it at that scope");
      }
    }
  }

  private static boolean isPlatformAdmin(AccessSnapshot snapshot) {
    return snapshot.state() != AccessState.USER_INACTIVE && snapshot.platform().matches("*");
  }

  private Role visibleRole(TenantId tenant, RoleId roleId) {
    return storage.permissions().findRole(tenant, roleId).orElseThrow(() -> NeuraSeaException.notFound("role"));
  }

  private void requireScopeExists(TenantId tenant, Scope scope) {
    if (scope.kind() == ScopeKind.GROUP && storage.tenancy().findGroup(tenant, scope.groupId()).isEmpty()) {
      throw NeuraSeaException.notFound("group");
    }
  }

  private void requireSubjectExists(TenantId tenant, Subject subject) {
    boolean exists = subject.kind() == SubjectKind.USER
        ? storage.tenancy().findMembership(tenant, new UserId(subject.id())).isPresent()
        : storage.tenancy().findGroup(tenant, new GroupId(subject.id())).isPresent();
    if (!exists) {
      throw NeuraSeaException.notFound(subject.kind() == SubjectKind.USER ? "user" : "group");
    }
  }

  private static boolean isBuiltInName(String name) {
    for (BuiltInRole role : BuiltInRole.values()) {
      if (role.roleName().equals(name)) {
        return true;
      }
    }
    return false;
  }
}
