package com.neurasea.model;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An API token's metadata. The secret itself is shown once at creation ({@link IssuedToken}) and
 * stored only as a keyed hash.
 *
 * @param id the identifier
 * @param tenantId the tenant the token acts in
 * @param userId the user the token acts as
 * @param name a label chosen by its owner
 * @param prefix the first characters of the secret, for display
 * @param createdAt when it was created
 * @param expiresAt when it expires, null for never
 * @param revokedAt when it was revoked, null if not revoked
 * @param lastUsedAt when it was last used (recorded at most about once a minute), null if never
 * @param ipAllowList client addresses or CIDR ranges allowed to use it, empty for any
 * @param modelAllowList model patterns it may call, empty for whatever its user may use
 */
public record ApiToken(
    TokenId id,
    TenantId tenantId,
    UserId userId,
    String name,
    String prefix,
    Instant createdAt,
    Instant expiresAt,
    Instant revokedAt,
    Instant lastUsedAt,
    List<String> ipAllowList,
    List<String> modelAllowList) {
  /** Validates the components and freezes the lists. */
  public ApiToken {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(createdAt, "createdAt");
    ipAllowList = List.copyOf(ipAllowList);
    modelAllowList = List.copyOf(modelAllowList);
  }

  /** Whether the token is usable at the given instant (neither revoked nor expired). */
  public boolean isActiveAt(Instant now) {
    return revokedAt == null && (expiresAt == null || now.isBefore(expiresAt));
  }
}
