package com.neurasea.spi;

/** The stores of one storage backend, bound to a connection or a transaction. */
public interface Stores {
  /** Tenants, users, memberships and groups. */
  TenancyStore tenancy();

  /** Passwords and API tokens. */
  CredentialStore credentials();

  /** Roles, bindings and grants. */
  PermissionStore permissions();
}
