package com.neurasea.spi;

import com.neurasea.model.BindingId;
import com.neurasea.model.Grant;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Role;
import com.neurasea.model.RoleBinding;
import com.neurasea.model.RoleId;
import com.neurasea.model.Subject;
import com.neurasea.model.TenantId;
import com.neurasea.model.UserId;
import java.util.List;
import java.util.Optional;

/** Persistence of roles and role bindings, and the query that resolves a user's grants. */
public interface PermissionStore {
  /** Creates or replaces the built-in roles (roles without a tenant) so stored rows match the library. */
  void syncBuiltInRoles(List<Role> builtInRoles);

  /** Inserts a custom role; CONFLICT on a duplicate name in the tenant (field {@code name}). */
  void insertRole(Role role);

  /** Finds a role visible in a tenant: a built-in role or one of the tenant's custom roles. */
  Optional<Role> findRole(TenantId tenantId, RoleId roleId);

  /** Lists the built-in roles and the tenant's custom roles. */
  List<Role> listRoles(TenantId tenantId);

  /** Replaces a custom role's description and permissions; false if absent. */
  boolean updateRole(Role role);

  /** Deletes a custom role; CONFLICT if a binding still uses it (field {@code roleId}); false if absent. */
  boolean deleteRole(TenantId tenantId, RoleId roleId);

  /** Inserts a binding; CONFLICT on the same subject, role and scope bound twice (field {@code roleId}). */
  void insertBinding(RoleBinding binding);

  /** Finds a binding of a tenant. */
  Optional<RoleBinding> findBinding(TenantId tenantId, BindingId bindingId);

  /** Lists a tenant's bindings, or only one subject's when {@code subject} is not null. */
  List<RoleBinding> listBindings(TenantId tenantId, Subject subject, PageRequest page);

  /** Deletes a binding; false if absent. */
  boolean deleteBinding(TenantId tenantId, BindingId bindingId);

  /** Deletes every binding whose subject or scope is the given group (when a group is deleted). */
  int deleteBindingsOfGroup(TenantId tenantId, String groupId);

  /** Deletes every binding of the tenant whose subject is the user (when a member leaves). */
  int deleteBindingsOfUser(TenantId tenantId, UserId userId);

  /**
   * Every permission pattern the user holds in the tenant, with the scope of the binding that grants
   * it: bindings whose subject is the user, or a group the user belongs to directly or through a
   * descendant group. Platform-scope grants are not included.
   */
  List<Grant> grantsOf(TenantId tenantId, UserId userId);

  /** Every permission pattern the user holds at platform scope. */
  List<Grant> platformGrantsOf(UserId userId);

  /** Inserts a platform-scope binding (e.g. the first platform administrator); CONFLICT if present. */
  default void insertPlatformBinding(RoleBinding binding) {
    insertBinding(binding);
  }
}
