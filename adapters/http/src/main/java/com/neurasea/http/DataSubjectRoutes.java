package com.neurasea.http;

import com.neurasea.NeuraSea;
import com.neurasea.http.AdminRoutes.RawJson;
import com.neurasea.http.ApiBodies.GuardianConsent;
import com.neurasea.http.ApiBodies.IdentityVerification;
import com.neurasea.http.ApiBodies.Items;
import com.neurasea.http.ApiBodies.MinorChange;
import com.neurasea.http.ApiBodies.NewAcknowledgment;
import com.neurasea.http.ApiBodies.NewLegalHold;
import com.neurasea.http.ApiBodies.NewPolicyVersion;
import com.neurasea.http.ApiBodies.NewSubjectRequest;
import com.neurasea.http.ApiBodies.Page;
import com.neurasea.http.ApiBodies.RequestReason;
import com.neurasea.http.ApiBodies.RequestReceiptBody;
import com.neurasea.http.ApiBodies.RetentionReportBody;
import com.neurasea.http.ApiBodies.SubjectRequestBody;
import com.neurasea.model.Caller;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.FieldError;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PageRequest;
import com.neurasea.model.RequestStatus;
import com.neurasea.model.SubjectFlags;
import com.neurasea.model.SubjectRequest;
import com.neurasea.model.UserId;
import com.neurasea.permissions.PermissionService;
import com.neurasea.privacy.DataSubjectRights;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Routes of data-subject rights ({@link DataSubjectRights}): {@code /privacy/me/...},
 * {@code /privacy/requests}, {@code /privacy/users/{userId}/...}, {@code /privacy/policies},
 * {@code /privacy/retention/sweep}, and the tenant-scoped variants under
 * {@code /tenants/{tenantId}/privacy/...} through which tenant administrators act. Who may do what
 * is the service's decision; the routes only build the caller (platform level, or in the tenant of
 * the path after the same tenant-access check as the ledger's tenant routes, so another tenant
 * answers like an unknown one) and map bodies and answers. Listings only narrow what the service
 * returns: a tenant's listing shows the requests routed to that tenant, and a {@code userId} filter
 * never shows another person's requests in its place. The stored corrections of a rectification
 * are personal data and never leave the service; only their field names are shown.
 */
final class DataSubjectRoutes {
  private DataSubjectRoutes() {}

