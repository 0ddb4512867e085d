package com.neurasea.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A model name shown to callers that stands for a real model. A tenant's alias hides a platform alias
 * of the same name. Channels then map the real model to their own upstream name.
 *
 * @param tenantId the tenant it belongs to, or null for a platform-wide alias
 * @param alias the name callers use
 * @param model the real model it stands for
 * @param createdAt when it was set
 */
public record ModelAlias(TenantId tenantId, String alias, String model, Instant createdAt) {
  /** Validates the components. */
  public ModelAlias {
    if (!ModelPrice.isModelName(alias)) {
      throw NeuraSeaException.invalid("alias", "must be 1-128 printable characters without spaces");
    }
    if (!ModelPrice.isModelName(model)) {
      throw NeuraSeaException.invalid("model", "must be 1-128 printable characters without spaces");
    }
    if (alias.equals(model)) {
      throw NeuraSeaException.invalid("model", "an alias cannot stand for itself");
    }
    Objects.requireNonNull(createdAt, "createdAt");
  }
}
