package com.neurasea.model;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Changes a user's profile. A null field is left unchanged; an empty string clears it. Changing the
 * e-mail or phone clears its verification.
 *
 * @param displayName the new display name
 * @param email the new e-mail address
 * @param phone the new phone number in E.164 form
 */
public record UpdateUser(
    @Size(max = 128) String displayName,
    @Pattern(regexp = "|.+@.+", message = "must be a well-formed email address") @Email @Size(max = 254) String email,
    @Pattern(regexp = "|" + Patterns.E164_PHONE, message = "must be in E.164 form, e.g. +8613800138000")
        String phone) {}
