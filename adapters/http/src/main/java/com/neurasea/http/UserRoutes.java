package com.neurasea.http;

import com.neurasea.NeuraSea;
import com.neurasea.http.ApiBodies.Items;
import com.neurasea.http.ApiBodies.NewMember;
import com.neurasea.http.ApiBodies.Page;
import com.neurasea.http.ApiBodies.PasswordChange;
import com.neurasea.http.ApiBodies.UserStatusChange;
import com.neurasea.model.CreateUser;
import com.neurasea.model.PageRequest;
import com.neurasea.model.UpdateUser;
import com.neurasea.tenancy.TenancyService;
import java.util.List;

/** Routes of a tenant's accounts and memberships: {@code .../users}, {@code .../members}. */
final class UserRoutes {
  private UserRoutes() {}

  static List<Route> all(NeuraSea platform) {
    TenancyService tenancy = platform.tenancy();
    String users = AdminRoutes.TENANT + "/users";
    String user = users + "/{userId}";
    String members = AdminRoutes.TENANT + "/members";
    return List.of(
        Route.post(users, 201, CreateUser.class,
            call -> tenancy.createUser(call.tenantCaller(), call.body(CreateUser.class))),
        Route.get(users, call -> {
          PageRequest page = call.page();
          return Page.of(tenancy.listMembers(call.tenantCaller(), page), page);
        }),
        Route.get(user, call -> tenancy.getUser(call.tenantCaller(), call.userId())),
        Route.patch(user, UpdateUser.class,
            call -> tenancy.updateUser(call.tenantCaller(), call.userId(), call.body(UpdateUser.class))),
        Route.put(user + "/status", 200, UserStatusChange.class,
            call -> tenancy.setUserStatus(call.tenantCaller(), call.userId(),
                call.body(UserStatusChange.class).status())),
        Route.put(user + "/password", 204, PasswordChange.class, call -> {
          tenancy.setPassword(call.tenantCaller(), call.userId(), call.body(PasswordChange.class).password());
          return null;
        }),
        Route.post(user + "/email-verification", 200, null,
            call -> tenancy.markEmailVerified(call.tenantCaller(), call.userId())),
        Route.post(user + "/phone-verification", 200, null,
            call -> tenancy.markPhoneVerified(call.tenantCaller(), call.userId())),
        Route.get(user + "/groups", call -> Items.of(platform.groups().groupsOfUser(call.tenantCaller(), call.userId()))),
        Route.post(members, 201, NewMember.class,
            call -> tenancy.addMember(call.tenantCaller(), call.body(NewMember.class).userId())),
        Route.delete(members + "/{userId}", 204, call -> {
          tenancy.removeMember(call.tenantCaller(), call.userId());
          return null;
        }));
  }
}
