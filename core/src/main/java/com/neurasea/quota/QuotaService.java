package com.neurasea.quota;

import com.neurasea.internal.Generations;
import com.neurasea.internal.Times;
import com.neurasea.model.AccountRef;
import com.neurasea.model.Caller;
import com.neurasea.model.DailyUsage;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.FieldError;
import com.neurasea.model.GroupId;
import com.neurasea.model.Meter;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Permissions;
import com.neurasea.model.PoolKey;
import com.neurasea.model.PoolState;
import com.neurasea.model.QuotaAccount;
import com.neurasea.model.QuotaLevel;
import com.neurasea.model.QuotaLimits;
import com.neurasea.model.Scope;
import com.neurasea.model.TenantId;
import com.neurasea.model.TokenId;
import com.neurasea.model.UsageQuery;
import com.neurasea.model.UsageRecord;
import com.neurasea.model.UserId;
import com.neurasea.permissions.PermissionService;
import com.neurasea.spi.Storage;
import com.neurasea.spi.Stores;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Quota administration and reporting: accounts and their limits, where they stand, usage records,
 * daily statistics and their CSV export. The hot path is {@link QuotaEngine}.
 */
@Singleton
public final class QuotaService {
  /** The longest span of days a statistics query covers. */
  public static final int MAX_DAYS = 366;
  private static final int LEASE_RETURN_TRIES = 20;
  private static final long LEASE_RETURN_WAIT_MILLIS = 250;

  private final Storage storage;
  private final Clock clock;
  private final PermissionService permissions;
  private final QuotaEngine engine;
  private final Generations generations;

  @Inject
  QuotaService(Storage storage, Clock clock, PermissionService permissions, QuotaEngine engine,
      Generations generations) {
    this.storage = storage;
    this.clock = clock;
    this.permissions = permissions;
    this.engine = engine;
    this.generations = generations;
  }

  // ---------------------------------------------------------------- accounts

  /**
   * Creates or changes an account's limits ({@code quotas:manage} in the tenant, or at the group for a
   * group's account). Lowering a budget takes effect at once and exactly: this host first returns
   * what it leased and does not hold, and the change waits (up to about five seconds) for other hosts
   * to return theirs.
   *
   * @param caller who sets them, acting in the account's tenant
   * @param ref the account
   * @param limits the limits
   * @return the account
   * @throws NeuraSeaException {@code NOT_FOUND} when the subject is not in the tenant,
   *     {@code FAILED_PRECONDITION} naming {@code budget} when it is below what the current period
   *     already spent, {@code CONFLICT} naming {@code budget} when hosts still hold leases above it
   */
  public QuotaAccount setLimits(Caller caller, AccountRef ref, QuotaLimits limits) {
    Objects.requireNonNull(limits, "limits");
    requireManage(caller, ref);
    requireSubject(ref);
    for (int attempt = 1; ; attempt++) {
      engine.returnUnused(ref);
      try {
        QuotaAccount account = storage.inLockingTransaction(stores -> write(stores, ref, limits));
        generations.bumpTenant(ref.tenantId());
        engine.returnUnused(ref);
        return account;
      } catch (LeasesOutstanding e) {
        if (attempt == LEASE_RETURN_TRIES) {
          throw NeuraSeaException.conflict("budget", "hosts still hold " + e.leased
              + " credits in leases above the new budget; try again in a few seconds");
        }
      }
      sleep();
    }
  }

