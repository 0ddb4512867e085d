package com.neurasea.model;

import java.time.Instant;
import java.util.Objects;

/**
 * Grants a role to a subject at a scope.
 *
 * @param id the identifier
 * @param tenantId the tenant, null only for a platform-scope binding
 * @param subject the user or group holding the role
 * @param roleId the role
 * @param scope where it applies
 * @param createdAt when it was created
 */
public record RoleBinding(
    BindingId id, TenantId tenantId, Subject subject, RoleId roleId, Scope scope, Instant createdAt) {
  /** Validates the components. */
  public RoleBinding {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(roleId, "roleId");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(createdAt, "createdAt");
    if ((scope.kind() == ScopeKind.PLATFORM) != (tenantId == null)) {
      throw new IllegalArgumentException("only a platform-scope binding has no tenant");
    }
  }
}
