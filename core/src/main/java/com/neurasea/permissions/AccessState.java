package com.neurasea.permissions;

/** Whether a principal may act in a tenant, and if not, why. */
enum AccessState {
  /** The user is active and an active member of an active tenant. */
  ACTIVE,
  /** The user acts at platform level only (no tenant, or not a member of it). */
  NOT_MEMBER,
  /** The tenant is suspended or closed. */
  TENANT_INACTIVE,
  /** The user account is locked, disabled or pending, or does not exist. */
  USER_INACTIVE
}
