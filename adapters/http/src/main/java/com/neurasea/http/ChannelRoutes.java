package com.neurasea.http;

import com.neurasea.NeuraSea;
import com.neurasea.http.ApiBodies.Items;
import com.neurasea.model.Caller;
import com.neurasea.model.ChannelId;
import com.neurasea.model.CreateChannel;
import com.neurasea.model.ModelAlias;
import com.neurasea.model.UpdateChannel;
import com.neurasea.routing.ChannelService;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Routes of gateway administration ({@link ChannelService}): a tenant's own channels under
 * {@code /tenants/{tenantId}/channels} and model aliases under {@code .../model-aliases}, and the
 * platform-wide ones under {@code /channels} and {@code /model-aliases}. {@code GET .../channels/health}
 * shows each channel's circuit breaker, in-flight requests, latency and recent errors on this host;
 * {@code POST .../channels/probe} probes disabled and open channels now. Credentials are write-only.
 */
final class ChannelRoutes {
  /** The body of {@code PUT .../model-aliases/{alias}}. */
  record AliasBody(String model) {}

  private ChannelRoutes() {}

  static List<Route> all(NeuraSea platform) {
    List<Route> routes = new ArrayList<>();
    routes.addAll(scoped(platform.channels(), AdminRoutes.TENANT, ApiCall::tenantCaller));
    routes.addAll(scoped(platform.channels(), AdminRoutes.PREFIX, ApiCall::platformCaller));
    return routes;
  }

  private static List<Route> scoped(ChannelService channels, String base, Function<ApiCall, Caller> caller) {
    String list = base + "/channels";
    String one = list + "/{channelId}";
    String aliases = base + "/model-aliases";
    return List.of(
        Route.get(list, call -> Items.of(channels.list(caller.apply(call)))),
        Route.post(list, 201, CreateChannel.class, call -> channels.create(caller.apply(call),
            call.body(CreateChannel.class))),
        // Before {channelId}: the literal paths win.
        Route.get(list + "/health", call -> Items.of(channels.states(caller.apply(call)))),
        Route.post(list + "/probe", 202, null, call -> {
          channels.probeNow(caller.apply(call));
          return null;
        }),
        Route.get(one, call -> channels.get(caller.apply(call), channelId(call))),
        Route.patch(one, UpdateChannel.class, call -> channels.update(caller.apply(call), channelId(call),
            call.body(UpdateChannel.class))),
        Route.delete(one, 204, call -> {
          channels.delete(caller.apply(call), channelId(call));
          return null;
        }),
        Route.get(aliases, call -> Items.of(channels.aliases(caller.apply(call)))),
        Route.put(aliases + "/{alias}", 200, AliasBody.class, call -> {
          AliasBody body = call.body(AliasBody.class);
          ModelAlias alias = channels.putAlias(caller.apply(call), call.path("alias"), body.model());
          return alias;
        }),
        Route.delete(aliases + "/{alias}", 204, call -> {
          channels.deleteAlias(caller.apply(call), call.path("alias"));
          return null;
        }));
  }

  private static ChannelId channelId(ApiCall call) {
    try {
      return ChannelId.of(call.path("channelId"));
    } catch (com.neurasea.model.NeuraSeaException e) {
      throw ApiFailure.invalid("channelId", "is not a well-formed channel id");
    }
  }
}
