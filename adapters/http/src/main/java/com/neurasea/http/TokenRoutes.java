package com.neurasea.http;

import com.neurasea.NeuraSea;
import com.neurasea.http.ApiBodies.Page;
import com.neurasea.identity.IdentityService;
import com.neurasea.model.CreateToken;
import com.neurasea.model.PageRequest;
import java.util.List;

/**
 * Routes of API tokens. Creation answers the token's metadata and its secret, the only time the
 * secret is ever sent; every other answer carries metadata only.
 */
final class TokenRoutes {
  private TokenRoutes() {}

  static List<Route> all(NeuraSea platform) {
    IdentityService identity = platform.identity();
    String tokens = AdminRoutes.TENANT + "/tokens";
    String token = tokens + "/{tokenId}";
    return List.of(
        Route.post(tokens, 201, CreateToken.class,
            call -> identity.createToken(call.tenantCaller(), call.body(CreateToken.class))),
        Route.get(tokens, call -> {
          PageRequest page = call.page();
          return Page.of(identity.listTokens(call.tenantCaller(), call.flag("all", false), page), page);
        }),
        Route.get(token, call -> identity.getToken(call.tenantCaller(), call.tokenId())),
        Route.delete(token, 200, call -> identity.revokeToken(call.tenantCaller(), call.tokenId())));
  }
}
