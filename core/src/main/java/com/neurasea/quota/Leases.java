package com.neurasea.quota;

import com.neurasea.model.AccountRef;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PoolKey;
import com.neurasea.model.QuotaLease;
import com.neurasea.spi.Storage;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This host's leases: fetching allowance from the store when a pool runs dry, returning what sits
 * idle so other hosts can use it, renewing, and reconciling with the store when a lease was lost.
 *
 * <p>A fetch asks for what the reservation needs and, beyond it, a block of a sixteenth of the limit,
 * so that no host takes more than a small share at once and the last of a budget is leased exactly.
 */
final class Leases {
  private static final Logger LOG = LoggerFactory.getLogger(Leases.class);
  private static final int BLOCK_DIVISOR = 16;

  private final Storage storage;
  private final Clock clock;
  private final String hostId;
  private final long ttlMillis;
  private final ConcurrentHashMap<PoolKey, LocalPool> pools = new ConcurrentHashMap<>();

  Leases(Storage storage, Clock clock, String hostId, long ttlMillis) {
    this.storage = storage;
    this.clock = clock;
    this.hostId = hostId;
    this.ttlMillis = ttlMillis;
  }

  /** The local pool of a key, created empty on first use. */
  LocalPool pool(PoolKey key, long windowEnd, long limit) {
    LocalPool pool = pools.computeIfAbsent(key, k -> new LocalPool(k, windowEnd, limit));
    if (pool.limit != limit) {
      pool.limit = limit;
    }
    return pool;
  }

  /**
   * Holds {@code need} in a pool, fetching a lease from the store when what is local is short.
   *
   * @return whether it is held
   */
  boolean take(LocalPool pool, long need) {
    if (pool.tryTake(need)) {
      return true;
    }
    synchronized (pool.fetchLock) {
      // Tops up what is here by the shortfall (and a block beyond it); others may take meanwhile, so a
      // few rounds may be needed before this caller's take succeeds.
      for (int round = 0; round < 4; round++) {
        if (pool.tryTake(need)) {
          return true;
        }
        long shortfall = need - Math.max(0, pool.available.get());
        long want = Math.max(shortfall, Math.max(1, pool.limit / BLOCK_DIVISOR));
        Instant expiry = Instant.ofEpochMilli(clock.millis() + ttlMillis);
        // Atomic on its own; run outside any transaction so contenders wait on the pool's lock briefly.
        long granted = storage.quota().lease(pool.key, shortfall, want, hostId, expiry);
        if (granted < shortfall) {
          return false;
        }
        pool.leased.addAndGet(granted);
        pool.changes++;
        pool.give(granted);
      }
      return pool.tryTake(need);
    }
  }

  /**
   * Returns what is available in pools left idle since the last tick or whose window is over, and
   * forgets pools that have nothing left.
   */
  void returnIdle(long now) {
    for (LocalPool pool : pools.values()) {
      boolean over = now >= pool.windowEnd;
      if (pool.touched && !over) {
        pool.touched = false;
        continue;
      }
      returnAvailable(pool);
      if (pool.drained(now)) {
        pools.remove(pool.key, pool);
      }
    }
  }

  /** Returns everything available in every pool (on close). */
  void returnAll() {
    for (LocalPool pool : pools.values()) {
      returnAvailable(pool);
    }
  }

  /** Returns everything available in an account's pools (before its limits change). */
  void returnAll(AccountRef ref) {
    for (LocalPool pool : pools.values()) {
      if (pool.key.account().equals(ref)) {
        returnAvailable(pool);
      }
    }
  }

  private void returnAvailable(LocalPool pool) {
    synchronized (pool.fetchLock) {
      long amount = pool.available.getAndSet(0);
      if (amount <= 0) {
        pool.available.addAndGet(amount);
        return;
      }
      try {
        storage.quota().returnLease(pool.key, hostId, amount);
        pool.leased.addAndGet(-amount);
        pool.changes++;
      } catch (NeuraSeaException e) {
        pool.give(amount);
        LOG.warn("returning {} of {} {} failed: {}", amount, pool.key.account(), pool.key.meter().key(), e.toString());
      }
    }
  }

  /**
   * Renews this host's leases and brings local allowance in line with what the store holds: lower
   * where a lease expired while the host was paused (a host never serves from a lease the store has
   * taken back), higher where a settlement was charged to the pool's free allowance instead of the
   * lease. Pools whose lease changed while the store was read are left for the next round. Must not
   * run concurrently with a flush.
   */
  void renewAndReconcile() {
    Instant expiry = Instant.ofEpochMilli(clock.millis() + ttlMillis);
    Map<LocalPool, Long> fetchesBefore = new HashMap<>();
    for (LocalPool pool : pools.values()) {
      synchronized (pool.fetchLock) {
        fetchesBefore.put(pool, pool.changes);
      }
    }
    storage.quota().renewLeases(hostId, expiry);
    Map<PoolKey, Long> stored = new HashMap<>();
    for (QuotaLease lease : storage.quota().leasesOf(hostId)) {
      stored.put(lease.key(), lease.amount());
    }
    for (LocalPool pool : pools.values()) {
      synchronized (pool.fetchLock) {
        Long before = fetchesBefore.get(pool);
        if (before == null || before != pool.changes) {
          continue; // fetched or returned since the store was read: what was read is out of date
        }
        long expected = pool.leased.get();
        long actual = stored.getOrDefault(pool.key, 0L);
        if (actual != expected) {
          long delta = actual - expected;
          if (delta < 0) {
            LOG.warn("the store holds {} less of {} {} than this host leased; lowering local allowance", -delta,
                pool.key.account(), pool.key.meter().key());
          }
          pool.leased.addAndGet(delta);
          pool.available.addAndGet(delta);
        }
      }
    }
  }

  /** Returns expired leases of any host to their pools. */
  List<QuotaLease> expireAbandoned() {
    List<QuotaLease> expired = new ArrayList<>();
    while (true) {
      List<QuotaLease> batch = storage.quota().expireLeases(clock.instant(), 500);
      expired.addAll(batch);
      if (batch.size() < 500) {
        return expired;
      }
    }
  }
}
