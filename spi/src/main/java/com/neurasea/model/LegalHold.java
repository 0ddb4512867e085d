package com.neurasea.model;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A duty to keep some of a subject's information (litigation, an audit, a tax retention period):
 * an erasure restricts what a hold covers instead of deleting it.
 *
 * @param id its id
 * @param userId the subject
 * @param categories the category keys (or category groups such as {@code user.business}) it covers
 * @param reason why the information must be kept (no personal data)
 * @param createdAt when it was placed
 * @param releasedAt when it was released, or null while active
 */
public record LegalHold(HoldId id, UserId userId, List<String> categories, String reason, Instant createdAt,
    Instant releasedAt) {
  /** Copies the categories. */
  public LegalHold {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(userId, "userId");
    categories = List.copyOf(categories);
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** Whether the hold is in force. */
  public boolean active() {
    return releasedAt == null;
  }

  /** Whether it covers a category: the category itself or a group containing it. */
  public boolean covers(String category) {
    return categories.stream().anyMatch(c -> category.equals(c) || category.startsWith(c + "."));
  }
}
