package com.neurasea.store.jdbc.internal;

import static com.neurasea.store.jdbc.internal.Rows.millis;

import com.neurasea.model.ApiToken;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PageRequest;
import com.neurasea.model.TenantId;
import com.neurasea.model.TokenId;
import com.neurasea.model.UserId;
import com.neurasea.spi.CredentialStore;
import com.neurasea.spi.PasswordRecord;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.statement.PreparedBatch;

/** Password hashes, lockout state and API tokens over a {@link Session}. */
public final class JdbcCredentialStore implements CredentialStore {
  private static final Conflicts TOKEN = Conflicts.fallback("id", "a token with this id already exists")
      .on("secret_hash", "secretHash", "a token with this secret already exists");
  private static final HexFormat HEX = HexFormat.of();
  private static final String TOKEN_COLUMNS = "id, tenant_id, user_id, name, prefix, created_at, expires_at, "
      + "revoked_at, last_used_at, ip_allow_list, model_allow_list";

  private final Session session;

  /**
   * Creates the store.
   *
   * @param session where its statements run
   */
  public JdbcCredentialStore(Session session) {
    this.session = Objects.requireNonNull(session, "session");
  }

  @Override
  public void savePassword(UserId userId, String hash) {
    Objects.requireNonNull(hash, "hash");
    session.call(h -> h.createUpdate("INSERT INTO passwords (user_id, hash, failed_attempts, locked_until, "
            + "last_login_at) VALUES (:userId, :hash, 0, NULL, NULL) ON CONFLICT (user_id) DO UPDATE SET "
            + "hash = excluded.hash, failed_attempts = 0, locked_until = NULL")
        .bind("userId", userId.value())
        .bind("hash", hash)
        .execute(), Conflicts.NONE);
  }

  @Override
  public Optional<PasswordRecord> findPassword(UserId userId) {
    return session.read(h -> h.createQuery("SELECT user_id, hash, failed_attempts, locked_until, last_login_at "
            + "FROM passwords WHERE user_id = :userId")
        .bind("userId", userId.value())
        .map((rs, ctx) -> Rows.password(rs))
        .findOne());
  }

  @Override
  public void recordLoginFailure(UserId userId, int failedAttempts, Instant lockedUntil) {
    session.call(h -> h.createUpdate("UPDATE passwords SET failed_attempts = :failed, locked_until = :lockedUntil "
            + "WHERE user_id = :userId")
        .bind("userId", userId.value())
        .bind("failed", failedAttempts)
        .bind("lockedUntil", millis(lockedUntil))
        .execute(), Conflicts.NONE);
  }

  @Override
  public void recordLoginSuccess(UserId userId, Instant at) {
    session.call(h -> h.createUpdate("UPDATE passwords SET failed_attempts = 0, locked_until = NULL, "
            + "last_login_at = :at WHERE user_id = :userId")
        .bind("userId", userId.value())
        .bind("at", millis(at))
        .execute(), Conflicts.NONE);
  }

  @Override
  public void insertToken(ApiToken token, byte[] secretHash) {
    String hash = HEX.formatHex(Objects.requireNonNull(secretHash, "secretHash"));
    session.call(h -> h.createUpdate("INSERT INTO api_tokens (" + TOKEN_COLUMNS + ", secret_hash) VALUES (:id, "
            + ":tenantId, :userId, :name, :prefix, :createdAt, :expiresAt, :revokedAt, :lastUsedAt, "
            + ":ipAllowList, :modelAllowList, :secretHash)")
        .bind("id", token.id().value())
        .bind("tenantId", token.tenantId().value())
        .bind("userId", token.userId().value())
        .bind("name", token.name())
        .bind("prefix", token.prefix())
        .bind("createdAt", millis(token.createdAt()))
        .bind("expiresAt", millis(token.expiresAt()))
        .bind("revokedAt", millis(token.revokedAt()))
        .bind("lastUsedAt", millis(token.lastUsedAt()))
        .bind("ipAllowList", StringLists.encode(token.ipAllowList()))
        .bind("modelAllowList", StringLists.encode(token.modelAllowList()))
        .bind("secretHash", hash)
        .execute(), TOKEN);
  }

  @Override
  public Optional<ApiToken> findTokenByHash(byte[] secretHash) {
    String hash = HEX.formatHex(Objects.requireNonNull(secretHash, "secretHash"));
    return session.read(h -> h.createQuery("SELECT " + TOKEN_COLUMNS + " FROM api_tokens WHERE secret_hash = :hash")
        .bind("hash", hash)
        .map((rs, ctx) -> Rows.token(rs))
        .findOne());
  }

  @Override
  public Optional<ApiToken> findToken(TenantId tenantId, TokenId tokenId) {
    return session.read(h -> h.createQuery("SELECT " + TOKEN_COLUMNS + " FROM api_tokens "
            + "WHERE id = :id AND tenant_id = :tenantId")
        .bind("id", tokenId.value())
        .bind("tenantId", tenantId.value())
        .map((rs, ctx) -> Rows.token(rs))
        .findOne());
  }

  @Override
  public List<ApiToken> listTokens(TenantId tenantId, UserId userId, PageRequest page) {
    String filter = userId == null ? "" : " AND user_id = :userId";
    return session.read(h -> {
      var query = h.createQuery("SELECT " + TOKEN_COLUMNS + " FROM api_tokens WHERE tenant_id = :tenantId"
              + filter + " ORDER BY created_at, id LIMIT :limit OFFSET :offset")
          .bind("tenantId", tenantId.value())
          .bind("limit", page.limit())
          .bind("offset", page.offset());
      if (userId != null) {
        query.bind("userId", userId.value());
      }
      return query.map((rs, ctx) -> Rows.token(rs)).list();
    });
  }

  @Override
  public boolean revokeToken(TenantId tenantId, TokenId tokenId, Instant at) {
    return session.call(h -> h.createUpdate("UPDATE api_tokens SET revoked_at = :at "
            + "WHERE id = :id AND tenant_id = :tenantId AND revoked_at IS NULL")
        .bind("id", tokenId.value())
        .bind("tenantId", tenantId.value())
        .bind("at", millis(Objects.requireNonNull(at, "at")))
        .execute(), Conflicts.NONE) > 0;
  }

  @Override
  public void recordTokenUse(Map<TokenId, Instant> lastUsed) {
    if (lastUsed.isEmpty()) {
      return;
    }
    session.atomic(h -> {
      PreparedBatch batch = h.prepareBatch("UPDATE api_tokens SET last_used_at = :at "
          + "WHERE id = :id AND (last_used_at IS NULL OR last_used_at < :at)");
      lastUsed.forEach((id, at) -> batch.bind("id", id.value()).bind("at", millis(at)).add());
      return batch.execute();
    }, Conflicts.NONE);
  }

  @Override
  public int deleteCredentials(UserId userId) {
    if (userId == null) {
      throw NeuraSeaException.invalid("userId", "is required");
    }
    return session.atomic(h -> h.createUpdate("DELETE FROM passwords WHERE user_id = :userId")
        .bind("userId", userId.value())
        .execute()
        + h.createUpdate("DELETE FROM api_tokens WHERE user_id = :userId")
        .bind("userId", userId.value())
        .execute(), Conflicts.NONE);
  }
}
