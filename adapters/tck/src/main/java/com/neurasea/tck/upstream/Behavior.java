package com.neurasea.tck.upstream;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link FakeUpstream} answers a request. Build one with the static factories ({@link #normal()},
 * {@link #status(int, String)}, …) and hand it to {@link FakeUpstream#behave(Behavior)} or {@link
 * FakeUpstream#behaveOnce(Behavior...)}.
 *
 * <p>Authentication ({@link FakeUpstream#expectKey(String)}) and Anthropic's {@code anthropic-version} header are
 * checked after {@link Hang} and {@link DelayHead} and before every other behaviour, so a request with a wrong key
 * gets 401 whatever the behaviour. Behaviours that describe a stream ({@link TruncateAfter}, {@link
 * MidStreamError}, {@link SlowStream}) count <em>content events</em>: one per word of the completion (OpenAI
 * {@code chat.completion.chunk} / {@code text_completion} chunks, Anthropic {@code content_block_delta}); events
 * before the content (Anthropic's {@code message_start}, {@code content_block_start}, {@code ping}) are always
 * sent.
 */
public sealed interface Behavior {

  /** Deterministic replies (see {@link FakeUpstream}). */
  static Behavior normal() {
    return new Normal();
  }

  /** Sleeps {@code delay} before the response head, then answers normally. */
  static Behavior delayHead(Duration delay) {
    return new DelayHead(delay, normal());
  }

  /** Sleeps {@code delay} before the response head, then behaves like {@code then}. */
  static Behavior delayHead(Duration delay, Behavior then) {
    return new DelayHead(delay, then);
  }

  /** An error reply with this status in the provider's error shape. */
  static Behavior status(int status) {
    return new Status(status, null);
  }

  /**
   * An error reply with this status in the provider's error shape, with a {@code Retry-After} header when {@code
   * retryAfterSecondsOrNull} is not null.
   */
  static Behavior status(int status, String retryAfterSecondsOrNull) {
    return new Status(status, retryAfterSecondsOrNull);
  }

  /**
   * The provider's "out of money" error: OpenAI and Azure answer 429 with type and code {@code insufficient_quota};
   * Anthropic answers 400 {@code invalid_request_error} "Your credit balance is too low…".
   */
  static Behavior insufficientQuota() {
    return new InsufficientQuota();
  }

  /**
   * 200 with a body that is not what the content type promises: non-streaming requests get {@code Content-Type:
   * application/json} with an HTML body; streaming requests get {@code Content-Type: text/event-stream} with the
   * same HTML (no {@code data:} lines), after which the response ends normally.
   */
  static Behavior garbage() {
    return new Garbage();
  }

  /**
   * Streaming: sends {@code events} content events (see the class comment), waits 50 ms (so a client reads them
   * before it notices the cut), then cuts the TCP connection: no terminating chunk, no {@code [DONE]} / {@code
   * message_stop}. Non-streaming: sends the head (with the full
   * {@code Content-Length}) and the first half of the JSON body, then cuts the connection.
   */
  static Behavior truncateAfter(int events) {
    return new TruncateAfter(events);
  }

  /**
   * Streaming: sends {@code events} content events, then an error event in the provider's format (OpenAI: {@code
   * data: {"error":{...}}}; Anthropic: {@code event: error} with {@code {"type":"error","error":{...}}}), then ends
   * the response cleanly. Non-streaming requests get the normal reply.
   */
  static Behavior midStreamError(int events) {
    return new MidStreamError(events);
  }

  /**
   * Streaming with a pause of {@code perEvent} before every event after the first; while pausing the server
   * watches the connection, so a client that goes away is noticed within one pause. Non-streaming requests get the
   * normal reply.
   */
  static Behavior slowStream(Duration perEvent) {
    return new SlowStream(perEvent);
  }

  /** Reads the request and never answers, until the client goes away or the fake is closed. */
  static Behavior hang() {
    return new Hang();
  }

  /** See {@link Behavior#normal()}. */
  record Normal() implements Behavior {}

  /** See {@link Behavior#delayHead(Duration, Behavior)}. */
  record DelayHead(Duration delay, Behavior then) implements Behavior {
    public DelayHead {
      Objects.requireNonNull(delay, "delay");
      Objects.requireNonNull(then, "then");
      if (delay.isNegative()) {
        throw new IllegalArgumentException("delay must not be negative: " + delay);
      }
    }
  }

  /** See {@link Behavior#status(int, String)}. */
  record Status(int status, String retryAfter) implements Behavior {
    public Status {
      if (status < 400 || status > 599) {
        throw new IllegalArgumentException("an error status is 400..599, not " + status);
      }
    }
  }

  /** See {@link Behavior#insufficientQuota()}. */
  record InsufficientQuota() implements Behavior {}

  /** See {@link Behavior#garbage()}. */
  record Garbage() implements Behavior {}

  /** See {@link Behavior#truncateAfter(int)}. */
  record TruncateAfter(int events) implements Behavior {
    public TruncateAfter {
      if (events < 0) {
        throw new IllegalArgumentException("events must not be negative: " + events);
      }
    }
  }

  /** See {@link Behavior#midStreamError(int)}. */
  record MidStreamError(int events) implements Behavior {
    public MidStreamError {
      if (events < 0) {
        throw new IllegalArgumentException("events must not be negative: " + events);
      }
    }
  }

  /** See {@link Behavior#slowStream(Duration)}. */
  record SlowStream(Duration perEvent) implements Behavior {
    public SlowStream {
      Objects.requireNonNull(perEvent, "perEvent");
      if (perEvent.isNegative()) {
        throw new IllegalArgumentException("perEvent must not be negative: " + perEvent);
      }
    }
  }

  /** See {@link Behavior#hang()}. */
  record Hang() implements Behavior {}
}
