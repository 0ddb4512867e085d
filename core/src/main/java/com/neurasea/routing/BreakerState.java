package com.neurasea.routing;

/** A channel's circuit breaker. */
public enum BreakerState {
  /** Traffic flows; failures are counted. */
  CLOSED,
  /** Too many failures: no traffic until the open period ends (or a probe succeeds). */
  OPEN,
  /** One trial request is let through; its outcome closes or re-opens the breaker. */
  HALF_OPEN
}
