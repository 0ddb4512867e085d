package com.neurasea.model;

/** Whether a channel takes traffic. */
public enum ChannelStatus {
  /** Takes traffic while its circuit breaker allows. */
  ENABLED,
  /** Turned off by an administrator; never probed. */
  DISABLED,
  /**
   * Turned off by the gateway after the provider refused its credentials (401/403) or reported its
   * account out of quota; probed periodically and enabled again when a probe succeeds.
   */
  AUTO_DISABLED
}