  static List<Route> all(NeuraSea platform) {
    DataSubjectRights rights = platform.dataSubjects();
    PermissionService permissions = platform.permissions();
    String privacy = PrivacyRoutes.PRIVACY;
    String requests = privacy + "/requests";
    String request = requests + "/{requestId}";
    String user = privacy + "/users/{userId}";
    String policies = privacy + "/policies";
    String policy = policies + "/{version}";
    String tenantPrivacy = AdminRoutes.TENANT + "/privacy";
    String tenantRequests = tenantPrivacy + "/requests";
    String tenantRequest = tenantRequests + "/{requestId}";
    String tenantUser = tenantPrivacy + "/users/{userId}";
    List<Route> routes = new ArrayList<>();

    // ---- everything held on a person, in one call
    routes.add(Route.get(privacy + "/me/export",
        call -> json(rights.exportPersonalData(call.platformCaller(), call.principal().userId()))));
    routes.add(Route.get(user + "/export",
        call -> json(rights.exportPersonalData(call.platformCaller(), call.userId()))));

    // ---- requests at platform level: one's own, or any for platform handlers
    routes.add(Route.post(requests, 201, NewSubjectRequest.class, call -> {
      NewSubjectRequest body = call.body(NewSubjectRequest.class);
      UserId subject = body.userId() == null ? call.principal().userId() : body.userId();
      return SubjectRequestBody.of(rights.submit(call.platformCaller(), subject, body.type(), body.corrections()));
    }));
    routes.add(Route.get(requests, call -> {
      UserId userId = call.queryUserId("userId");
      Set<RequestStatus> statuses = statuses(call);
      PageRequest page = call.page();
      return Page.of(bodies(rights.list(call.platformCaller(), userId, statuses, page)), page);
    }));
    // Before {requestId}: the literal path wins.
    routes.add(Route.get(requests + "/overdue",
        call -> Items.of(bodies(rights.overdue(call.platformCaller())))));
    routes.add(Route.get(request,
        call -> SubjectRequestBody.of(rights.get(call.platformCaller(), call.requestId()))));
    routes.add(Route.post(request + "/verify", 200, IdentityVerification.class,
        call -> SubjectRequestBody.of(rights.verifyIdentity(call.platformCaller(), call.requestId(),
            call.body(IdentityVerification.class).method()))));
    routes.add(Route.post(request + "/extend", 200, RequestReason.class,
        call -> SubjectRequestBody.of(rights.extend(call.platformCaller(), call.requestId(),
            call.body(RequestReason.class).reason()))));
    routes.add(Route.post(request + "/refuse", 200, RequestReason.class,
        call -> RequestReceiptBody.of(rights.refuse(call.platformCaller(), call.requestId(),
            call.body(RequestReason.class).reason()))));
    routes.add(Route.post(request + "/fulfil", 200, null,
        call -> RequestReceiptBody.of(rights.fulfil(call.platformCaller(), call.requestId()))));

    // ---- requests in a tenant: those routed to it, handled by its administrators
    routes.add(Route.post(tenantRequests, 201, NewSubjectRequest.class, call -> {
      Caller caller = tenantCaller(permissions, call);
      NewSubjectRequest body = call.body(NewSubjectRequest.class);
      if (body.userId() == null) {
        throw ApiFailure.invalid("userId", "is required");
      }
      return SubjectRequestBody.of(rights.submit(caller, body.userId(), body.type(), body.corrections()));
    }));
    routes.add(Route.get(tenantRequests, call -> {
      UserId userId = call.queryUserId("userId");
      Set<RequestStatus> statuses = statuses(call);
      PageRequest page = call.page();
      Caller caller = tenantCaller(permissions, call);
      return Page.of(bodies(rights.list(caller, userId, statuses, page)), page);
    }));
    routes.add(Route.get(tenantRequest, call -> {
      Caller caller = tenantCaller(permissions, call);
      return SubjectRequestBody.of(rights.get(caller, call.requestId()));
    }));
    routes.add(Route.post(tenantRequest + "/verify", 200, IdentityVerification.class, call -> {
      Caller caller = tenantCaller(permissions, call);
      return SubjectRequestBody.of(rights.verifyIdentity(caller, call.requestId(),
          call.body(IdentityVerification.class).method()));
    }));
    routes.add(Route.post(tenantRequest + "/extend", 200, RequestReason.class, call -> {
      Caller caller = tenantCaller(permissions, call);
      return SubjectRequestBody.of(rights.extend(caller, call.requestId(), call.body(RequestReason.class).reason()));
    }));
    routes.add(Route.post(tenantRequest + "/refuse", 200, RequestReason.class, call -> {
      Caller caller = tenantCaller(permissions, call);
      return RequestReceiptBody.of(rights.refuse(caller, call.requestId(), call.body(RequestReason.class).reason()));
    }));
    routes.add(Route.post(tenantRequest + "/fulfil", 200, null, call -> {
      Caller caller = tenantCaller(permissions, call);
      return RequestReceiptBody.of(rights.fulfil(caller, call.requestId()));
    }));

    // ---- legal holds (platform handlers)
    routes.add(Route.post(user + "/holds", 201, NewLegalHold.class, call -> {
      NewLegalHold body = call.body(NewLegalHold.class);
      return rights.placeHold(call.platformCaller(), call.userId(), body.categories(), body.reason());
    }));
    routes.add(Route.get(user + "/holds",
        call -> Items.of(rights.holds(call.platformCaller(), call.userId(), call.flag("active", false)))));
    routes.add(Route.delete(user + "/holds/{holdId}", 204, call -> {
      rights.releaseHold(call.platformCaller(), call.userId(), call.holdId());
      return null;
    }));

    // ---- privacy policy versions and acknowledgments
    routes.add(Route.post(policies, 201, NewPolicyVersion.class, call -> {
      NewPolicyVersion body = call.body(NewPolicyVersion.class);
      return rights.publishPolicy(call.platformCaller(), body.version(), body.effectiveAt(), body.summary(),
          body.text());
    }));
    routes.add(Route.get(policies, call -> Items.of(rights.policyVersions())));
    routes.add(Route.get(policies + "/current",
        call -> rights.currentPolicy().orElseThrow(() -> NeuraSeaException.notFound("policy version"))));
    routes.add(Route.post(policy + "/acknowledgments", 201, NewAcknowledgment.class,
        call -> rights.acknowledge(call.platformCaller(), call.path("version"), call.clientIp(),
            call.body(NewAcknowledgment.class).method())));
    routes.add(Route.get(policy + "/acknowledgments", call -> {
      PageRequest page = call.page();
      return Page.of(rights.acknowledgmentsOfVersion(call.platformCaller(), call.path("version"), page), page);
    }));
    routes.add(Route.get(privacy + "/me/acknowledgments",
        call -> Items.of(rights.acknowledgmentsOf(call.platformCaller(), call.principal().userId()))));

    // ---- minors and privacy flags
    routes.add(Route.put(user + "/minor", 200, MinorChange.class,
        call -> rights.markMinor(call.platformCaller(), call.userId(), call.body(MinorChange.class).minor())));
    routes.add(Route.post(user + "/guardian-consent", 200, GuardianConsent.class,
        call -> guardianConsent(rights, call.platformCaller(), call)));
    routes.add(Route.get(user + "/flags", call -> rights.flags(call.platformCaller(), call.userId())));
    routes.add(Route.put(tenantUser + "/minor", 200, MinorChange.class, call -> {
      Caller caller = tenantCaller(permissions, call);
      return rights.markMinor(caller, call.userId(), call.body(MinorChange.class).minor());
    }));
    routes.add(Route.post(tenantUser + "/guardian-consent", 200, GuardianConsent.class,
        call -> guardianConsent(rights, tenantCaller(permissions, call), call)));
    routes.add(Route.get(tenantUser + "/flags", call -> {
      Caller caller = tenantCaller(permissions, call);
      return rights.flags(caller, call.userId());
    }));

    // ---- retention
    routes.add(Route.post(privacy + "/retention/sweep", 200, null,
        call -> RetentionReportBody.of(rights.sweep(call.platformCaller()))));
    return List.copyOf(routes);
  }

