package com.neurasea.tenancy;

import com.neurasea.internal.CommandValidator;
import com.neurasea.internal.Generations;
import com.neurasea.internal.IdGenerator;
import com.neurasea.internal.Times;
import com.neurasea.model.Caller;
import com.neurasea.model.CreateGroup;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.FieldError;
import com.neurasea.model.Group;
import com.neurasea.model.GroupId;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Permissions;
import com.neurasea.model.Scope;
import com.neurasea.model.TenantId;
import com.neurasea.model.User;
import com.neurasea.model.UserId;
import com.neurasea.model.ProcessingKind;
import com.neurasea.model.ProcessingRecord;
import com.neurasea.permissions.PermissionService;
import com.neurasea.privacy.PrivacyLedger;
import com.neurasea.spi.Storage;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Groups inside a tenant: nestable, with direct membership. A binding scoped to a group covers its
 * descendants; a binding whose subject is a group covers the members of its descendant groups.
 * Managing a subtree needs {@code groups:manage} at its root; an id of another tenant answers
 * exactly as an unknown id.
 */
@Singleton
public final class GroupService {
  /** Deepest group nesting accepted. */
  public static final int MAX_GROUP_DEPTH = 32;

  private final PrivacyLedger ledger;
  private final Storage storage;
  private final Clock clock;
  private final Generations generations;
  private final CommandValidator validator;
  private final IdGenerator ids;
  private final PermissionService permissions;
  private final MemberChecks checks;

  @Inject
  GroupService(Storage storage, Clock clock, Generations generations, CommandValidator validator, IdGenerator ids,
      PermissionService permissions, PrivacyLedger ledger) {
    this.ledger = ledger;
    this.storage = storage;
    this.clock = clock;
    this.generations = generations;
    this.validator = validator;
    this.ids = ids;
    this.permissions = permissions;
    this.checks = new MemberChecks(storage, permissions);
  }

  /** Creates a group ({@code groups:manage} at the parent, or the tenant for a top-level group). */
  public Group createGroup(Caller caller, CreateGroup command) {
    TenantId tenant = caller.requireTenant();
    validator.validate("group", command);
    permissions.requireTenantAccess(caller);
    Scope scope = Scope.tenant();
    if (command.parentId() != null) {
      requireDepth(tenant, command.parentId(), "parentId");
      scope = Scope.group(command.parentId());
    }
    permissions.require(caller, Permissions.GROUPS_MANAGE, scope);
    Group group = new Group(new GroupId(ids.next(GroupId.PREFIX)), tenant, command.name(), command.parentId(),
        Times.now(clock));
    storage.tenancy().insertGroup(group);
    generations.bumpTenant(tenant);
    return group;
  }

  /** Returns a group of the caller's tenant ({@code groups:read}). */
  public Group getGroup(Caller caller, GroupId groupId) {
    TenantId tenant = caller.requireTenant();
    Group group = existingGroup(caller, tenant, groupId);
    permissions.require(caller, Permissions.GROUPS_READ, Scope.group(groupId));
    return group;
  }

  /** Lists the caller's tenant's groups ({@code groups:read}). */
  public List<Group> listGroups(Caller caller, PageRequest page) {
    TenantId tenant = caller.requireTenant();
    Objects.requireNonNull(page, "page");
    permissions.require(caller, Permissions.GROUPS_READ, Scope.tenant());
    return storage.tenancy().listGroups(tenant, page);
  }

  /**
   * Renames or moves a group ({@code groups:manage} at the tenant). Moving a group under itself or
   * one of its descendants is refused.
   */
  public Group updateGroup(Caller caller, GroupId groupId, CreateGroup command) {
    TenantId tenant = caller.requireTenant();
    validator.validate("group", command);
    Group current = existingGroup(caller, tenant, groupId);
    permissions.require(caller, Permissions.GROUPS_MANAGE, Scope.tenant());
    if (command.parentId() != null) {
      List<GroupId> chain = requireDepth(tenant, command.parentId(), "parentId");
      if (chain.contains(groupId)) {
        throw NeuraSeaException.invalid("parentId", "a group cannot be moved under itself or its descendants");
      }
    }
    Group updated = new Group(groupId, tenant, command.name(), command.parentId(), current.createdAt());
    if (!storage.tenancy().updateGroup(updated)) {
      throw NeuraSeaException.notFound("group");
    }
    generations.bumpTenant(tenant);
    return updated;
  }