  private QuotaAccount write(Stores stores, AccountRef ref, QuotaLimits limits) {
    Instant now = Times.now(clock);
    Optional<QuotaAccount> existing = stores.quota().findAccount(ref);
    if (limits.budget() != null) {
      ZoneId zone = zone(ref.tenantId());
      long start = PoolWindow.of(Meter.CREDITS, limits, now.toEpochMilli(), zone).start();
      // Locked until the change commits: no lease of this window is granted against the old limit meanwhile.
      PoolState pool = stores.quota().lockPool(new PoolKey(ref, Meter.CREDITS, start));
      if (pool.used() > limits.budget()) {
        throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "a budget of " + limits.budget()
            + " is below the " + pool.used() + " credits " + ref + " already spent this period",
            List.of(new FieldError("budget", "must be at least " + pool.used())), null);
      }
      if (pool.used() + pool.leased() > limits.budget()) {
        throw new LeasesOutstanding(pool.leased());
      }
    }
    if (existing.isEmpty()) {
      QuotaAccount account = new QuotaAccount(ref, limits, 0, now, now);
      stores.quota().insertAccount(account);
      return account;
    }
    QuotaAccount next = existing.get().withLimits(limits, now);
    if (!stores.quota().updateAccount(next)) {
      throw NeuraSeaException.conflict("account", ref + " changed meanwhile; try again");
    }
    return next;
  }

  /** Thrown inside the transaction to roll it back while other hosts still hold leases. */
  private static final class LeasesOutstanding extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final long leased;

    LeasesOutstanding(long leased) {
      super(null, null, false, false);
      this.leased = leased;
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(LEASE_RETURN_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NeuraSeaException(ErrorCode.UNAVAILABLE, "interrupted");
    }
  }

  /**
   * An account and where its meters stand ({@code quotas:manage} or {@code usage:read}; a user may
   * always read the accounts of their own user and tokens).
   *
   * @throws NeuraSeaException {@code NOT_FOUND} when the account does not exist
   */
  public QuotaStatus account(Caller caller, AccountRef ref) {
    requireRead(caller, ref);
    QuotaAccount account = storage.quota().findAccount(ref)
        .orElseThrow(() -> NeuraSeaException.notFound("quota account " + ref));
    Instant now = Times.now(clock);
    ZoneId zone = zone(ref.tenantId());
    List<QuotaStatus.MeterStatus> meters = new ArrayList<>();
    for (Meter meter : Meter.values()) {
      Long limit = account.limits().limitOf(meter);
      if (limit == null) {
        continue;
      }
      PoolWindow window = PoolWindow.of(meter, account.limits(), now.toEpochMilli(), zone);
      long start = window.start();
      long end = window.end();
      PoolState pool = storage.quota().findPool(new PoolKey(ref, meter, start))
          .orElse(new PoolState(new PoolKey(ref, meter, start), 0, 0));
      meters.add(new QuotaStatus.MeterStatus(meter, limit, pool.used(), pool.leased(),
          Math.max(0, limit - pool.used() - pool.leased()), Instant.ofEpochMilli(start),
          end == Long.MAX_VALUE ? null : Instant.ofEpochMilli(end)));
    }
    return new QuotaStatus(account, meters);
  }

  /** A tenant's accounts ({@code quotas:manage} or {@code usage:read}). */
  public List<QuotaAccount> accounts(Caller caller, PageRequest page) {
    TenantId tenant = caller.requireTenant();
    Objects.requireNonNull(page, "page");
    requireTenantRead(caller);
    return storage.quota().listAccounts(tenant, page);
  }

  /**
   * Deletes an account: its level is no longer limited ({@code quotas:manage}).
   *
   * @throws NeuraSeaException {@code NOT_FOUND} when it does not exist
   */
  public void deleteAccount(Caller caller, AccountRef ref) {
    requireManage(caller, ref);
    if (!storage.quota().deleteAccount(ref)) {
      throw NeuraSeaException.notFound("quota account " + ref);
    }
    generations.bumpTenant(ref.tenantId());
    engine.returnUnused(ref);
  }

  // ---------------------------------------------------------------- usage

  /**
   * Usage records of the caller's tenant, newest first: a user's own without a permission, anyone's
   * with {@code usage:read}.
   */
  public List<UsageRecord> usage(Caller caller, UsageQuery query, PageRequest page) {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(page, "page");
    TenantId tenant = caller.requireTenant();
    if (!tenant.equals(query.tenantId())) {
      throw NeuraSeaException.invalid("tenantId", "must be the caller's tenant");
    }
    if (!own(caller, query.userId())) {
      requireTenantRead(caller);
    }
    return storage.quota().listUsage(query, page);
  }

  /**
   * One usage record by request id (same permissions as {@link #usage}).
   *
   * @throws NeuraSeaException {@code NOT_FOUND} when there is none in the caller's tenant
   */
  public UsageRecord usageOf(Caller caller, String requestId) {
    TenantId tenant = caller.requireTenant();
    UsageRecord.checkRequestId(requestId);
    UsageRecord usage = storage.quota().findUsage(tenant, requestId)
        .orElseThrow(() -> NeuraSeaException.notFound("usage record " + requestId));
    if (!own(caller, usage.userId())) {
      requireTenantRead(caller);
    }
    return usage;
  }

  /**
   * Daily statistics of the caller's tenant ({@code billing:read} or {@code usage:read}; a user's own
   * without a permission).
   *
   * @param caller who asks
   * @param from the first day (tenant calendar)
   * @param to the last day, inclusive, at most {@value #MAX_DAYS} days after {@code from}
   * @param userId only this user's, or null
   * @param model only this model's, or null
   * @return the statistics, by day, user and model
   */
  public List<DailyUsage> daily(Caller caller, LocalDate from, LocalDate to, UserId userId, String model) {
    TenantId tenant = caller.requireTenant();
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (to.isBefore(from)) {
      throw NeuraSeaException.invalid("to", "must not be before from");
    }
    if (ChronoUnit.DAYS.between(from, to) >= MAX_DAYS) {
      throw NeuraSeaException.invalid("to", "a query covers at most " + MAX_DAYS + " days");
    }
    if (!own(caller, userId) && !permissions.check(caller, Permissions.BILLING_READ, Scope.tenant())) {
      requireTenantRead(caller);
    }
    return storage.quota().dailyUsage(tenant, from, to, userId, model);
  }

  /**
   * The daily statistics as CSV (RFC 4180, header row, UTF-8): {@code day,user_id,model,requests,
   * failed,prompt_tokens,completion_tokens,cached_tokens,cost}.
   */
  public String dailyCsv(Caller caller, LocalDate from, LocalDate to, UserId userId, String model) {
    StringBuilder csv = new StringBuilder("day,user_id,model,requests,failed,prompt_tokens,completion_tokens,"
        + "cached_tokens,cost\r\n");
    for (DailyUsage day : daily(caller, from, to, userId, model)) {
      csv.append(day.day()).append(',').append(day.userId() == null ? "" : day.userId().value()).append(',')
          .append(csvField(day.model())).append(',').append(day.requests()).append(',').append(day.failed())
          .append(',').append(day.promptTokens()).append(',').append(day.completionTokens()).append(',')
          .append(day.cachedTokens()).append(',').append(day.cost()).append("\r\n");
    }
    return csv.toString();
  }

  private static String csvField(String value) {
    if (value == null) {
      return "";
    }
    boolean quote = value.indexOf(',') >= 0 || value.indexOf('"') >= 0 || value.indexOf('\n') >= 0
        || value.indexOf('\r') >= 0 || (!value.isEmpty() && "=+-@".indexOf(value.charAt(0)) >= 0);
    if (!quote) {
      return value;
    }
    // A leading formula character is quoted with a leading apostrophe so spreadsheets show it as text.
    String text = "=+-@".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
    return '"' + text.replace("\"", "\"\"") + '"';
  }

  // ---------------------------------------------------------------- checks

  private void requireManage(Caller caller, AccountRef ref) {
    Objects.requireNonNull(ref, "ref");
    TenantId tenant = caller.requireTenant();
    if (!tenant.equals(ref.tenantId())) {
      throw NeuraSeaException.invalid("tenantId", "the account must be in the caller's tenant");
    }
    Scope scope = ref.level() == QuotaLevel.GROUP ? Scope.group(new GroupId(ref.subjectId()))
        : Scope.tenant();
    permissions.require(caller, Permissions.QUOTAS_MANAGE, scope);
  }

  private void requireRead(Caller caller, AccountRef ref) {
    Objects.requireNonNull(ref, "ref");
    TenantId tenant = caller.requireTenant();
    if (!tenant.equals(ref.tenantId())) {
      throw NeuraSeaException.invalid("tenantId", "the account must be in the caller's tenant");
    }
    UserId self = caller.principal().userId();
    boolean ownUser = self != null && ref.level() == QuotaLevel.USER
        && ref.subjectId().equals(self.value());
    boolean ownToken = self != null && ref.level() == QuotaLevel.TOKEN
        && storage.credentials().findToken(tenant, new TokenId(ref.subjectId()))
            .map(token -> token.userId().equals(self)).orElse(false);
    if (ownUser || ownToken) {
      permissions.requireTenantAccess(caller);
      return;
    }
    requireTenantRead(caller);
  }

  private void requireTenantRead(Caller caller) {
    if (!permissions.check(caller, Permissions.QUOTAS_MANAGE, Scope.tenant())) {
      permissions.require(caller, Permissions.USAGE_READ, Scope.tenant());
    }
  }

  private boolean own(Caller caller, UserId userId) {
    UserId self = caller.principal().userId();
    if (self == null || !self.equals(userId)) {
      return false;
    }
    permissions.requireTenantAccess(caller);
    return true;
  }

  private void requireSubject(AccountRef ref) {
    TenantId tenant = ref.tenantId();
    boolean exists = switch (ref.level()) {
      case TENANT -> storage.tenancy().findTenant(tenant).isPresent();
      case GROUP -> storage.tenancy().findGroup(tenant, new GroupId(ref.subjectId())).isPresent();
      case USER -> storage.tenancy().findMembership(tenant, new UserId(ref.subjectId())).isPresent();
      case TOKEN -> storage.credentials().findToken(tenant, new TokenId(ref.subjectId())).isPresent();
    };
    if (!exists) {
      throw NeuraSeaException.notFound(ref + " in tenant " + tenant);
    }
  }

  private ZoneId zone(TenantId tenantId) {
    return engine.zone(tenantId);
  }

}
