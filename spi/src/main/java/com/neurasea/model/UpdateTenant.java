package com.neurasea.model;

import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Changes a tenant's settings. A null field is left unchanged.
 *
 * @param name the new display name
 * @param timeZone the new IANA time zone id
 */
public record UpdateTenant(
    @Size(min = 1, max = 128) @Pattern(regexp = ".*\\S.*", message = "must not be blank") String name,
    @Size(max = 64) String timeZone) {}
