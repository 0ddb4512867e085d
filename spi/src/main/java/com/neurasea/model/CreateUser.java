package com.neurasea.model;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Creates a user account and makes it a member of the caller's tenant.
 *
 * @param username the unique sign-in name
 * @param displayName a display name, may be null
 * @param email an e-mail address, may be null
 * @param phone a phone number in E.164 form, may be null
 * @param loginMethod how the user signs in
 * @param password the initial password, required for {@link LoginMethod#PASSWORD} and only for it
 */
public record CreateUser(
    @NotNull @Pattern(regexp = Patterns.USERNAME,
        message = "must be 3-64 letters, digits, '.', '_' or '-', starting with a letter or digit") String username,
    @Size(max = 128) String displayName,
    @Email @Size(max = 254) String email,
    @Pattern(regexp = Patterns.E164_PHONE, message = "must be in E.164 form, e.g. +8613800138000") String phone,
    @NotNull LoginMethod loginMethod,
    @Size(min = 12, max = 256) String password) {

  @Override
  public String toString() {
    return "CreateUser[username=" + username + ", loginMethod=" + loginMethod + "]";
  }
}
