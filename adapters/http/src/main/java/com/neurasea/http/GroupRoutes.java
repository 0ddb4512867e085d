package com.neurasea.http;

import com.neurasea.NeuraSea;
import com.neurasea.http.ApiBodies.Page;
import com.neurasea.model.CreateGroup;
import com.neurasea.model.PageRequest;
import com.neurasea.tenancy.GroupService;
import java.util.List;

/** Routes of a tenant's groups and their members: {@code .../groups}. */
final class GroupRoutes {
  private GroupRoutes() {}

  static List<Route> all(NeuraSea platform) {
    GroupService service = platform.groups();
    String groups = AdminRoutes.TENANT + "/groups";
    String group = groups + "/{groupId}";
    String member = group + "/members/{userId}";
    return List.of(
        Route.post(groups, 201, CreateGroup.class,
            call -> service.createGroup(call.tenantCaller(), call.body(CreateGroup.class))),
        Route.get(groups, call -> {
          PageRequest page = call.page();
          return Page.of(service.listGroups(call.tenantCaller(), page), page);
        }),
        Route.get(group, call -> service.getGroup(call.tenantCaller(), call.groupId())),
        Route.put(group, 200, CreateGroup.class,
            call -> service.updateGroup(call.tenantCaller(), call.groupId(), call.body(CreateGroup.class))),
        Route.delete(group, 204, call -> {
          service.deleteGroup(call.tenantCaller(), call.groupId());
          return null;
        }),
        Route.get(group + "/members", call -> {
          PageRequest page = call.page();
          return Page.of(service.listGroupMembers(call.tenantCaller(), call.groupId(), page), page);
        }),
        Route.put(member, 204, null, call -> {
          service.addGroupMember(call.tenantCaller(), call.groupId(), call.userId());
          return null;
        }),
        Route.delete(member, 204, call -> {
          service.removeGroupMember(call.tenantCaller(), call.groupId(), call.userId());
          return null;
        }));
  }
}
