package com.neurasea.http;

import com.neurasea.NeuraSea;
import com.neurasea.http.ApiBodies.Items;
import com.neurasea.http.ApiBodies.Page;
import com.neurasea.http.ApiBodies.PermissionAnswer;
import com.neurasea.http.ApiBodies.PermissionQuestion;
import com.neurasea.model.CreateBinding;
import com.neurasea.model.CreateRole;
import com.neurasea.model.GroupId;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Permissions;
import com.neurasea.model.Scope;
import com.neurasea.model.ScopeKind;
import com.neurasea.model.Subject;
import com.neurasea.model.SubjectKind;
import com.neurasea.permissions.PermissionService;
import java.util.Arrays;
import java.util.List;

/** Routes of roles, role bindings and permission queries. */
final class AccessRoutes {
  private AccessRoutes() {}

  static List<Route> all(NeuraSea platform) {
    PermissionService permissions = platform.permissions();
    String roles = AdminRoutes.TENANT + "/roles";
    String role = roles + "/{roleId}";
    String bindings = AdminRoutes.TENANT + "/bindings";
    String permitted = AdminRoutes.TENANT + "/permissions";
    return List.of(
        Route.post(roles, 201, CreateRole.class,
            call -> permissions.createRole(call.tenantCaller(), call.body(CreateRole.class))),
        Route.get(roles, call -> Items.of(permissions.listRoles(call.tenantCaller()))),
        Route.get(role, call -> permissions.getRole(call.tenantCaller(), call.roleId())),
        Route.put(role, 200, CreateRole.class,
            call -> permissions.updateRole(call.tenantCaller(), call.roleId(), call.body(CreateRole.class))),
        Route.delete(role, 204, call -> {
          permissions.deleteRole(call.tenantCaller(), call.roleId());
          return null;
        }),
        Route.post(bindings, 201, CreateBinding.class,
            call -> permissions.createBinding(call.tenantCaller(), tenantBinding(call.body(CreateBinding.class)))),
        Route.get(bindings, call -> {
          PageRequest page = call.page();
          return Page.of(permissions.listBindings(call.tenantCaller(), subject(call), page), page);
        }),
        Route.delete(bindings + "/{bindingId}", 204, call -> {
          permissions.deleteBinding(call.tenantCaller(), call.bindingId());
          return null;
        }),
        Route.post(AdminRoutes.PREFIX + "/platform/bindings", 201, CreateBinding.class,
            call -> permissions.createBinding(call.platformCaller(),
                platformBinding(call.body(CreateBinding.class)))),
        Route.get(permitted, call -> Items.of(permissions.listPermitted(call.tenantCaller(), scope(call)))),
        Route.post(permitted + "/check", 200, PermissionQuestion.class, call -> {
          PermissionQuestion question = call.body(PermissionQuestion.class);
          requirePermission(question.permission());
          Scope scope = question.groupId() == null ? Scope.tenant() : Scope.group(question.groupId());
          return new PermissionAnswer(permissions.check(call.tenantCaller(), question.permission(), scope));
        }));
  }

  private static CreateBinding tenantBinding(CreateBinding command) {
    if (command.scope() != null && command.scope().kind() == ScopeKind.PLATFORM) {
      throw ApiFailure.invalid("scope.kind",
          "must be TENANT or GROUP here; grant platform roles with POST " + AdminRoutes.PREFIX + "/platform/bindings");
    }
    return command;
  }

  private static CreateBinding platformBinding(CreateBinding command) {
    if (command.scope() == null) {
      return new CreateBinding(command.subject(), command.roleId(), Scope.platform());
    }
    if (command.scope().kind() != ScopeKind.PLATFORM) {
      throw ApiFailure.invalid("scope.kind", "must be PLATFORM here; grant tenant roles under /tenants/{tenantId}");
    }
    return command;
  }

  private static Subject subject(ApiCall call) {
    String kind = call.query("subjectKind");
    String id = call.query("subjectId");
    if (kind == null && id == null) {
      return null;
    }
    if (kind == null || id == null) {
      throw ApiFailure.invalid(kind == null ? "subjectKind" : "subjectId",
          "is required when " + (kind == null ? "subjectId" : "subjectKind") + " is given");
    }
    SubjectKind parsed = Arrays.stream(SubjectKind.values()).filter(k -> k.name().equals(kind)).findFirst()
        .orElseThrow(() -> ApiFailure.invalid("subjectKind", "must be one of " + Arrays.toString(SubjectKind.values())));
    try {
      return new Subject(parsed, id);
    } catch (com.neurasea.model.NeuraSeaException e) {
      throw ApiFailure.invalid("subjectId", e.fieldErrors().isEmpty() ? "is malformed" : e.fieldErrors().get(0).message());
    }
  }

  private static Scope scope(ApiCall call) {
    String group = call.query("groupId");
    return group == null ? Scope.tenant() : Scope.group(GroupId.of(group));
  }

  private static void requirePermission(String permission) {
    if (permission == null || permission.isBlank()) {
      throw ApiFailure.invalid("permission", "is required");
    }
    if (!Permissions.isWellFormed(permission)) {
      throw ApiFailure.invalid("permission", "is not a well-formed permission, e.g. models:use:gpt-4o");
    }
  }
}
