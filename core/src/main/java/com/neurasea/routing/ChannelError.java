package com.neurasea.routing;

import java.time.Instant;

/**
 * One failure of a channel, as the admin view shows it. Messages are the provider's error text or
 * the transport's, clipped; they never hold request content or credentials.
 *
 * @param at when it happened
 * @param status the upstream HTTP status, 0 when no response came
 * @param kind {@code connect}, {@code timeout}, {@code status}, {@code stream}, {@code unreadable} or {@code probe}
 * @param message what went wrong
 */
public record ChannelError(Instant at, int status, String kind, String message) {}
