package com.neurasea.internal;

import com.neurasea.model.TenantId;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Invalidation counters for the access caches. A cached value remembers the counters it was loaded
 * under and is stale once either moved. Writers bump after their change commits, readers read the
 * counters before they read the store, so a value loaded concurrently with a change is never trusted
 * past that change.
 */
public final class Generations {
  private final AtomicLong global = new AtomicLong();
  private final ConcurrentHashMap<TenantId, AtomicLong> perTenant = new ConcurrentHashMap<>();

  /** The counter every cached access value depends on. */
  public long global() {
    return global.get();
  }

  /** The counter of one tenant's access data. */
  public long tenant(TenantId tenantId) {
    if (tenantId == null) {
      return 0;
    }
    AtomicLong counter = perTenant.get(tenantId);
    return counter == null ? 0 : counter.get();
  }

  /** Invalidates everything cached about one tenant (its members, groups, roles, bindings, status). */
  public void bumpTenant(TenantId tenantId) {
    perTenant.computeIfAbsent(tenantId, t -> new AtomicLong()).incrementAndGet();
  }

  /** Invalidates everything cached (a user's status, platform bindings). */
  public void bumpAll() {
    global.incrementAndGet();
  }
}
