package com.neurasea.model;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * Creates a group in the caller's tenant.
 *
 * @param name the name, unique among its siblings
 * @param parentId the parent group, null for a top-level group
 */
public record CreateGroup(@NotBlank @Size(max = 128) String name, GroupId parentId) {}
