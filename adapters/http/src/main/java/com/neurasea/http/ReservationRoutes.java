package com.neurasea.http;

import com.neurasea.NeuraSea;
import com.neurasea.http.QuotaBodies.NewReservation;
import com.neurasea.http.QuotaBodies.ReleaseBody;
import com.neurasea.http.QuotaBodies.ReservationBody;
import com.neurasea.http.QuotaBodies.SettleBody;
import com.neurasea.model.Caller;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.Permissions;
import com.neurasea.model.Principal;
import com.neurasea.model.PrincipalKind;
import com.neurasea.model.Scope;
import com.neurasea.model.UsageRecord;
import com.neurasea.permissions.PermissionService;
import com.neurasea.quota.QuotaEngine;
import com.neurasea.quota.Reservation;
import java.util.List;
import java.util.Objects;

/**
 * Metering for the host's own services ({@link QuotaEngine}): {@code POST .../reservations} holds a
 * request's worst case against the caller's own chain (an API token's token, user, groups and
 * tenant), {@code .../{requestId}/settle} charges what it really used and {@code .../release} frees
 * it. The caller is charged, so any member of the tenant may reserve; settling and releasing need
 * the reservation's own user (or {@code quotas:manage}), and a reservation of another tenant answers
 * like an unknown one. Reservations live in the memory of the host that made them: a settle must
 * reach that host ({@code hostId} in the reservation).
 */
final class ReservationRoutes {
  private ReservationRoutes() {}

  static List<Route> all(NeuraSea platform) {
    QuotaEngine engine = platform.quotaEngine();
    PermissionService permissions = platform.permissions();
    String reservations = AdminRoutes.TENANT + "/reservations";
    String reservation = reservations + "/{requestId}";
    return List.of(
        Route.post(reservations, 201, NewReservation.class, call -> {
          Caller caller = chargedCaller(permissions, call);
          NewReservation body = call.body(NewReservation.class);
          Reservation held = engine.reserve(engine.chainOf(caller), body.maxCost(), body.maxTokens(), body.requestId());
          return ReservationBody.of(held, engine.hostId());
        }),
        Route.post(reservation + "/settle", 200, SettleBody.class, call -> {
          Reservation held = reservationOf(engine, permissions, call);
          return engine.settle(held, call.body(SettleBody.class).usage());
        }),
        Route.postOptionalBody(reservation + "/release", 200, ReleaseBody.class, call -> {
          Reservation held = reservationOf(engine, permissions, call);
          ReleaseBody body = call.body(ReleaseBody.class);
          return engine.release(held, body == null ? null : body.errorCode());
        }));
  }

  /**
   * The caller in the path's tenant, charged there. An API token is charged in its own tenant only,
   * so a platform administrator's token cannot reserve in another tenant's name.
   */
  private static Caller chargedCaller(PermissionService permissions, ApiCall call) {
    Caller caller = call.tenantCaller();
    permissions.requireTenantAccess(caller);
    Principal principal = caller.principal();
    if (principal.kind() == PrincipalKind.API_TOKEN && !caller.tenantId().equals(principal.tokenTenantId())) {
      throw ApiFailure.invalid("tenantId", "an API token is charged in its own tenant, "
          + principal.tokenTenantId().value());
    }
    return caller;
  }

  /**
   * The open or recently closed reservation named by the path, held by this host in the path's
   * tenant; settling or releasing another user's needs {@code quotas:manage}.
   */
  private static Reservation reservationOf(QuotaEngine engine, PermissionService permissions, ApiCall call) {
    Caller caller = call.tenantCaller();
    permissions.requireTenantAccess(caller);
    String requestId = call.path("requestId");
    UsageRecord.checkRequestId(requestId);
    Reservation held = engine.find(caller.tenantId(), requestId)
        .orElseThrow(() -> NeuraSeaException.notFound("reservation " + requestId + " on this host"));
    boolean own = caller.principal().userId() != null
        && Objects.equals(caller.principal().userId(), held.chain().userId());
    if (!own) {
      permissions.require(caller, Permissions.QUOTAS_MANAGE, Scope.tenant());
    }
    return held;
  }
}
