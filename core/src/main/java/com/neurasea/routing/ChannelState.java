package com.neurasea.routing;

import com.neurasea.model.Channel;
import java.time.Instant;
import java.util.List;

/**
 * A channel and its health on this host, for the admin view.
 *
 * @param channel the channel (its settings and stored status)
 * @param breaker the circuit breaker's state
 * @param inFlight requests in flight to it now
 * @param latencyMillis exponentially weighted mean time to the response head, -1 before the first reply
 * @param requestsInWindow requests finished in the breaker window
 * @param failuresInWindow failures among them
 * @param coolingUntil until when it is skipped after a {@code Retry-After}, or null
 * @param recentErrors the latest failures, newest first (at most 20)
 */
public record ChannelState(Channel channel, BreakerState breaker, int inFlight, double latencyMillis,
    long requestsInWindow, long failuresInWindow, Instant coolingUntil, List<ChannelError> recentErrors) {}
