package com.neurasea.internal;

import com.neurasea.model.Caller;
import com.neurasea.model.Scope;

/**
 * The permission checks other domains make, as implemented by the permissions domain's
 * {@code PermissionService}. Domains that the permissions domain itself records through (the
 * privacy ledger) depend on this instead, so the domains form no cycle.
 */
public interface AccessChecks {
  /**
   * Whether the caller holds a permission on a resource.
   *
   * @param caller who is asking, and in which tenant
   * @param permission a concrete permission
   * @param resource the scope it is asked on
   * @return true if held
   */
  boolean check(Caller caller, String permission, Scope resource);

  /**
   * Fails unless the caller holds a permission on a resource.
   *
   * @param caller who is asking
   * @param permission a concrete permission
   * @param resource the scope
   */
  void require(Caller caller, String permission, Scope resource);

  /**
   * Fails unless the caller may act in its tenant at all.
   *
   * @param caller who is asking
   */
  void requireTenantAccess(Caller caller);
}
