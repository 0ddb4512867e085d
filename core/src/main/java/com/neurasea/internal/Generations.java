package com.neurasea.internal;

import com.neurasea.model.TenantId;
import com.neurasea.spi.ChangeNotifier;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Invalidation counters for the access caches. A cached value remembers the counters it was loaded
 * under and is stale once either moved. Writers bump after their change commits, readers read the
 * counters before they read the store, so a value loaded concurrently with a change is never trusted
 * past that change.
 *
 * <p>When the storage is shared by several instances, each local bump is also published through the
 * storage's {@link ChangeNotifier}, and signals from other instances bump the local counters.
 */
public final class Generations {
  private static final String TENANT_KEY_PREFIX = "tenant:";

  private final AtomicLong global = new AtomicLong();
  private final ConcurrentHashMap<TenantId, AtomicLong> perTenant = new ConcurrentHashMap<>();
  private volatile ChangeNotifier notifier;

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
    bumpTenantLocally(tenantId);
    ChangeNotifier n = notifier;
    if (n != null) {
      n.publish(TENANT_KEY_PREFIX + tenantId.value());
    }
  }

  /** Invalidates everything cached (a user's status, platform bindings). */
  public void bumpAll() {
    global.incrementAndGet();
    ChangeNotifier n = notifier;
    if (n != null) {
      n.publish(ChangeNotifier.ALL);
    }
  }

  /** Publishes every later local bump through the notifier. */
  public void publishTo(ChangeNotifier changeNotifier) {
    this.notifier = changeNotifier;
  }

  /** Applies a signal from another instance (or this one's echo) without publishing it again. */
  public void applyRemote(String key) {
    if (key != null && key.startsWith(TENANT_KEY_PREFIX) && key.length() > TENANT_KEY_PREFIX.length()) {
      try {
        bumpTenantLocally(new TenantId(key.substring(TENANT_KEY_PREFIX.length())));
        return;
      } catch (RuntimeException malformed) {
        // Fall through: an unreadable key invalidates everything rather than nothing.
      }
    }
    global.incrementAndGet();
  }

  private void bumpTenantLocally(TenantId tenantId) {
    perTenant.computeIfAbsent(tenantId, t -> new AtomicLong()).incrementAndGet();
  }
}
