package com.neurasea.model;

import java.util.Objects;

/**
 * Where a role binding applies, and the resource a permission is checked against.
 *
 * @param kind platform, tenant or group
 * @param groupId the group for {@link ScopeKind#GROUP}, null otherwise
 */
public record Scope(ScopeKind kind, GroupId groupId) {
  private static final Scope PLATFORM = new Scope(ScopeKind.PLATFORM, null);
  private static final Scope TENANT = new Scope(ScopeKind.TENANT, null);

  /** Validates the components. */
  public Scope {
    Objects.requireNonNull(kind, "kind");
    if ((kind == ScopeKind.GROUP) != (groupId != null)) {
      throw NeuraSeaException.invalid("scope.groupId", "is required for a group scope and only for it");
    }
  }

  /** The platform scope. */
  public static Scope platform() {
    return PLATFORM;
  }

  /** The caller's whole tenant. */
  public static Scope tenant() {
    return TENANT;
  }

  /** One group (and its descendants) of the caller's tenant. */
  public static Scope group(GroupId groupId) {
    return new Scope(ScopeKind.GROUP, Objects.requireNonNull(groupId, "groupId"));
  }
}
