package com.neurasea.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A user account. Accounts are platform-wide (one username, one sign-in) and belong to tenants
 * through {@link Membership}s.
 *
 * @param id the identifier
 * @param username the unique sign-in name (unique ignoring case)
 * @param displayName a display name, may be null
 * @param email the e-mail address, may be null
 * @param phone the phone number in E.164 form, may be null
 * @param loginMethod how the user signs in
 * @param emailVerifiedAt when the e-mail address was verified, null if not verified
 * @param phoneVerifiedAt when the phone number was verified, null if not verified
 * @param status the account status
 * @param createdAt when it was created
 * @param updatedAt when it last changed
 */
public record User(
    UserId id,
    String username,
    String displayName,
    String email,
    String phone,
    LoginMethod loginMethod,
    Instant emailVerifiedAt,
    Instant phoneVerifiedAt,
    AccountStatus status,
    Instant createdAt,
    Instant updatedAt) {
  /** Validates the components. */
  public User {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(loginMethod, "loginMethod");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /** Whether the e-mail address has been verified. */
  public boolean emailVerified() {
    return emailVerifiedAt != null;
  }

  /** Whether the phone number has been verified. */
  public boolean phoneVerified() {
    return phoneVerifiedAt != null;
  }

  /**
   * Returns a copy with a profile change applied: a null field of the change keeps the current
   * value, an empty one clears it, and a changed e-mail or phone loses its verification.
   *
   * @param change the change
   * @param at when it was made
   * @return the changed user
   */
  public User withProfile(UpdateUser change, Instant at) {
    String newEmail = change.email() == null ? email : emptyToNull(change.email());
    String newPhone = change.phone() == null ? phone : emptyToNull(change.phone());
    return new User(id, username, change.displayName() == null ? displayName : emptyToNull(change.displayName()),
        newEmail, newPhone, loginMethod, Objects.equals(newEmail, email) ? emailVerifiedAt : null,
        Objects.equals(newPhone, phone) ? phoneVerifiedAt : null, status, createdAt, at);
  }

  private static String emptyToNull(String value) {
    return value == null || value.isEmpty() ? null : value;
  }

  /** Returns a copy with another status. */
  public User withStatus(AccountStatus newStatus, Instant at) {
    return new User(id, username, displayName, email, phone, loginMethod, emailVerifiedAt, phoneVerifiedAt,
        newStatus, createdAt, at);
  }
}
