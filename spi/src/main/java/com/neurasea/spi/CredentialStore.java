package com.neurasea.spi;

import com.neurasea.model.ApiToken;
import com.neurasea.model.PageRequest;
import com.neurasea.model.TenantId;
import com.neurasea.model.TokenId;
import com.neurasea.model.UserId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Persistence of password hashes, lockout state and API tokens. Token secrets never reach a store:
 * only their keyed hashes do.
 */
public interface CredentialStore {
  /** Sets a user's password hash, resetting the lockout state. */
  void savePassword(UserId userId, String hash);

  /** Finds a user's password record. */
  Optional<PasswordRecord> findPassword(UserId userId);

  /** Records a failed sign-in: the new consecutive-failure count and the lockout end (null for none). */
  void recordLoginFailure(UserId userId, int failedAttempts, Instant lockedUntil);

  /** Records a successful sign-in, resetting the failure count and lockout. */
  void recordLoginSuccess(UserId userId, Instant at);

  /** Inserts a token with the keyed hash of its secret; CONFLICT on a duplicate hash. */
  void insertToken(ApiToken token, byte[] secretHash);

  /** Finds a token by the keyed hash of its secret, whatever its tenant. */
  Optional<ApiToken> findTokenByHash(byte[] secretHash);

  /** Finds a token of a tenant. */
  Optional<ApiToken> findToken(TenantId tenantId, TokenId tokenId);

  /** Lists a tenant's tokens, or only one user's when {@code userId} is not null. */
  List<ApiToken> listTokens(TenantId tenantId, UserId userId, PageRequest page);

  /** Marks a token revoked; false if absent or already revoked. */
  boolean revokeToken(TenantId tenantId, TokenId tokenId, Instant at);

  /** Records last-used times in one batch (a later time never moves back). */
  void recordTokenUse(Map<TokenId, Instant> lastUsed);

  /**
   * Deletes an account's password record and every API token it owns, in every tenant: for the
   * erasure of the account.
   *
   * @param userId the account
   * @return the number of rows deleted (password and tokens)
   */
  int deleteCredentials(UserId userId);
}
