package com.neurasea.spi;

import com.neurasea.model.AccountRef;
import com.neurasea.model.DailyUsage;
import com.neurasea.model.ModelPrice;
import com.neurasea.model.PageRequest;
import com.neurasea.model.PoolKey;
import com.neurasea.model.PoolState;
import com.neurasea.model.QuotaAccount;
import com.neurasea.model.QuotaLease;
import com.neurasea.model.TenantId;
import com.neurasea.model.UsageQuery;
import com.neurasea.model.UsageRecord;
import com.neurasea.model.UserId;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * Persistence of quotas: accounts and their limits, pools (one per meter, account and window),
 * hosts' leases on pools, usage records with their daily statistics, and model prices.
 *
 * <p>Obtained from {@link Stores#quota()}. The store keeps, for every pool, {@code used + leased <=
 * limit}, where the limit is the account's current limit for the pool's meter; methods that change
 * pools must run in one {@link Storage#inTransaction} so concurrent hosts never see a half-applied
 * change. Instants are kept to the millisecond.
 */
public interface QuotaStore {
  /**
   * Stores a new account.
   *
   * @param account the account, version 0
   * @throws com.neurasea.model.NeuraSeaException {@code CONFLICT} naming {@code account} when it exists
   */
  void insertAccount(QuotaAccount account);

  /**
   * An account.
   *
   * @param ref which
   * @return the account, or empty
   */
  Optional<QuotaAccount> findAccount(AccountRef ref);

  /**
   * A tenant's accounts, ordered by level (token, user, group, tenant) then subject.
   *
   * @param tenantId the tenant
   * @param page the page
   * @return the accounts
   */
  List<QuotaAccount> listAccounts(TenantId tenantId, PageRequest page);

  /**
   * Replaces an account's limits if it is still at the version before {@code next.version()}.
   *
   * @param next the new state
   * @return false when it is missing or changed in between (nothing written)
   */
  boolean updateAccount(QuotaAccount next);

  /**
   * Deletes an account with its pools and leases. Charges that arrive for it later are not counted.
   *
   * @param ref which
   * @return whether it existed
   */
  boolean deleteAccount(AccountRef ref);

  /**
   * A pool's state.
   *
   * @param key the pool
   * @return the state, or empty when nothing was ever leased or charged in it
   */
  Optional<PoolState> findPool(PoolKey key);

  /**
   * Locks a pool for the rest of the enclosing transaction, creating it empty when absent, and
   * returns its state. A limit change locks the pool of the budget's current window this way before
   * it checks what is spent and leased, and {@link #lease} reads the limit only after it has locked
   * the pool, so a lease either sees the new limit or is counted in the change's check.
   *
   * @param key the pool
   * @return its state
   */
  PoolState lockPool(PoolKey key);

  /**
   * Leases allowance of a pool to a host: grants {@code min(want, limit - used - leased)} if that is
   * at least {@code min}, otherwise nothing (and writes nothing). A granted amount adds to the host's
   * lease on the pool and moves its expiry to {@code expiresAt} if later.
   *
   * @param key the pool
   * @param min the least that is useful, 1 or more
   * @param want the most wanted, {@code min} or more
   * @param hostId the host
   * @param expiresAt when the lease returns to the pool unless renewed
   * @return the amount granted, 0 when less than {@code min} was free
   * @throws com.neurasea.model.NeuraSeaException {@code NOT_FOUND} when the account does not exist,
   *     {@code FAILED_PRECONDITION} when its meter has no limit
   */
  long lease(PoolKey key, long min, long want, String hostId, Instant expiresAt);

  /**
   * Returns unused allowance of a host's lease to its pool.
   *
   * @param key the pool
   * @param hostId the host
   * @param amount how much, at most what the host holds
   * @throws com.neurasea.model.NeuraSeaException {@code FAILED_PRECONDITION} when the host holds
   *     less (nothing written)
   */
  void returnLease(PoolKey key, String hostId, long amount);

  /**
   * Writes usage records and consumes their charges. A record whose request id is already stored for
   * its tenant is skipped with its charges (so a replayed settlement never charges twice). Each charge is taken
   * from the host's lease on its pool first and from the pool's free allowance after that; all the
   * charges of one meter in one settlement consume the same amount, the most that every one of their
   * pools can cover up to the amount asked. A {@code CREDITS} shortfall lowers the record's cost and
   * raises its {@code uncharged} by as much. Charges to a deleted account are not counted. Adds each
   * written record to the daily statistics.
   *
   * @param hostId the settling host
   * @param settlements the settlements, each with a distinct request id within its tenant
   * @return the records written, as stored, in the order given (skipped ones left out)
   */
  List<UsageRecord> settle(String hostId, List<Settlement> settlements);

  /**
   * Extends every lease a host holds.
   *
   * @param hostId the host
   * @param expiresAt the new expiry
   * @return how many leases the host holds
   */
  int renewLeases(String hostId, Instant expiresAt);

  /**
   * Removes leases that expired before a time and returns their amounts to their pools.
   *
   * @param now the time
   * @param limit at most this many
   * @return the leases removed
   */
  List<QuotaLease> expireLeases(Instant now, int limit);

  /**
   * The leases a host holds.
   *
   * @param hostId the host
   * @return its leases
   */
  List<QuotaLease> leasesOf(String hostId);

  /**
   * Deletes per-minute pools (requests, tokens) of windows that started before a time and have
   * nothing leased.
   *
   * @param windowStartBefore epoch milliseconds
   * @return how many were deleted
   */
  int deleteStalePools(long windowStartBefore);

  /**
   * A usage record by request id. Request ids are unique within a tenant.
   *
   * @param tenantId the tenant
   * @param requestId the request id
   * @return the record, or empty
   */
  Optional<UsageRecord> findUsage(TenantId tenantId, String requestId);

  /**
   * Usage records, newest first by {@code finishedAt} (then request id).
   *
   * @param query which
   * @param page the page
   * @return the records
   */
  List<UsageRecord> listUsage(UsageQuery query, PageRequest page);

  /**
   * A user's usage records in every tenant, newest first (for the subject's access export).
   *
   * @param userId the user
   * @param page the page
   * @return the records
   */
  List<UsageRecord> usageOfUser(UserId userId, PageRequest page);

  /**
   * Daily statistics, ordered by day, user (requests without a user first) and model.
   *
   * @param tenantId the tenant
   * @param from the first day
   * @param to the last day, inclusive
   * @param userId only this user's, or null for all
   * @param model only this model's, or null for all
   * @return the statistics
   */
  List<DailyUsage> dailyUsage(TenantId tenantId, LocalDate from, LocalDate to, UserId userId, String model);

  /**
   * Clears the client IP and user agent of a user's usage records.
   *
   * @param userId the user
   * @return how many records changed
   */
  int eraseUsageDetails(UserId userId);

  /**
   * Clears the client IP and user agent of records finished before a time.
   *
   * @param finishedBefore the cutoff
   * @return how many records changed
   */
  int eraseUsageDetailsBefore(Instant finishedBefore);

  /**
   * Stores a price version.
   *
   * @param price the version
   * @throws com.neurasea.model.NeuraSeaException {@code CONFLICT} naming {@code effectiveFrom} when
   *     the same tenant (or the platform) already has a version of the model effective at that instant
   */
  void insertPrice(ModelPrice price);

  /**
   * Price versions a tenant sees: the platform-wide ones and the tenant's own, ordered by model,
   * then effective time, platform-wide before the tenant's.
   *
   * @param tenantId the tenant, or null for the platform-wide versions only
   * @param model only this model's, or null for all
   * @return the versions
   */
  List<ModelPrice> listPrices(TenantId tenantId, String model);
}
