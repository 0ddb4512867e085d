package com.neurasea.model;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A named set of permission patterns. Built-in roles have no tenant and cannot be changed; custom
 * roles belong to one tenant.
 *
 * @param id the identifier
 * @param tenantId the owning tenant, null for a built-in role
 * @param name the name, unique in its tenant
 * @param description a description, may be empty
 * @param permissions the permission patterns it grants (see {@link Permissions})
 * @param builtIn whether this is a built-in role
 * @param createdAt when it was created
 */
public record Role(
    RoleId id, TenantId tenantId, String name, String description, Set<String> permissions, boolean builtIn,
    Instant createdAt) {
  /** Validates the components and freezes the permission set. */
  public Role {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(createdAt, "createdAt");
    description = description == null ? "" : description;
    permissions = Set.copyOf(permissions);
    if (builtIn != (tenantId == null)) {
      throw new IllegalArgumentException("a built-in role has no tenant and a custom role has one");
    }
  }
}
