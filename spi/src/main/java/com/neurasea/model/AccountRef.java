package com.neurasea.model;

import java.util.Objects;

/**
 * Names one quota account: a level of a tenant and the subject at that level.
 *
 * @param tenantId the tenant
 * @param level the level
 * @param subjectId the token, user or group id, or the tenant id itself at {@link QuotaLevel#TENANT}
 */
public record AccountRef(TenantId tenantId, QuotaLevel level, String subjectId) {
  /** Validates the components. */
  public AccountRef {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(level, "level");
    Ids.check("subjectId", subjectId);
    if (level == QuotaLevel.TENANT && !subjectId.equals(tenantId.value())) {
      throw NeuraSeaException.invalid("subjectId", "a tenant account's subject is the tenant itself");
    }
  }

  /** The account of a whole tenant. */
  public static AccountRef tenant(TenantId tenantId) {
    return new AccountRef(tenantId, QuotaLevel.TENANT, tenantId.value());
  }

  /** The account of a group. */
  public static AccountRef group(TenantId tenantId, GroupId groupId) {
    return new AccountRef(tenantId, QuotaLevel.GROUP, groupId.value());
  }

  /** The account of a user in a tenant. */
  public static AccountRef user(TenantId tenantId, UserId userId) {
    return new AccountRef(tenantId, QuotaLevel.USER, userId.value());
  }

  /** The account of an API token. */
  public static AccountRef token(TenantId tenantId, TokenId tokenId) {
    return new AccountRef(tenantId, QuotaLevel.TOKEN, tokenId.value());
  }

  /** {@code level subject}, as errors name it, e.g. {@code user usr_01…}. */
  @Override
  public String toString() {
    return level.key() + " " + subjectId;
  }
}
