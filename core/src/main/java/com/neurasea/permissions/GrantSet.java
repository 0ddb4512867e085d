package com.neurasea.permissions;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** A compiled set of permission patterns: exact names in a hash set, star patterns as prefixes. */
final class GrantSet {
  static final GrantSet EMPTY = new GrantSet(List.of());

  private final Set<String> exact;
  private final String[] prefixes;
  private final Set<String> patterns;

  GrantSet(Collection<String> patterns) {
    Set<String> exactNames = new HashSet<>();
    Set<String> prefixNames = new TreeSet<>();
    for (String pattern : patterns) {
      if (pattern.endsWith("*")) {
        prefixNames.add(pattern.substring(0, pattern.length() - 1));
      } else {
        exactNames.add(pattern);
      }
    }
    this.exact = Set.copyOf(exactNames);
    this.prefixes = prefixNames.toArray(String[]::new);
    this.patterns = Set.copyOf(patterns);
  }

  /**
   * Whether a held pattern covers the permission. Also answers the escalation guard's question —
   * does the caller hold everything a granted pattern grants? — since a star pattern is covered
   * exactly when its text is.
   */
  boolean matches(String permission) {
    if (exact.contains(permission)) {
      return true;
    }
    for (String prefix : prefixes) {
      if (permission.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  Set<String> patterns() {
    return patterns;
  }

  boolean isEmpty() {
    return patterns.isEmpty();
  }
}
