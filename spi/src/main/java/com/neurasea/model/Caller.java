package com.neurasea.model;

import java.util.Objects;

/**
 * Who is calling and in which tenant. Every service call takes one; services check permissions and
 * tenant isolation against it.
 *
 * @param principal the authenticated actor
 * @param tenantId the tenant the call acts in, null for platform-level calls
 */
public record Caller(Principal principal, TenantId tenantId) {
  /** Validates the components. */
  public Caller {
    Objects.requireNonNull(principal, "principal");
  }

  /** A platform-level caller (no tenant). */
  public static Caller platform(Principal principal) {
    return new Caller(principal, null);
  }

  /** A caller acting in one tenant. */
  public static Caller in(Principal principal, TenantId tenantId) {
    return new Caller(principal, Objects.requireNonNull(tenantId, "tenantId"));
  }

  /** The system acting in a tenant (or at platform level when the tenant is null). */
  public static Caller system(TenantId tenantId) {
    return new Caller(Principal.system(), tenantId);
  }

  /**
   * The tenant the call acts in, for operations that act in one.
   *
   * @return the tenant
   * @throws NeuraSeaException {@code INVALID_ARGUMENT} naming {@code tenantId} when the caller names none
   */
  public TenantId requireTenant() {
    if (tenantId == null) {
      throw NeuraSeaException.invalid("tenantId", "this operation acts in a tenant; the caller names none");
    }
    return tenantId;
  }

  /** The same principal acting in another tenant. */
  public Caller inTenant(TenantId otherTenant) {
    return new Caller(principal, otherTenant);
  }
}
