package com.neurasea.permissions;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.neurasea.internal.Generations;
import com.neurasea.model.AccountStatus;
import com.neurasea.model.Grant;
import com.neurasea.model.GroupId;
import com.neurasea.model.ScopeKind;
import com.neurasea.model.TenantId;
import com.neurasea.model.TenantStatus;
import com.neurasea.spi.AccessFacts;
import com.neurasea.spi.Storage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads and caches what a user may do in a tenant and the ancestry of groups. Values carry the
 * invalidation counters they were loaded under; a value whose counters moved is reloaded.
 */
final class AccessResolver {
  private record AncestryKey(TenantId tenantId, GroupId groupId) {}

  private record Ancestry(List<GroupId> groups, long globalGeneration, long tenantGeneration) {}

  private final Storage storage;
  private final Generations generations;
  private final Cache<AccessKey, AccessSnapshot> snapshots;
  private final Cache<AncestryKey, Ancestry> ancestry;
  private final boolean caching;

  AccessResolver(Storage storage, Generations generations, AccessCacheSettings settings) {
    this.storage = storage;
    this.generations = generations;
    this.caching = settings.maximumSize() > 0;
    this.snapshots = Caffeine.newBuilder()
        .maximumSize(settings.maximumSize())
        .expireAfterWrite(settings.expireAfterWrite())
        .build();
    this.ancestry = Caffeine.newBuilder()
        .maximumSize(settings.maximumSize())
        .expireAfterWrite(settings.expireAfterWrite())
        .build();
  }

  AccessSnapshot snapshot(AccessKey key) {
    if (!caching) {
      return load(key);
    }
    AccessSnapshot cached = snapshots.getIfPresent(key);
    if (cached != null
        && cached.globalGeneration() == generations.global()
        && cached.tenantGeneration() == generations.tenant(key.tenantId())) {
      return cached;
    }
    AccessSnapshot fresh = load(key);
    snapshots.put(key, fresh);
    return fresh;
  }

  List<GroupId> groupAndAncestors(TenantId tenantId, GroupId groupId) {
    if (!caching) {
      return storage.tenancy().groupAndAncestors(tenantId, groupId);
    }
    AncestryKey key = new AncestryKey(tenantId, groupId);
    Ancestry cached = ancestry.getIfPresent(key);
    long global = generations.global();
    long tenant = generations.tenant(tenantId);
    if (cached != null && cached.globalGeneration() == global && cached.tenantGeneration() == tenant) {
      return cached.groups();
    }
    List<GroupId> groups = List.copyOf(storage.tenancy().groupAndAncestors(tenantId, groupId));
    ancestry.put(key, new Ancestry(groups, global, tenant));
    return groups;
  }

  private AccessSnapshot load(AccessKey key) {
    // Counters first, store second: a change racing with this load leaves a value that is already stale.
    long global = generations.global();
    long tenantGeneration = generations.tenant(key.tenantId());
    AccessFacts facts = storage.accessOf(key.platformOnly() ? null : key.tenantId(), key.userId());
    if (facts.userStatus() != AccountStatus.ACTIVE) {
      return new AccessSnapshot(AccessState.USER_INACTIVE, GrantSet.EMPTY, GrantSet.EMPTY, Map.of(), global,
          tenantGeneration);
    }
    GrantSet platform = new GrantSet(patterns(facts.platformGrants()));
    if (key.tenantId() == null) {
      return new AccessSnapshot(AccessState.ACTIVE, platform, GrantSet.EMPTY, Map.of(), global, tenantGeneration);
    }
    AccessState state = !facts.member() ? AccessState.NOT_MEMBER
        : facts.tenantStatus() == TenantStatus.ACTIVE ? AccessState.ACTIVE : AccessState.TENANT_INACTIVE;
    if (state != AccessState.ACTIVE) {
      return new AccessSnapshot(state, platform, GrantSet.EMPTY, Map.of(), global, tenantGeneration);
    }
    List<String> tenantWide = new ArrayList<>();
    Map<GroupId, List<String>> byGroup = new HashMap<>();
    for (Grant grant : facts.tenantGrants()) {
      if (grant.scope().kind() == ScopeKind.GROUP) {
        byGroup.computeIfAbsent(grant.scope().groupId(), g -> new ArrayList<>()).add(grant.permission());
      } else if (grant.scope().kind() == ScopeKind.TENANT) {
        tenantWide.add(grant.permission());
      }
    }
    Map<GroupId, GrantSet> groups = new HashMap<>();
    byGroup.forEach((group, permissions) -> groups.put(group, new GrantSet(permissions)));
    return new AccessSnapshot(AccessState.ACTIVE, platform, new GrantSet(tenantWide), Map.copyOf(groups), global,
        tenantGeneration);
  }

  private static List<String> patterns(List<Grant> grants) {
    List<String> patterns = new ArrayList<>(grants.size());
    for (Grant grant : grants) {
      patterns.add(grant.permission());
    }
    return patterns;
  }
}
