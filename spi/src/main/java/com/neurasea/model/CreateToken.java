package com.neurasea.model;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;

/**
 * Creates an API token for the calling user in the caller's tenant.
 *
 * @param name a label
 * @param expiresAt when it expires, null for never; must be in the future
 * @param ipAllowList addresses or CIDR ranges allowed to use it, null or empty for any
 * @param modelAllowList model names or patterns it may call, null or empty for whatever its user may use
 */
public record CreateToken(
    @NotBlank @Size(max = 128) String name,
    Instant expiresAt,
    @Size(max = 64) List<@NotNull @Pattern(regexp = Patterns.IP_OR_CIDR,
        message = "must be an IP address or CIDR range") String> ipAllowList,
    @Size(max = 64) List<@NotNull @Pattern(regexp = Patterns.MODEL_PATTERN,
        message = "must be a model name, optionally ending in '*'") String> modelAllowList) {}
