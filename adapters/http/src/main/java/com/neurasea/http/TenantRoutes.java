package com.neurasea.http;

import com.neurasea.NeuraSea;
import com.neurasea.http.ApiBodies.Me;
import com.neurasea.http.ApiBodies.Page;
import com.neurasea.http.ApiBodies.TenantStatusChange;
import com.neurasea.model.CreateTenant;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Principal;
import com.neurasea.model.UpdateTenant;
import com.neurasea.tenancy.TenancyService;
import java.util.List;

/** Routes of the caller itself and of tenants: {@code /me}, {@code /tenants}. */
final class TenantRoutes {
  private TenantRoutes() {}

  static List<Route> all(NeuraSea platform) {
    TenancyService tenancy = platform.tenancy();
    String tenants = AdminRoutes.PREFIX + "/tenants";
    String tenant = tenants + "/{tenantId}";
    return List.of(
        Route.get(AdminRoutes.PREFIX + "/me", call -> {
          Principal principal = call.principal();
          return new Me(principal, tenancy.getUser(call.platformCaller(), principal.userId()));
        }),
        Route.post(tenants, 201, CreateTenant.class,
            call -> tenancy.createTenant(call.platformCaller(), call.body(CreateTenant.class))),
        Route.get(tenants, call -> {
          PageRequest page = call.page();
          return Page.of(tenancy.listTenants(call.platformCaller(), page), page);
        }),
        Route.get(tenant, call -> tenancy.getTenant(call.tenantCaller())),
        Route.patch(tenant, UpdateTenant.class,
            call -> tenancy.updateTenant(call.tenantCaller(), call.body(UpdateTenant.class))),
        Route.put(tenant + "/status", 200, TenantStatusChange.class,
            call -> tenancy.setTenantStatus(call.platformCaller(), call.tenantId(),
                call.body(TenantStatusChange.class).status())));
  }
}
