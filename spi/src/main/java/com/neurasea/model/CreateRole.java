package com.neurasea.model;

import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Set;

/**
 * Creates a custom role in the caller's tenant, or (with {@code TenancyService.updateRole}) replaces
 * a custom role's description and permissions.
 *
 * @param name the name, unique in the tenant
 * @param description a description, may be null
 * @param permissions the permission patterns it grants; the caller must hold each of them
 */
public record CreateRole(
    @NotNull @Pattern(regexp = Patterns.ROLE_NAME, message = "must be 2-64 lowercase letters, digits, '.', '_' or '-'")
        String name,
    @Size(max = 512) String description,
    @NotEmpty @Size(max = 500)
        Set<@NotNull @Size(max = 200) @Pattern(regexp = Permissions.PATTERN_REGEX,
            message = "is not a well-formed permission or pattern") String> permissions) {}
