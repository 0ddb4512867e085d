package com.neurasea.model;

import static com.neurasea.model.Permissions.*;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The roles every platform has. Their permission sets are fixed by the library. */
public enum BuiltInRole {
  /** Everything, everywhere. Bound only at platform scope. */
  PLATFORM_ADMIN("platform_admin", "Operates the whole platform", Set.of("*")),
  /** Everything inside the tenant, including its settings. */
  TENANT_OWNER("tenant_owner", "Owns the tenant", union(TENANT_FEATURES, List.of(MODELS_USE_PREFIX + "*"))),
  /** Manages the tenant's members, groups, roles and resources, but not its settings. */
  TENANT_ADMIN("tenant_admin", "Administers the tenant's members and resources",
      union(TENANT_FEATURES.stream().filter(p -> !p.equals(TENANT_MANAGE)).toList(),
          List.of(MODELS_USE_PREFIX + "*"))),
  /** Uses the platform: tokens, jobs, models. */
  MEMBER("member", "Uses models, submits jobs and creates own tokens",
      Set.of(TENANT_READ, MEMBERS_READ, GROUPS_READ, ROLES_READ, TOKENS_CREATE, JOBS_SUBMIT, JOBS_READ, GEO_READ,
          MODELS_USE_PREFIX + "*")),
  /** Reads, changes nothing. */
  VIEWER("viewer", "Reads the tenant's configuration",
      Set.of(TENANT_READ, MEMBERS_READ, GROUPS_READ, ROLES_READ, BINDINGS_READ, JOBS_READ, GEO_READ)),
  /** Reads billing and usage. */
  BILLING_VIEWER("billing_viewer", "Reads billing and usage", Set.of(TENANT_READ, BILLING_READ, USAGE_READ));

  private static final Instant EPOCH = Instant.EPOCH;

  private final String roleName;
  private final String description;
  private final Set<String> permissions;

  BuiltInRole(String roleName, String description, Set<String> permissions) {
    this.roleName = roleName;
    this.description = description;
    this.permissions = Set.copyOf(permissions);
  }

  /** The role's identifier, {@code rol_<name>}. */
  public RoleId id() {
    return new RoleId(RoleId.PREFIX + roleName);
  }

  /** The role's name. */
  public String roleName() {
    return roleName;
  }

  /** The permission patterns it grants. */
  public Set<String> permissions() {
    return permissions;
  }

  /** The role as a record. */
  public Role toRole() {
    return new Role(id(), null, roleName, description, permissions, true, EPOCH);
  }

  private static Set<String> union(List<String> a, List<String> b) {
    Set<String> all = new LinkedHashSet<>(a);
    all.addAll(b);
    return all;
  }
}
