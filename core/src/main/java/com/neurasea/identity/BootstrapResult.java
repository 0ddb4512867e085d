package com.neurasea.identity;

import com.neurasea.model.IssuedToken;
import com.neurasea.model.Tenant;
import com.neurasea.model.User;
import java.util.Objects;

/**
 * What the first start of a platform created: the first tenant, its platform administrator and
 * the administrator's API token (shown once).
 *
 * @param tenant the first tenant
 * @param admin the platform administrator, owner of the first tenant
 * @param token the administrator's token with its secret
 */
public record BootstrapResult(Tenant tenant, User admin, IssuedToken token) {
  /** Validates the components. */
  public BootstrapResult {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(token, "token");
  }
}
