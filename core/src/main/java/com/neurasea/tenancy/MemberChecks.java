package com.neurasea.tenancy;

import com.neurasea.model.Caller;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.Scope;
import com.neurasea.model.TenantId;
import com.neurasea.model.UserId;
import com.neurasea.permissions.PermissionService;
import com.neurasea.spi.Storage;

/** Caller checks shared by the tenancy services: the tenant named, membership, self. */
final class MemberChecks {
  private final Storage storage;
  private final PermissionService permissions;

  MemberChecks(Storage storage, PermissionService permissions) {
    this.storage = storage;
    this.permissions = permissions;
  }

  /** The caller may act in its tenant, the user is a member of it, and the caller holds the permission. */
  void requireMemberWith(Caller caller, UserId userId, String permission) {
    TenantId tenant = caller.requireTenant();
    permissions.requireTenantAccess(caller);
    requireMember(tenant, userId);
    permissions.require(caller, permission, Scope.tenant());
  }

  /** The user is a member of the tenant; NOT_FOUND otherwise (as for an unknown id). */
  void requireMember(TenantId tenant, UserId userId) {
    if (userId == null || storage.tenancy().findMembership(tenant, userId).isEmpty()) {
      throw NeuraSeaException.notFound("user");
    }
  }

  static boolean isSelf(Caller caller, UserId userId) {
    return userId != null && userId.equals(caller.principal().userId());
  }
}
