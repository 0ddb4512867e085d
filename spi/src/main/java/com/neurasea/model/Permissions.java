package com.neurasea.model;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The platform's permission vocabulary and its pattern rules.
 *
 * <p>A permission is a colon-separated name such as {@code tokens:create} or
 * {@code models:use:gpt-4o-mini}. A granted pattern either names one permission exactly or ends in
 * {@code *} and covers every permission that starts with what precedes the star
 * ({@code models:use:gpt-4o*}, {@code geo:*}, or {@code *} for everything).
 */
public final class Permissions {
  /** Create and change tenants, and act in any tenant. */
  public static final String PLATFORM_TENANTS_MANAGE = "platform:tenants:manage";
  /** Manage any user account of the platform. */
  public static final String PLATFORM_USERS_MANAGE = "platform:users:manage";
  /** Read the whole privacy ledger, verify it and export its records of processing activities. */
  public static final String PLATFORM_LEDGER_READ = "platform:ledger:read";
  /** Read the tenant's settings. */
  public static final String TENANT_READ = "tenant:read";
  /** Change the tenant's settings. */
  public static final String TENANT_MANAGE = "tenant:manage";
  /** List the tenant's members. */
  public static final String MEMBERS_READ = "members:read";
  /** Create, add, remove, lock and unlock the tenant's members. */
  public static final String MEMBERS_MANAGE = "members:manage";
  /** List groups and their members. */
  public static final String GROUPS_READ = "groups:read";
  /** Create, move and delete groups and change their membership. */
  public static final String GROUPS_MANAGE = "groups:manage";
  /** List roles. */
  public static final String ROLES_READ = "roles:read";
  /** Create, change and delete custom roles. */
  public static final String ROLES_MANAGE = "roles:manage";
  /** List role bindings. */
  public static final String BINDINGS_READ = "bindings:read";
  /** Add and remove role bindings. */
  public static final String BINDINGS_MANAGE = "bindings:manage";
  /** Create API tokens for oneself. */
  public static final String TOKENS_CREATE = "tokens:create";
  /** List every API token of the tenant. */
  public static final String TOKENS_READ = "tokens:read";
  /** Revoke any API token of the tenant. */
  public static final String TOKENS_MANAGE = "tokens:manage";
  /** Submit training jobs. */
  public static final String JOBS_SUBMIT = "jobs:submit";
  /** See training jobs. */
  public static final String JOBS_READ = "jobs:read";
  /** Cancel and manage anyone's training jobs. */
  public static final String JOBS_MANAGE = "jobs:manage";
  /** Manage GEO sites. */
  public static final String GEO_SITES_MANAGE = "geo:sites:manage";
  /** Read GEO content and reports. */
  public static final String GEO_READ = "geo:read";
  /** Read the tenant's privacy ledger. */
  public static final String LEDGER_READ = "ledger:read";
  /** Read billing and cost figures. */
  public static final String BILLING_READ = "billing:read";
  /** Read usage statistics. */
  public static final String USAGE_READ = "usage:read";
  /** Manage the tenant's quotas. */
  public static final String QUOTAS_MANAGE = "quotas:manage";
  /** Manage upstream model channels. */
  public static final String CHANNELS_MANAGE = "channels:manage";
  /** Prefix of model-access permissions: {@code models:use:<model>}. */
  public static final String MODELS_USE_PREFIX = "models:use:";

  /** Every feature permission that applies inside a tenant (model access excluded). */
  public static final List<String> TENANT_FEATURES = List.of(
      TENANT_READ, TENANT_MANAGE, MEMBERS_READ, MEMBERS_MANAGE, GROUPS_READ, GROUPS_MANAGE, ROLES_READ,
      ROLES_MANAGE, BINDINGS_READ, BINDINGS_MANAGE, TOKENS_CREATE, TOKENS_READ, TOKENS_MANAGE, JOBS_SUBMIT,
      JOBS_READ, JOBS_MANAGE, GEO_SITES_MANAGE, GEO_READ, LEDGER_READ, BILLING_READ, USAGE_READ,
      QUOTAS_MANAGE, CHANNELS_MANAGE);

  /** The shape of a permission or pattern: lowercase segments, an optional trailing star. */
  public static final String PATTERN_REGEX = "(\\*|[a-z0-9][a-z0-9_.-]*(:[a-zA-Z0-9_.@/-]+)*(:?\\*)?)";

  private static final Pattern SHAPE = Pattern.compile(PATTERN_REGEX);

  private Permissions() {}

  /** Whether a string is a well-formed permission or pattern (at most 200 characters). */
  public static boolean isWellFormed(String permissionOrPattern) {
    return permissionOrPattern != null
        && permissionOrPattern.length() <= 200
        && SHAPE.matcher(permissionOrPattern).matches();
  }

  /** The permission to use one model, e.g. {@code models:use:gpt-4o-mini}. */
  public static String useModel(String model) {
    return MODELS_USE_PREFIX + model;
  }

  /**
   * Whether a granted pattern covers a permission. The argument may itself be a pattern: a held
   * pattern covers everything a granted pattern grants exactly when it matches the granted text
   * (the escalation guard relies on this).
   */
  public static boolean matches(String pattern, String permission) {
    int last = pattern.length() - 1;
    if (last >= 0 && pattern.charAt(last) == '*') {
      return permission.regionMatches(0, pattern, 0, last);
    }
    return pattern.equals(permission);
  }
}
