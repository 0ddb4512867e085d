package com.neurasea.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A tenant: an organization whose members, groups, roles and tokens are isolated from every other.
 *
 * @param id the identifier
 * @param slug a unique, URL-safe short name
 * @param name the display name
 * @param status the lifecycle status
 * @param timeZone the IANA time zone the tenant's calendar periods are aligned to
 * @param createdAt when it was created
 * @param updatedAt when it last changed
 */
public record Tenant(
    TenantId id, String slug, String name, TenantStatus status, String timeZone, Instant createdAt, Instant updatedAt) {
  /** Validates the components. */
  public Tenant {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(slug, "slug");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(timeZone, "timeZone");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /** Returns a copy with another status. */
  public Tenant withStatus(TenantStatus newStatus, Instant at) {
    return new Tenant(id, slug, name, newStatus, timeZone, createdAt, at);
  }
}
