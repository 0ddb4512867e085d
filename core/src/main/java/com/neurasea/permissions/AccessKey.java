package com.neurasea.permissions;

import com.neurasea.model.TenantId;
import com.neurasea.model.UserId;

/** Cache key of an {@link AccessSnapshot}: a user in a tenant (null for platform level). */
record AccessKey(UserId userId, TenantId tenantId, boolean platformOnly) {}