  /**
   * Deletes a group with its memberships and the bindings that name it ({@code groups:manage} at the
   * group). A group with child groups cannot be deleted.
   */
  public void deleteGroup(Caller caller, GroupId groupId) {
    TenantId tenant = caller.requireTenant();
    existingGroup(caller, tenant, groupId);
    permissions.require(caller, Permissions.GROUPS_MANAGE, Scope.group(groupId));
    if (!storage.tenancy().childGroups(tenant, groupId).isEmpty()) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "the group has child groups; delete or move them first");
    }
    storage.inTransaction(stores -> {
      stores.permissions().deleteBindingsOfGroup(tenant, groupId.value());
      if (!stores.tenancy().deleteGroup(tenant, groupId)) {
        throw NeuraSeaException.notFound("group");
      }
      return null;
    });
    generations.bumpTenant(tenant);
  }

  /** Adds a member of the tenant to a group ({@code groups:manage} at the group). */
  public void addGroupMember(Caller caller, GroupId groupId, UserId userId) {
    TenantId tenant = caller.requireTenant();
    existingGroup(caller, tenant, groupId);
    permissions.require(caller, Permissions.GROUPS_MANAGE, Scope.group(groupId));
    checks.requireMember(tenant, userId);
    storage.inTransaction(stores -> {
      stores.tenancy().insertGroupMember(tenant, groupId, userId);
      ledger.record(stores, groupRecord(ProcessingKind.COLLECTION, caller, tenant, userId, groupId));
      return null;
    });
    generations.bumpTenant(tenant);
  }

  /** Removes a user from a group ({@code groups:manage} at the group). */
  public void removeGroupMember(Caller caller, GroupId groupId, UserId userId) {
    TenantId tenant = caller.requireTenant();
    existingGroup(caller, tenant, groupId);
    permissions.require(caller, Permissions.GROUPS_MANAGE, Scope.group(groupId));
    if (userId == null) {
      throw NeuraSeaException.notFound("user");
    }
    storage.inTransaction(stores -> {
      if (!stores.tenancy().deleteGroupMember(tenant, groupId, userId)) {
        throw NeuraSeaException.notFound("user");
      }
      ledger.record(stores, groupRecord(ProcessingKind.ERASURE, caller, tenant, userId, groupId));
      return null;
    });
    generations.bumpTenant(tenant);
  }

  private ProcessingRecord groupRecord(ProcessingKind kind, Caller caller, TenantId tenant, UserId userId,
      GroupId groupId) {
    return ProcessingRecord.of(kind).module("tenancy").tenant(tenant).subject(userId).actor(caller.principal())
        .categories("user.org.groups").purpose("account_security", ledger.jurisdiction().contract())
        .reference("group:" + groupId.value()).build();
  }

  /** Lists a group's direct members ({@code groups:read} at the group). */
  public List<User> listGroupMembers(Caller caller, GroupId groupId, PageRequest page) {
    TenantId tenant = caller.requireTenant();
    Objects.requireNonNull(page, "page");
    existingGroup(caller, tenant, groupId);
    permissions.require(caller, Permissions.GROUPS_READ, Scope.group(groupId));
    List<User> users = new ArrayList<>();
    for (UserId id : storage.tenancy().listGroupMembers(tenant, groupId, page)) {
      storage.tenancy().findUser(id).ifPresent(users::add);
    }
    return users;
  }

  /** The groups the user belongs to directly in the caller's tenant (one's own, or {@code groups:read}). */
  public List<Group> groupsOfUser(Caller caller, UserId userId) {
    TenantId tenant = caller.requireTenant();
    if (MemberChecks.isSelf(caller, userId)) {
      permissions.requireTenantAccess(caller);
    } else {
      checks.requireMemberWith(caller, userId, Permissions.GROUPS_READ);
    }
    List<Group> groups = new ArrayList<>();
    for (GroupId id : storage.tenancy().groupsOfUser(tenant, userId)) {
      storage.tenancy().findGroup(tenant, id).ifPresent(groups::add);
    }
    return groups;
  }

  private Group existingGroup(Caller caller, TenantId tenant, GroupId groupId) {
    if (groupId == null) {
      throw NeuraSeaException.invalid("groupId", "must not be null");
    }
    permissions.requireTenantAccess(caller);
    Optional<Group> group = storage.tenancy().findGroup(tenant, groupId);
    return group.orElseThrow(() -> NeuraSeaException.notFound("group"));
  }

  private List<GroupId> requireDepth(TenantId tenant, GroupId parentId, String field) {
    List<GroupId> chain = storage.tenancy().groupAndAncestors(tenant, parentId);
    if (chain.isEmpty()) {
      throw new NeuraSeaException(ErrorCode.NOT_FOUND, "parent group not found",
          List.of(new FieldError(field, "not found")), null);
    }
    if (chain.size() >= MAX_GROUP_DEPTH) {
      throw NeuraSeaException.invalid(field, "groups nest at most " + MAX_GROUP_DEPTH + " deep");
    }
    return chain;
  }
}
