package com.neurasea.permissions;

import com.neurasea.model.GroupId;
import java.util.List;
import java.util.Map;

/**
 * What one user may do in one tenant, as loaded at one pair of invalidation counters.
 *
 * @param state whether the user and tenant may act at all
 * @param platform grants at platform scope (apply everywhere)
 * @param tenant grants at tenant scope
 * @param groups grants scoped to a group, by group
 * @param globalGeneration the global counter it was loaded under
 * @param tenantGeneration the tenant's counter it was loaded under
 */
record AccessSnapshot(
    AccessState state,
    GrantSet platform,
    GrantSet tenant,
    Map<GroupId, GrantSet> groups,
    long globalGeneration,
    long tenantGeneration) {

  /** Whether the permission is held at the given group or any of its ancestors (nearest first). */
  boolean matchesInGroups(String permission, List<GroupId> groupAndAncestors) {
    for (GroupId group : groupAndAncestors) {
      GrantSet set = groups.get(group);
      if (set != null && set.matches(permission)) {
        return true;
      }
    }
    return false;
  }
}
