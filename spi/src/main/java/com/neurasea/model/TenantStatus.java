package com.neurasea.model;

/** Lifecycle of a tenant. Only an {@link #ACTIVE} tenant's principals may act. */
public enum TenantStatus {
  /** Normal operation. */
  ACTIVE,
  /** Temporarily stopped: every principal of the tenant is refused until it is reactivated. */
  SUSPENDED,
  /** Permanently closed; cannot be reactivated. */
  CLOSED
}
