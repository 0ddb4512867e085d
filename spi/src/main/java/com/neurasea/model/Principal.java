package com.neurasea.model;

import java.util.Objects;

/**
 * An authenticated actor.
 *
 * @param kind user, API token or system
 * @param userId the acting user; null only for {@link PrincipalKind#SYSTEM}
 * @param tokenId the token used, for {@link PrincipalKind#API_TOKEN} only
 * @param tokenTenantId the tenant a token is bound to, for {@link PrincipalKind#API_TOKEN} only
 */
public record Principal(PrincipalKind kind, UserId userId, TokenId tokenId, TenantId tokenTenantId) {
  private static final Principal SYSTEM = new Principal(PrincipalKind.SYSTEM, null, null, null);

  /** Validates that the components fit the kind. */
  public Principal {
    Objects.requireNonNull(kind, "kind");
    boolean ok = switch (kind) {
      case USER -> userId != null && tokenId == null && tokenTenantId == null;
      case API_TOKEN -> userId != null && tokenId != null && tokenTenantId != null;
      case SYSTEM -> userId == null && tokenId == null && tokenTenantId == null;
    };
    if (!ok) {
      throw new IllegalArgumentException("principal components do not fit kind " + kind);
    }
  }

  /** A signed-in user. */
  public static Principal user(UserId userId) {
    return new Principal(PrincipalKind.USER, userId, null, null);
  }

  /** A user acting through an API token bound to a tenant. */
  public static Principal token(UserId userId, TokenId tokenId, TenantId tenantId) {
    return new Principal(PrincipalKind.API_TOKEN, userId, tokenId, tenantId);
  }

  /** The platform itself. */
  public static Principal system() {
    return SYSTEM;
  }
}
