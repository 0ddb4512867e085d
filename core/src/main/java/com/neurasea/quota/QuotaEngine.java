package com.neurasea.quota;

import com.neurasea.internal.Generations;
import com.neurasea.model.AccountRef;
import com.neurasea.model.Caller;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.Meter;
import com.neurasea.model.ModelPrice;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PoolKey;
import com.neurasea.model.Principal;
import com.neurasea.model.QuotaLease;
import com.neurasea.model.QuotaLimits;
import com.neurasea.model.ResetPeriod;
import com.neurasea.model.TenantId;
import com.neurasea.model.TokenId;
import com.neurasea.model.UsageRecord;
import com.neurasea.model.UsageStatus;
import com.neurasea.model.UserId;
import com.neurasea.permissions.PermissionService;
import com.neurasea.privacy.PrivacyLedger;
import com.neurasea.spi.Settlement;
import com.neurasea.spi.Storage;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The quota hot path: reserve the worst case before work starts, settle the real cost after, or
 * release. A request is held against every level of its {@link Chain} that has a quota account, on
 * every limited meter, all or nothing.
 *
 * <p><b>Exactness without a round trip per request.</b> Each host serves holds from leases: blocks
 * of a pool's allowance the store grants atomically, never more than the limit leaves. A host fetches
 * a lease when its local allowance runs short, returns what sits idle, and writes settlements in
 * batches off the request path. So the charges of all hosts together never exceed a budget, and a
 * per-minute limit admits at most its number in each clock minute across all hosts.
 *
 * <p><b>Idempotence.</b> Request ids are unique within a tenant: reserving an open request id again with the same
 * amounts returns the open reservation; settling or releasing a closed reservation again returns its
 * first outcome (a settle after a release, or a release after a settle, is {@code FAILED_PRECONDITION});
 * the store never writes two usage records for one request id of a tenant. Another tenant may use the
 * same id without either noticing.
 *
 * <p><b>Expiry policy.</b> A reservation not settled within the reservation timeout (10 minutes by
 * default) expires: everything it held is freed and it is charged nothing, recorded as an
 * {@link UsageStatus#EXPIRED} usage record. A host that dies holds its leases until they expire (30
 * seconds by default) and the store returns them to their pools; its open reservations are charged
 * nothing. Closing an instance expires its open reservations the same way.
 *
 * <p><b>Charges above the reservation.</b> A settle that costs more than was reserved takes the
 * difference from every level if every level has it left; otherwise it charges what was reserved and
 * records the rest as {@code uncharged} in the usage record. A budget is never overspent.
 */
