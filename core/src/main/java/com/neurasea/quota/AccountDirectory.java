package com.neurasea.quota;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.neurasea.internal.Generations;
import com.neurasea.model.AccountRef;
import com.neurasea.model.GroupId;
import com.neurasea.model.Meter;
import com.neurasea.model.QuotaAccount;
import com.neurasea.model.Tenant;
import com.neurasea.model.TenantId;
import com.neurasea.model.TokenId;
import com.neurasea.model.UserId;
import com.neurasea.spi.Storage;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Cached view of quota accounts, tenants' time zones and users' groups. An entry is trusted until its
 * tenant's generation moves (every limit change bumps it, on every instance sharing the store) and
 * for at most two seconds in any case; staleness never lets a host overspend, because limited meters
 * are only served from leases and the store grants leases against its own, current limits.
 */
final class AccountDirectory {
  private static final Duration TTL = Duration.ofSeconds(2);

  /** One account as this host sees it, with the pools of its current windows. */
  static final class Entry {
    final AccountRef ref;
    final QuotaAccount account;
    final ZoneId zone;
    final long generation;
    final LocalPool[] current = new LocalPool[Meter.values().length];

    Entry(AccountRef ref, QuotaAccount account, ZoneId zone, long generation) {
      this.ref = ref;
      this.account = account;
      this.zone = zone;
      this.generation = generation;
    }

    boolean limited() {
      return account != null && !account.limits().unlimited();
    }
  }

  private record ChainKey(TenantId tenantId, UserId userId, TokenId tokenId) {}

  private record CachedChain(Chain chain, long generation) {}

  private final Storage storage;
  private final Generations generations;
  private final Cache<AccountRef, Entry> accounts = Caffeine.newBuilder().maximumSize(200_000)
      .expireAfterWrite(TTL).build();
  private final Cache<TenantId, ZoneId> zones = Caffeine.newBuilder().maximumSize(50_000)
      .expireAfterWrite(Duration.ofMinutes(1)).build();
  private final Cache<ChainKey, CachedChain> chains = Caffeine.newBuilder().maximumSize(200_000)
      .expireAfterWrite(Duration.ofSeconds(30)).build();

  AccountDirectory(Storage storage, Generations generations) {
    this.storage = storage;
    this.generations = generations;
  }

  /** The entry of an account, loading it when absent or stale. */
  Entry entry(AccountRef ref) {
    long generation = generations.tenant(ref.tenantId());
    Entry entry = accounts.getIfPresent(ref);
    if (entry != null && entry.generation == generation) {
      return entry;
    }
    QuotaAccount account = storage.quota().findAccount(ref).orElse(null);
    Entry loaded = new Entry(ref, account, zone(ref.tenantId()), generation);
    if (entry != null && entry.account != null && account != null && entry.account.equals(account)) {
      // Unchanged: keep the current pools.
      System.arraycopy(entry.current, 0, loaded.current, 0, entry.current.length);
    }
    accounts.put(ref, loaded);
    return loaded;
  }

  /** Forgets an account, so the next use reloads it. */
  void invalidate(AccountRef ref) {
    accounts.invalidate(ref);
  }

  /** A tenant's time zone (UTC for a tenant that is gone or has an unreadable zone). */
  ZoneId zone(TenantId tenantId) {
    ZoneId known = zones.getIfPresent(tenantId);
    return known != null ? known : zones.get(tenantId, id -> storage.tenancy().findTenant(id).map(Tenant::timeZone)
        .map(AccountDirectory::parseZone).orElse(ZoneOffset.UTC));
  }

  private static ZoneId parseZone(String zone) {
    try {
      return ZoneId.of(zone);
    } catch (DateTimeException e) {
      return ZoneOffset.UTC;
    }
  }

  /**
   * The chain of a user (and token) in a tenant: the user's direct groups, each followed by its
   * ancestors, without repeats.
   */
  Chain chainOf(TenantId tenantId, UserId userId, TokenId tokenId) {
    if (userId == null) {
      return new Chain(tenantId, null, tokenId, List.of());
    }
    long generation = generations.tenant(tenantId);
    ChainKey key = new ChainKey(tenantId, userId, tokenId);
    CachedChain cached = chains.getIfPresent(key);
    if (cached == null || cached.generation != generation) {
      Set<GroupId> groups = new LinkedHashSet<>();
      for (GroupId group : storage.tenancy().groupsOfUser(tenantId, userId)) {
        groups.addAll(storage.tenancy().groupAndAncestors(tenantId, group));
      }
      cached = new CachedChain(new Chain(tenantId, userId, tokenId, new ArrayList<>(groups)), generation);
      chains.put(key, cached);
    }
    return cached.chain;
  }
}
