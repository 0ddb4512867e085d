package com.neurasea.spi;

import com.neurasea.model.Group;
import com.neurasea.model.GroupId;
import com.neurasea.model.Membership;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Tenant;
import com.neurasea.model.TenantId;
import com.neurasea.model.User;
import com.neurasea.model.UserId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Persistence of tenants, users, memberships and groups.
 *
 * <p>Contract shared by every method: inserts of a duplicate fail with a
 * {@link com.neurasea.model.NeuraSeaException} of code {@code CONFLICT} naming the field; lookups
 * scoped by tenant never return a row of another tenant; listings are ordered by creation time, then
 * id; an unavailable backend fails with code {@code UNAVAILABLE}. Text is stored and returned verbatim.
 */
public interface TenancyStore {
  /** Inserts a tenant; CONFLICT on a duplicate slug (field {@code slug}). */
  void insertTenant(Tenant tenant);

  /** Finds a tenant. */
  Optional<Tenant> findTenant(TenantId id);

  /** Lists tenants. */
  List<Tenant> listTenants(PageRequest page);

  /** Replaces a tenant's mutable fields (name, status, time zone, updatedAt); false if absent. */
  boolean updateTenant(Tenant tenant);

  /** Inserts a user; CONFLICT on a username already taken ignoring case (field {@code username}). */
  void insertUser(User user);

  /** Finds a user by id. */
  Optional<User> findUser(UserId id);

  /** Finds a user by username, ignoring case. */
  Optional<User> findUserByUsername(String username);

  /** Replaces a user's mutable fields (everything but id, username and createdAt); false if absent. */
  boolean updateUser(User user);

  /**
   * Changes a user's username: usernames are otherwise immutable, but an erased account's must be
   * replaced by an anonymous one.
   *
   * @param id the user
   * @param username the new username
   * @param at when
   * @return false if the user is absent
   * @throws com.neurasea.model.NeuraSeaException {@code CONFLICT} naming {@code username} when another
   *     user has it (ignoring case)
   */
  boolean renameUser(UserId id, String username, Instant at);

  /** Adds a membership; CONFLICT if the user is already a member (field {@code userId}). */
  void insertMembership(Membership membership);

  /** Finds a membership. */
  Optional<Membership> findMembership(TenantId tenantId, UserId userId);

  /** Removes a membership and the user's group memberships in that tenant; false if absent. */
  boolean deleteMembership(TenantId tenantId, UserId userId);

  /** Lists a tenant's members. */
  List<User> listMembers(TenantId tenantId, PageRequest page);

  /** Lists the tenants a user belongs to. */
  List<Membership> listMemberships(UserId userId);

  /** Inserts a group; CONFLICT on a sibling with the same name (field {@code name}). */
  void insertGroup(Group group);

  /** Finds a group of a tenant. */
  Optional<Group> findGroup(TenantId tenantId, GroupId groupId);

  /** Replaces a group's name and parent; CONFLICT on a sibling with the same name; false if absent. */
  boolean updateGroup(Group group);

  /** Deletes a group and its memberships; false if absent. Callers ensure it has no child groups. */
  boolean deleteGroup(TenantId tenantId, GroupId groupId);

  /** Lists a tenant's groups. */
  List<Group> listGroups(TenantId tenantId, PageRequest page);

  /** Lists a group's direct child groups. */
  List<Group> childGroups(TenantId tenantId, GroupId parentId);

  /**
   * The group and its ancestors, nearest first (the group itself at index 0); empty if the group
   * does not exist in the tenant.
   */
  List<GroupId> groupAndAncestors(TenantId tenantId, GroupId groupId);

  /** Adds a user to a group; CONFLICT if already a member (field {@code userId}). */
  void insertGroupMember(TenantId tenantId, GroupId groupId, UserId userId);

  /** Removes a user from a group; false if not a member. */
  boolean deleteGroupMember(TenantId tenantId, GroupId groupId, UserId userId);

  /** Lists a group's direct members. */
  List<UserId> listGroupMembers(TenantId tenantId, GroupId groupId, PageRequest page);

  /** The groups a user is a direct member of in a tenant. */
  List<GroupId> groupsOfUser(TenantId tenantId, UserId userId);
}
