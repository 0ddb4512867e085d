package com.neurasea.model;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Creates a tenant.
 *
 * @param slug a unique, URL-safe short name
 * @param name the display name
 * @param timeZone an IANA time zone id, null for UTC
 */
public record CreateTenant(
    @NotBlank @Pattern(regexp = Patterns.SLUG, message = "must be 3-63 lowercase letters, digits or dashes")
        String slug,
    @NotBlank @Size(max = 128) String name,
    @Size(max = 64) String timeZone) {}