@Singleton
public final class QuotaEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QuotaEngine.class);
  /**
   * Closed reservations remembered by request id, at most (and for at most ten minutes): enough for
   * a client's retries, few enough that they do not weigh on the garbage collector at millions of
   * requests a second. A request id reused after it is forgotten is not charged twice either: the
   * store keeps the first usage record and skips the second with its charges.
   */
  private static final int CLOSED_KEPT = 16_384;
  /** Closed reservations a request thread forgets at a time (small, so no request waits long). */
  private static final int TRIM_CHUNK = 1_024;
  private static final long CLOSED_KEPT_MILLIS = Duration.ofMinutes(10).toMillis();
  private static final int METERS = Meter.values().length;

  private final Storage storage;
  private final PermissionService permissions;
  private final Clock clock;
  private final QuotaSettings settings;
  private final PriceTable prices;
  private final AccountDirectory directory;
  private final Leases leases;
  private final SettlementWriter writer;
  private final SettlementJournal journal;
  private final Days days = new Days();
  private final String hostId;
  /**
   * Open reservations and recently closed ones (for idempotence by request id), per tenant: request
   * ids are unique within a tenant, so one tenant's ids never collide with another's.
   */
  private final ConcurrentHashMap<TenantId, ConcurrentHashMap<String, Reservation>> reservations =
      new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Reservation> recentlyClosed = new ConcurrentLinkedQueue<>();
  private final java.util.concurrent.atomic.AtomicInteger closedCount = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.locks.ReentrantLock trimming = new java.util.concurrent.locks.ReentrantLock();
  private final ScheduledExecutorService maintenance;
  private volatile boolean closed;
  private long lastRenewal;
  private long lastSweep;
  private long lastExpirySweep;
  private long lastFlush = System.nanoTime();

  @Inject
  QuotaEngine(Storage storage, Clock clock, QuotaSettings settings, PriceTable prices, PrivacyLedger ledger,
      Generations generations, PermissionService permissions) {
    this.permissions = permissions;
    this.clock = clock;
    this.settings = settings;
    this.prices = prices;
    MappedJournal mapped = settings.journal() == null ? null
        : MappedJournal.open(settings.journal(), settings.hostId(), MappedJournal.DEFAULT_SEGMENT_BYTES);
    this.journal = mapped == null ? SettlementJournal.NONE : mapped;
    this.hostId = mapped != null ? mapped.hostId()
        : settings.hostId() != null ? settings.hostId() : "host-" + UUID.randomUUID().toString().substring(0, 8);
    this.storage = storage;
    this.directory = new AccountDirectory(storage, generations);
    this.leases = new Leases(storage, clock, hostId, settings.leaseTtl().toMillis());
    this.writer = new SettlementWriter(storage, ledger, hostId, journal);
    try {
      recover(mapped);
    } catch (RuntimeException e) {
      journal.close();
      throw e;
    }
    this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "neurasea-quota");
      thread.setDaemon(true);
      return thread;
    });
    // Ticks often enough to renew leases in time whatever the flush interval; flushes on its own interval.
    long tickMillis = Math.min(settings.flushInterval().toMillis(), 250);
    maintenance.scheduleWithFixedDelay(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
  }

  /** A tenant's time zone, which its budget periods and daily statistics follow. */
  java.time.ZoneId zone(TenantId tenantId) {
    return directory.zone(tenantId);
  }

  /** The name this host goes by in leases and usage records. */
  public String hostId() {
    return hostId;
  }

  // ---------------------------------------------------------------- chains

  /**
   * The chain a caller's requests are charged to: for an API token, the token, its user, the user's
   * groups and the token's tenant; for a user, the user in the caller's tenant; for the system, the
   * tenant alone. The caller must be able to act in the tenant (an active member of an active tenant).
   *
   * @param caller the caller, acting in a tenant (a token only in its own)
   * @return the chain
   * @throws NeuraSeaException {@code PERMISSION_DENIED} for a token acting in another tenant, or the
   *     error {@link PermissionService#requireTenantAccess} gives
   */
  public Chain chainOf(Caller caller) {
    Objects.requireNonNull(caller, "caller");
    Principal principal = caller.principal();
    switch (principal.kind()) {
      case API_TOKEN -> {
        if (caller.tenantId() != null && !caller.tenantId().equals(principal.tokenTenantId())) {
          throw new NeuraSeaException(ErrorCode.PERMISSION_DENIED, "a token is charged in its own tenant only");
        }
        permissions.requireTenantAccess(Caller.in(principal, principal.tokenTenantId()));
        return directory.chainOf(principal.tokenTenantId(), principal.userId(), principal.tokenId());
      }
      case USER -> {
        permissions.requireTenantAccess(caller);
        return directory.chainOf(caller.tenantId(), principal.userId(), null);
      }
      case SYSTEM -> {
        return Chain.ofTenant(caller.requireTenant());
      }
      default -> throw new IllegalStateException("unknown principal kind " + principal.kind());
    }
  }

  // ---------------------------------------------------------------- reserve

  /**
   * Holds credits for a request on every level of its chain.
   *
   * @see #reserve(Chain, long, long, String)
   */
  public Reservation reserve(Chain chain, long maxCost, String requestId) {
    return reserve(chain, maxCost, 0, requestId);
  }

  /**
   * Holds the worst case of a request on every level of its chain, all or nothing: {@code maxCost}
   * credits against budgets, one request against requests-per-minute limits, {@code maxTokens}
   * against tokens-per-minute limits and one slot against concurrency limits.
   *
   * @param chain who is charged
   * @param maxCost the most the request may cost, 0 to {@value QuotaLimits#MAX_CREDITS}
   * @param maxTokens the most tokens it may use, 0 to {@value QuotaLimits#MAX_PER_MINUTE}
   * @param requestId the request's id, unique platform-wide
   * @return the reservation
   * @throws LimitExceededException {@code QUOTA_EXCEEDED} or {@code RATE_LIMITED}, naming the level and
   *     the limit; nothing is held
   * @throws NeuraSeaException {@code INVALID_ARGUMENT} for a bad amount or request id, {@code CONFLICT}
   *     naming {@code requestId} when the id is open with other amounts or already closed
   */
  public Reservation reserve(Chain chain, long maxCost, long maxTokens, String requestId) {
    Objects.requireNonNull(chain, "chain");
    UsageRecord.checkRequestId(requestId);
    if (maxCost < 0 || maxCost > QuotaLimits.MAX_CREDITS) {
      throw NeuraSeaException.invalid("maxCost", "must be between 0 and " + QuotaLimits.MAX_CREDITS);
    }
    if (maxTokens < 0 || maxTokens > QuotaLimits.MAX_PER_MINUTE) {
      throw NeuraSeaException.invalid("maxTokens", "must be between 0 and " + QuotaLimits.MAX_PER_MINUTE);
    }
    requireRunning();
    ConcurrentHashMap<String, Reservation> ofTenant = reservationsOf(chain.tenantId());
    Reservation existing = ofTenant.get(requestId);
    if (existing != null) {
      return sameRequest(existing, chain, maxCost, maxTokens);
    }
    long now = clock.millis();
    List<AccountRef> refs = chain.accounts();
    LocalPool[] pools = new LocalPool[refs.size() * METERS];
    long[] held = new long[pools.length];
    int count = 0;
    java.time.ZoneId zone = null;
    try {
      for (AccountRef ref : refs) {
        AccountDirectory.Entry entry = directory.entry(ref);
        zone = entry.zone;
        if (!entry.limited()) {
          continue;
        }
        QuotaLimits limits = entry.account.limits();
        if (limits.budget() != null) {
          count = hold(entry, Meter.CREDITS, maxCost, now, pools, held, count);
        }
        if (limits.requestsPerMinute() != null) {
          count = hold(entry, Meter.REQUESTS, 1, now, pools, held, count);
        }
        if (limits.tokensPerMinute() != null) {
          count = hold(entry, Meter.TOKENS, maxTokens, now, pools, held, count);
        }
        if (limits.concurrency() != null) {
          count = hold(entry, Meter.CONCURRENCY, 1, now, pools, held, count);
        }
      }
    } catch (RuntimeException e) {
      undo(pools, held, count);
      throw e;
    }
    Reservation reservation = new Reservation(requestId, chain, maxCost, maxTokens, now,
        now + settings.reservationTimeout().toMillis(), zone,
        Arrays.copyOf(pools, count), Arrays.copyOf(held, count));
    Reservation raced = ofTenant.putIfAbsent(requestId, reservation);
    if (raced != null) {
      undo(pools, held, count);
      return sameRequest(raced, chain, maxCost, maxTokens);
    }
    journal.opened(reservation);
    return reservation;
  }

  private int hold(AccountDirectory.Entry entry, Meter meter, long amount, long now, LocalPool[] pools, long[] held,
      int count) {
    LocalPool pool = poolOf(entry, meter, now);
    if (amount > 0) {
      if (amount > pool.limit || !leases.take(pool, amount)) {
        throw exceeded(entry, pool, amount, now);
      }
    }
    pools[count] = pool;
    held[count] = amount;
    return count + 1;
  }

  private LocalPool poolOf(AccountDirectory.Entry entry, Meter meter, long now) {
    LocalPool pool = entry.current[meter.ordinal()];
    if (pool != null && now < pool.windowEnd && now >= pool.key.windowStart()) {
      return pool;
    }
    QuotaLimits limits = entry.account.limits();
    PoolWindow window = PoolWindow.of(meter, limits, now, entry.zone);
    pool = leases.pool(new PoolKey(entry.ref, meter, window.start()), window.end(), limits.limitOf(meter));
    entry.current[meter.ordinal()] = pool;
    return pool;
  }

  private static void undo(LocalPool[] pools, long[] held, int count) {
    for (int i = 0; i < count; i++) {
      pools[i].give(held[i]);
    }
  }

  private static LimitExceededException exceeded(AccountDirectory.Entry entry, LocalPool pool, long amount,
      long now) {
    QuotaLimits limits = entry.account.limits();
    long limit = pool.limit;
    Duration retryAfter = pool.windowEnd == Long.MAX_VALUE ? null : Duration.ofMillis(pool.windowEnd - now);
    String message = switch (pool.key.meter()) {
      case CREDITS -> "quota exceeded: " + entry.ref + " has a budget of " + limit + " credits"
          + (limits.period() == ResetPeriod.NONE ? "" : " " + limits.period().key())
          + " and less than the " + amount + " this request may cost is left";
      case REQUESTS -> "rate limited: " + entry.ref + " allows " + limit + " requests per minute";
      case TOKENS -> "rate limited: " + entry.ref + " allows " + limit + " tokens per minute; this request may use "
          + amount;
      case CONCURRENCY -> "rate limited: " + entry.ref + " allows " + limit + " requests at once";
    };
    return new LimitExceededException(entry.ref, pool.key.meter(), limit, message, retryAfter);
  }

  private static Reservation sameRequest(Reservation existing, Chain chain, long maxCost, long maxTokens) {
    if (!existing.isOpen()) {
      throw NeuraSeaException.conflict("requestId", "request " + existing.requestId + " is already "
          + existing.outcome.get().status().key());
    }
    if (!existing.chain.equals(chain) || existing.maxCost != maxCost || existing.maxTokens != maxTokens) {
      throw NeuraSeaException.conflict("requestId", "request " + existing.requestId
          + " is already reserved with other amounts");
    }
    return existing;
  }

  // ---------------------------------------------------------------- settle, release

  /**
   * Charges a request's real cost and frees the rest of what it held.
   *
   * @see #settle(Reservation, Usage)
   */
  public UsageRecord settle(Reservation reservation, long actualCost) {
    return settle(reservation, Usage.ofCost(actualCost));
  }

  /**
   * Charges what a request really used and frees the rest. Settling again returns the first outcome.
   *
   * @param reservation the reservation
   * @param usage what it used; with a priced model, the cost comes from the price table
   * @return the usage record (written to the store shortly after; its cost is final)
   * @throws NeuraSeaException {@code FAILED_PRECONDITION} when it was released or expired, or the
   *     model has no price and no cost is given (the reservation stays open)
   */
  public UsageRecord settle(Reservation reservation, Usage usage) {
    Objects.requireNonNull(reservation, "reservation");
    Objects.requireNonNull(usage, "usage");
    synchronized (reservation) {
      UsageRecord done = reservation.outcome.get();
      if (done != null) {
        if (done.status() == UsageStatus.RELEASED || done.status() == UsageStatus.EXPIRED) {
          throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "reservation " + reservation.requestId
              + " was " + done.status().key() + " and can no longer be settled");
        }
        return done;
      }
      long now = clock.millis();
      PriceTable.Quote quote = usage.cost() >= 0 ? null : prices.quote(reservation.chain, usage.model(), now);
      long cost = quote == null ? usage.cost() : quote.cost(usage.promptTokens(), usage.completionTokens(),
          usage.cachedTokens());
      long charged = chargeAbove(reservation, Meter.CREDITS, cost, reservation.maxCost);
      long tokens = chargeAbove(reservation, Meter.TOKENS, usage.totalTokens(), reservation.maxTokens);
      UsageRecord record = new UsageRecord(reservation.requestId, reservation.chain.tenantId(),
          reservation.chain.userId(), reservation.chain.tokenId(), usage.model(), usage.channel(),
          usage.promptTokens(), usage.completionTokens(), usage.cachedTokens(), charged, cost - charged,
          quote == null ? null : quote.price().id(), quote == null ? ModelPrice.ONE
              : quote.multiplier(), usage.status(), usage.errorCode(), Math.max(0, now - reservation.startedAt),
          Instant.ofEpochMilli(reservation.startedAt), Instant.ofEpochMilli(now), usage.clientIp(), usage.userAgent(),
          hostId);
      close(reservation, record, charged, tokens);
      return record;
    }
  }

  /**
   * Frees everything a request held and charges nothing (it still counts as one admitted request
   * against requests-per-minute limits). Releasing again returns the first outcome.
   *
   * @param reservation the reservation
   * @param errorCode why, or null
   * @return the usage record, status {@link UsageStatus#RELEASED}
   * @throws NeuraSeaException {@code FAILED_PRECONDITION} when it was already settled
   */
  public UsageRecord release(Reservation reservation, String errorCode) {
    Objects.requireNonNull(reservation, "reservation");
    return end(reservation, UsageStatus.RELEASED, errorCode, null, null);
  }

  /**
   * Releases a reservation as {@link #release(Reservation, String)} does, naming the model and
   * channel the request was for in its record.
   *
   * @param model the model, or null
   * @param channel the channel, or null
   */
  public UsageRecord release(Reservation reservation, String model, String channel, String errorCode) {
    Objects.requireNonNull(reservation, "reservation");
    return end(reservation, UsageStatus.RELEASED, errorCode, model, channel);
  }

  private UsageRecord end(Reservation reservation, UsageStatus status, String errorCode, String model,
      String channel) {
    synchronized (reservation) {
      UsageRecord done = reservation.outcome.get();
      if (done != null) {
        if (done.status() == UsageStatus.SUCCEEDED || done.status() == UsageStatus.FAILED) {
          throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "reservation " + reservation.requestId
              + " was settled and can no longer be " + status.key());
        }
        return done;
      }
      long now = clock.millis();
      Chain chain = reservation.chain;
      UsageRecord record = uncharged(reservation.requestId, chain.tenantId(), chain.userId(), chain.tokenId(),
          status, errorCode, reservation.startedAt, now, model, channel);
      close(reservation, record, 0, 0);
      return record;
    }
  }

  /** The record of a request that ended without using anything: released or expired. */
  private UsageRecord uncharged(String requestId, TenantId tenantId, UserId userId, TokenId tokenId,
      UsageStatus status, String errorCode, long startedAt, long now, String model, String channel) {
    String code = errorCode == null ? null : errorCode.substring(0, Math.min(64, errorCode.length()));
    return new UsageRecord(requestId, tenantId, userId, tokenId, model, channel, 0, 0, 0, 0, 0, null, ModelPrice.ONE,
        status, code, Math.max(0, now - startedAt), Instant.ofEpochMilli(startedAt), Instant.ofEpochMilli(now),
        null, null, hostId);
  }

  /**
   * Takes what a meter's actual amount needs beyond what was held, from every level or from none.
   *
   * @return what is charged on that meter: the actual amount, or what was held when the rest is not left
   */
  private long chargeAbove(Reservation reservation, Meter meter, long actual, long heldAmount) {
    if (actual <= heldAmount) {
      return actual;
    }
    long extra = actual - heldAmount;
    LocalPool[] pools = reservation.pools;
    int taken = 0;
    int[] takenAt = new int[pools.length];
    boolean ok = true;
    for (int i = 0; i < pools.length && ok; i++) {
      if (pools[i].key.meter() == meter) {
        ok = extra <= pools[i].limit && leases.take(pools[i], extra);
        if (ok) {
          takenAt[taken++] = i;
        }
      }
    }
    if (ok) {
      return actual;
    }
    for (int j = 0; j < taken; j++) {
      pools[takenAt[j]].give(extra);
    }
    return heldAmount;
  }

  /** Turns holds into charges (credits, tokens, the admitted request), frees the rest, queues the record. */
  private void close(Reservation reservation, UsageRecord record, long credits, long tokens) {
    LocalPool[] pools = reservation.pools;
    long[] held = reservation.held;
    int n = 0;
    for (int i = 0; i < pools.length; i++) {
      if (charge(pools[i].key.meter(), held[i], credits, tokens) > 0) {
        n++;
      }
    }
    LocalPool[] charged = new LocalPool[n];
    long[] amounts = new long[n];
    n = 0;
    for (int i = 0; i < pools.length; i++) {
      LocalPool pool = pools[i];
      long charge = charge(pool.key.meter(), held[i], credits, tokens);
      if (charge > 0) {
        pool.unflushed.add(charge);
        charged[n] = pool;
        amounts[n++] = charge;
      }
      // What was taken beyond the hold (chargeAbove) is part of the charge, not of the hold.
      pool.give(Math.max(0, held[i] - charge));
    }
    writer.enqueue(record, days.dayOf(reservation.zone, record.finishedAt().toEpochMilli()), charged, amounts);
    reservation.outcome.set(record);
    recentlyClosed.add(reservation);
    if (closedCount.incrementAndGet() > CLOSED_KEPT + TRIM_CHUNK && trimming.tryLock()) {
      // Bounded memory under any load: the thread that crosses the mark trims back to the cap.
      try {
        trimClosed(record.finishedAt().toEpochMilli());
      } finally {
        trimming.unlock();
      }
    }
  }

  private static long charge(Meter meter, long held, long credits, long tokens) {
    return switch (meter) {
      case CREDITS -> credits;
      case TOKENS -> tokens;
      case REQUESTS -> held;
      case CONCURRENCY -> 0;
    };
  }

  private ConcurrentHashMap<String, Reservation> reservationsOf(TenantId tenantId) {
    ConcurrentHashMap<String, Reservation> ofTenant = reservations.get(tenantId);
    return ofTenant != null ? ofTenant : reservations.computeIfAbsent(tenantId, t -> new ConcurrentHashMap<>());
  }

  /**
   * An open or recently closed reservation of a tenant by request id.
   *
   * @param tenantId the tenant
   * @param requestId the id
   * @return the reservation, or empty when this host has none under that id in the tenant
   */
  public Optional<Reservation> find(TenantId tenantId, String requestId) {
    ConcurrentHashMap<String, Reservation> ofTenant = reservations.get(tenantId);
    return Optional.ofNullable(ofTenant == null ? null : ofTenant.get(requestId));
  }

  /**
   * Settles a reservation of a tenant by request id.
   *
   * @throws NeuraSeaException {@code NOT_FOUND} when this host has no reservation under that id
   */
  public UsageRecord settle(TenantId tenantId, String requestId, Usage usage) {
    return settle(existing(tenantId, requestId), usage);
  }

  /**
   * Releases a reservation of a tenant by request id.
   *
   * @throws NeuraSeaException {@code NOT_FOUND} when this host has no reservation under that id
   */
  public UsageRecord release(TenantId tenantId, String requestId, String errorCode) {
    return release(existing(tenantId, requestId), errorCode);
  }

  private Reservation existing(TenantId tenantId, String requestId) {
    Objects.requireNonNull(tenantId, "tenantId");
    UsageRecord.checkRequestId(requestId);
    return find(tenantId, requestId).orElseThrow(() -> NeuraSeaException.notFound("reservation " + requestId));
  }

  /** Every reservation this host remembers, open or recently closed (a weakly consistent view). */
  private Iterable<Reservation> allReservations() {
    return () -> reservations.values().stream().flatMap(ofTenant -> ofTenant.values().stream()).iterator();
  }

  /** How many reservations are open on this host. */
  public int openReservations() {
    int open = 0;
    for (Reservation reservation : allReservations()) {
      if (reservation.isOpen()) {
        open++;
      }
    }
    return open;
  }

  // ---------------------------------------------------------------- background

  /**
   * Writes every settlement made so far to the store now (the engine does so every flush interval).
   *
   * @return how many usage records were written
   * @throws NeuraSeaException {@code UNAVAILABLE} when the store is unreachable (nothing is lost: the
   *     settlements are written on a later try)
   */
  public int flush() {
    return writer.flush();
  }

  /** Returns what this host leased of an account's pools and does not hold (before a limit change). */
  void returnUnused(AccountRef ref) {
    directory.invalidate(ref);
    leases.returnAll(ref);
  }

  private void tick() {
    long wall = System.nanoTime();
    if (wall - lastFlush >= settings.flushInterval().toNanos() || writer.backlog() >= SettlementWriter.MAX_BATCH) {
      lastFlush = wall;
      try {
        writer.flush();
      } catch (RuntimeException e) {
        LOG.warn("writing {} settlements failed, will retry: {}", writer.backlog(), e.toString());
        return;
      }
    }
    long now = clock.millis();
    if (now - lastSweep < 1000) {
      return;
    }
    lastSweep = now;
    try {
      // Walking every kept reservation is not free under load; a tenth of the timeout is soon enough.
      if (now - lastExpirySweep >= Math.min(10_000, Math.max(1, settings.reservationTimeout().toMillis() / 10))) {
        lastExpirySweep = now;
        expireOpen(now);
      }
      trimming.lock();
      try {
        trimClosed(now);
      } finally {
        trimming.unlock();
      }
      leases.returnIdle(now);
      if (now - lastRenewal >= settings.leaseTtl().toMillis() / 3) {
        lastRenewal = now;
        synchronized (writer) {
          // No flush may run between reading the store's leases and comparing them with local ones.
          leases.renewAndReconcile();
        }
        for (QuotaLease lease : leases.expireAbandoned()) {
          LOG.warn("lease of host {} on {} {} expired; {} returned to the pool", lease.hostId(),
              lease.key().account(), lease.key().meter().key(), lease.amount());
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("quota maintenance failed: {}", e.toString());
    }
  }

  private void expireOpen(long now) {
    for (Reservation reservation : allReservations()) {
      if (reservation.isOpen() && reservation.expiresAt <= now) {
        LOG.warn("reservation {} expired after {}; charged nothing", reservation.requestId,
            settings.reservationTimeout());
        end(reservation, UsageStatus.EXPIRED, "reservation_expired", null, null);
      }
    }
  }

  /** Forgets closed reservations beyond the newest {@value #CLOSED_KEPT} or older than ten minutes. */
  private void trimClosed(long now) {
    Reservation oldest;
    while ((oldest = recentlyClosed.peek()) != null) {
      UsageRecord outcome = oldest.outcome.get();
      boolean old = outcome != null && outcome.finishedAt().toEpochMilli() < now - CLOSED_KEPT_MILLIS;
      if (closedCount.get() <= CLOSED_KEPT && !old) {
        return;
      }
      if (recentlyClosed.remove(oldest)) {
        closedCount.decrementAndGet();
        reservationsOf(oldest.chain.tenantId()).remove(oldest.requestId, oldest);
      }
    }
  }

  private void requireRunning() {
    if (closed) {
      throw new NeuraSeaException(ErrorCode.UNAVAILABLE, "the quota engine is closed");
    }
  }

  /**
   * Stops the engine: open reservations expire (charged nothing), every settlement is written, and
   * unused leases go back to their pools.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    maintenance.shutdown();
    try {
      maintenance.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Reservation reservation : allReservations()) {
      if (reservation.isOpen()) {
        end(reservation, UsageStatus.EXPIRED, "host_closed", null, null);
      }
    }
    try {
      writer.flush();
      leases.returnAll();
    } catch (RuntimeException e) {
      LOG.error("{} settlements could not be written on close{}: {}", writer.backlog(),
          journal == SettlementJournal.NONE ? " and are lost" : "; the journal keeps them for the next start",
          e.toString());
    }
    if (journal instanceof MappedJournal mapped) {
      mapped.close(writer.backlog() == 0);
    }
  }

  // ---------------------------------------------------------------- recovery

  /**
   * Puts right what an earlier process of this host left: writes the settlements its journal holds
   * (the store skips those it has), records each reservation it left open as expired (charged
   * nothing), returns its remaining leases to their pools, and returns expired leases of any host.
   */
  private void recover(MappedJournal mapped) {
    int replayed = 0;
    int expired = 0;
    if (mapped != null && !mapped.recovered().isEmpty()) {
      Set<String> settled = new HashSet<>();
      List<Settlement> batch = new ArrayList<>();
      for (Object entry : mapped.recovered()) {
        if (entry instanceof Settlement settlement) {
          settled.add(settlement.usage().requestId());
          batch.add(settlement);
          if (batch.size() == SettlementWriter.MAX_BATCH) {
            replayed += writer.write(batch).size();
            batch.clear();
          }
        }
      }
      long now = clock.millis();
      for (Object entry : mapped.recovered()) {
        if (entry instanceof SettlementCodec.Opened opened && settled.add(opened.requestId())) {
          UsageRecord record = uncharged(opened.requestId(), opened.tenantId(), opened.userId(), opened.tokenId(),
              UsageStatus.EXPIRED, "host_crashed", opened.startedAt(), now, null, null);
          LocalDate day = days.dayOf(directory.zone(opened.tenantId()), now);
          batch.add(new Settlement(record, day, List.of()));
          expired++;
          if (batch.size() == SettlementWriter.MAX_BATCH) {
            writer.write(batch);
            batch.clear();
          }
        }
      }
      if (!batch.isEmpty()) {
        replayed += writer.write(batch).size();
      }
    }
    int returned = 0;
    for (QuotaLease lease : storage.quota().leasesOf(hostId)) {
      storage.quota().returnLease(lease.key(), hostId, lease.amount());
      returned++;
    }
    if (mapped != null) {
      mapped.recoveredWritten();
    }
    List<QuotaLease> abandoned = leases.expireAbandoned();
    if (replayed + expired + returned + abandoned.size() > 0) {
      LOG.warn("quota recovery of host {}: {} journalled settlements written, {} reservations left open by a crash"
          + " recorded as expired, {} leases of this host and {} expired leases of other hosts returned", hostId,
          replayed, expired, returned, abandoned.size());
    }
  }
}