  /** The caller in the path's tenant; a tenant the caller cannot see answers like an unknown one. */
  private static Caller tenantCaller(PermissionService permissions, ApiCall call) {
    Caller caller = call.tenantCaller();
    permissions.requireTenantAccess(caller);
    return caller;
  }

  /** The export, already JSON, sent as it is. */
  private static RawJson json(String export) {
    return new RawJson(export.getBytes(StandardCharsets.UTF_8));
  }

  private static List<SubjectRequestBody> bodies(List<SubjectRequest> requests) {
    return requests.stream().map(SubjectRequestBody::of).toList();
  }

  /** {@code ?status=}, repeatable or a comma list; empty for every status. */
  private static Set<RequestStatus> statuses(ApiCall call) {
    Set<RequestStatus> statuses = EnumSet.noneOf(RequestStatus.class);
    for (String value : call.queryList("status")) {
      statuses.add(Arrays.stream(RequestStatus.values()).filter(s -> s.name().equals(value)).findFirst()
          .orElseThrow(() -> ApiFailure.invalid("status", "must be one of " + Arrays.toString(RequestStatus.values()))));
    }
    return statuses;
  }

  /**
   * Records a guardian's consent. The service checks the reference as it checks a reason and names
   * the field {@code reason}; the body's field is {@code reference}, so the error names that.
   */
  private static SubjectFlags guardianConsent(DataSubjectRights rights, Caller caller, ApiCall call) {
    UserId userId = call.userId();
    String reference = call.body(GuardianConsent.class).reference();
    try {
      return rights.recordGuardianConsent(caller, userId, reference);
    } catch (NeuraSeaException e) {
      List<FieldError> fields = e.fieldErrors();
      if (e.code() == ErrorCode.INVALID_ARGUMENT && fields.size() == 1 && fields.get(0).field().equals("reason")) {
        throw ApiFailure.invalid("reference", fields.get(0).message());
      }
      throw e;
    }
  }
}
