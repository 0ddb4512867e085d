package com.neurasea.routing;

/** A request the gateway is serving. */
public interface GatewayCall {
  /**
   * The client went away: the upstream call is cancelled and the request settled by the
   * disconnect policy ({@link Gateway} explains it). Idempotent; a no-op once the request ended.
   */
  void cancel();
}
