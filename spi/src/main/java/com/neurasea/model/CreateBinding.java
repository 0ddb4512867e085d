package com.neurasea.model;

import jakarta.validation.constraints.NotNull;

/**
 * Grants a role to a user or group of the caller's tenant at the tenant or a group scope.
 *
 * @param subject the user or group
 * @param roleId the role (built-in or a custom role of the tenant)
 * @param scope the whole tenant or one group
 */
public record CreateBinding(@NotNull Subject subject, @NotNull RoleId roleId, @NotNull Scope scope) {}
