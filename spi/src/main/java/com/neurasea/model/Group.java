package com.neurasea.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A group of users inside a tenant. Groups nest: members of a group are members of its ancestors
 * for role bindings whose subject is an ancestor, and a binding scoped to a group covers its
 * descendants.
 *
 * @param id the identifier
 * @param tenantId the owning tenant
 * @param name the name, unique among its siblings
 * @param parentId the parent group, null for a top-level group
 * @param createdAt when it was created
 */
public record Group(GroupId id, TenantId tenantId, String name, GroupId parentId, Instant createdAt) {
  /** Validates the components. */
  public Group {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(createdAt, "createdAt");
  }
}
