package com.neurasea.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A channel's breaker, cool-down, limits and latency, on a clock the test moves by hand. */
class ChannelHealthTest {
  private static final long T0 = 1_767_225_600_000L;
  private static final long OPEN_MILLIS = 1_000;

  /** Window 10 s, at least 4 requests, 50 %, 3 in a row, open 1 s. */
  private static ChannelHealth health() {
    return new ChannelHealth(GatewaySettings.DEFAULT.withBreaker(10_000, 4, 50, 3, OPEN_MILLIS, 60_000));
  }

  private static ChannelError error(long now) {
    return new ChannelError(Instant.ofEpochMilli(now), 500, "status", "HTTP 500");
  }

  private static void fail(ChannelHealth h, long now) {
    assertThat(h.tryAcquire(now, 0, 0)).isPositive();
    h.failed(now, error(now));
  }

  private static void succeed(ChannelHealth h, long now) {
    assertThat(h.tryAcquire(now, 0, 0)).isPositive();
    h.succeeded(now, 5_000_000);
  }

  @Test
  void theBreakerOpensAfterTheConfiguredFailuresInARow() {
    ChannelHealth h = health();
    fail(h, T0);
    fail(h, T0 + 1);
    assertThat(h.state(T0 + 1)).isEqualTo(BreakerState.CLOSED);
    assertThat(h.available(T0 + 1, 0)).isTrue();
    fail(h, T0 + 2);
    assertThat(h.state(T0 + 2)).isEqualTo(BreakerState.OPEN);
    assertThat(h.available(T0 + 2, 0)).isFalse();
    assertThat(h.tryAcquire(T0 + 2, 0, 0)).isZero();
    assertThat(h.inFlight()).isZero();
    assertThat(h.recentErrors()).hasSize(3);
  }

  @Test
  void aSuccessBreaksTheRun() {
    ChannelHealth h = new ChannelHealth(GatewaySettings.DEFAULT.withBreaker(10_000, 1_000, 100, 3, OPEN_MILLIS,
        60_000));
    fail(h, T0);
    fail(h, T0);
    succeed(h, T0);
    fail(h, T0);
    fail(h, T0);
    assertThat(h.state(T0)).isEqualTo(BreakerState.CLOSED);
    fail(h, T0);
    assertThat(h.state(T0)).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void theBreakerOpensOnTheErrorRateOnceTheWindowHasEnoughRequests() {
    ChannelHealth h = new ChannelHealth(GatewaySettings.DEFAULT.withBreaker(10_000, 4, 50, 100, OPEN_MILLIS,
        60_000));
    succeed(h, T0);
    fail(h, T0 + 10);
    fail(h, T0 + 20);
    // 2 of 3 failed, but 3 requests are fewer than the minimum
    assertThat(h.state(T0 + 20)).isEqualTo(BreakerState.CLOSED);
    assertThat(h.window(T0 + 20)).containsExactly(3, 2);
    succeed(h, T0 + 30);
    // a success never trips the breaker
    assertThat(h.state(T0 + 30)).isEqualTo(BreakerState.CLOSED);
    fail(h, T0 + 40);
    // 3 of 5 failed: 60 % >= 50 %
    assertThat(h.state(T0 + 40)).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void theErrorRateBelowTheThresholdKeepsTheBreakerClosed() {
    ChannelHealth h = new ChannelHealth(GatewaySettings.DEFAULT.withBreaker(10_000, 4, 50, 100, OPEN_MILLIS,
        60_000));
    for (int i = 0; i < 10; i++) {
      succeed(h, T0 + i);
      succeed(h, T0 + i);
      fail(h, T0 + i);
    }
    assertThat(h.window(T0 + 10)).containsExactly(30, 10);
    assertThat(h.state(T0 + 10)).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void oldOutcomesLeaveTheWindow() {
    ChannelHealth h = new ChannelHealth(GatewaySettings.DEFAULT.withBreaker(10_000, 4, 50, 100, OPEN_MILLIS,
        60_000));
    fail(h, T0);
    fail(h, T0);
    fail(h, T0);
    assertThat(h.window(T0 + 9_000)).containsExactly(3, 3);
    assertThat(h.window(T0 + 10_000)).containsExactly(0, 0);
    // the next failure is the only one in the window: too few requests to trip on the rate
    fail(h, T0 + 10_000);
    assertThat(h.state(T0 + 10_000)).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void anOpenBreakerAdmitsExactlyOneTrialAfterTheOpenPeriodAndASuccessClosesIt() {
    ChannelHealth h = health();
    fail(h, T0);
    fail(h, T0);
    fail(h, T0);
    assertThat(h.state(T0 + OPEN_MILLIS - 1)).isEqualTo(BreakerState.OPEN);
    assertThat(h.available(T0 + OPEN_MILLIS - 1, 0)).isFalse();
    long half = T0 + OPEN_MILLIS;
    assertThat(h.state(half)).isEqualTo(BreakerState.HALF_OPEN);
    assertThat(h.available(half, 0)).isTrue();
    assertThat(h.tryAcquire(half, 0, 0)).isPositive();
    // the trial is running: nobody else gets in
    assertThat(h.available(half, 0)).isFalse();
    assertThat(h.tryAcquire(half, 0, 0)).isZero();
    assertThat(h.tryAcquire(half + 5, 0, 0)).isZero();
    assertThat(h.state(half)).isEqualTo(BreakerState.HALF_OPEN);
    h.succeeded(half + 5, 1_000_000);
    assertThat(h.state(half + 5)).isEqualTo(BreakerState.CLOSED);
    assertThat(h.window(half + 5)).containsExactly(0, 0);
    assertThat(h.inFlight()).isZero();
    // closed again: free traffic, and the run of failures starts over
    assertThat(h.tryAcquire(half + 6, 0, 0)).isPositive();
    assertThat(h.tryAcquire(half + 6, 0, 0)).isPositive();
    h.failed(half + 6, error(half + 6));
    h.failed(half + 6, error(half + 6));
    assertThat(h.state(half + 6)).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void aFailedTrialReopensTheBreakerForAnotherOpenPeriod() {
    ChannelHealth h = health();
    fail(h, T0);
    fail(h, T0);
    fail(h, T0);
    long half = T0 + OPEN_MILLIS;
    assertThat(h.tryAcquire(half, 0, 0)).isPositive();
    h.failed(half + 100, error(half + 100));
    assertThat(h.state(half + 100)).isEqualTo(BreakerState.OPEN);
    assertThat(h.available(half + 100 + OPEN_MILLIS - 1, 0)).isFalse();
    assertThat(h.state(half + 100 + OPEN_MILLIS)).isEqualTo(BreakerState.HALF_OPEN);
    assertThat(h.tryAcquire(half + 100 + OPEN_MILLIS, 0, 0)).isPositive();
    assertThat(h.tryAcquire(half + 100 + OPEN_MILLIS, 0, 0)).isZero();
  }

  @Test
  void aNeutralTrialLetsAnotherTrialIn() {
    ChannelHealth h = health();
    fail(h, T0);
    fail(h, T0);
    fail(h, T0);
    long half = T0 + OPEN_MILLIS;
    assertThat(h.tryAcquire(half, 0, 0)).isEqualTo(ChannelHealth.TRIAL);
    h.neutral(true);
    assertThat(h.state(half)).isEqualTo(BreakerState.HALF_OPEN);
    assertThat(h.tryAcquire(half, 0, 0)).isPositive();
    assertThat(h.tryAcquire(half, 0, 0)).isZero();
  }

  @Test
  void anOlderAttemptEndingDuringTheTrialDoesNotAdmitASecondTrial() {
    ChannelHealth h = health();
    assertThat(h.tryAcquire(T0, 0, 0)).isPositive();
    fail(h, T0);
    fail(h, T0);
    fail(h, T0);
    long half = T0 + OPEN_MILLIS;
    assertThat(h.tryAcquire(half, 0, 0)).isPositive();
    // the attempt admitted before the breaker opened ends now, saying nothing about the channel
    h.neutral(false);
    assertThat(h.tryAcquire(half, 0, 0)).isZero();
  }

  @Test
  void neutralOutcomesCountForNothing() {
    ChannelHealth h = new ChannelHealth(GatewaySettings.DEFAULT.withBreaker(10_000, 1, 1, 1, OPEN_MILLIS, 60_000));
    for (int i = 0; i < 50; i++) {
      assertThat(h.tryAcquire(T0, 0, 0)).isPositive();
      h.neutral(false);
    }
    assertThat(h.state(T0)).isEqualTo(BreakerState.CLOSED);
    assertThat(h.window(T0)).containsExactly(0, 0);
    assertThat(h.inFlight()).isZero();
    assertThat(h.latencyMillis()).isEqualTo(-1);
    assertThat(h.recentErrors()).isEmpty();
    // nor do they break a run of failures
    ChannelHealth run = health();
    fail(run, T0);
    fail(run, T0);
    assertThat(run.tryAcquire(T0, 0, 0)).isPositive();
    run.neutral(false);
    fail(run, T0);
    assertThat(run.state(T0)).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void aRetryAfterCoolDownKeepsTheChannelOutUntilThen() {
    ChannelHealth h = health();
    assertThat(h.coolingUntil(T0)).isNull();
    h.coolUntil(T0 + 500);
    assertThat(h.available(T0, 0)).isFalse();
    assertThat(h.available(T0 + 499, 0)).isFalse();
    assertThat(h.tryAcquire(T0 + 499, 0, 0)).isZero();
    assertThat(h.coolingUntil(T0 + 10)).isEqualTo(Instant.ofEpochMilli(T0 + 500));
    // an earlier Retry-After does not shorten it
    h.coolUntil(T0 + 100);
    assertThat(h.coolingUntil(T0)).isEqualTo(Instant.ofEpochMilli(T0 + 500));
    assertThat(h.available(T0 + 500, 0)).isTrue();
    assertThat(h.coolingUntil(T0 + 500)).isNull();
    assertThat(h.tryAcquire(T0 + 500, 0, 0)).isPositive();
    // a cool-down is not a breaker state
    assertThat(h.state(T0)).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void requestsPerMinuteAreCountedPerClockMinute() {
    ChannelHealth h = health();
    long minute = (T0 / 60_000) * 60_000;
    assertThat(h.tryAcquire(minute + 1_000, 0, 2)).isPositive();
    h.succeeded(minute + 1_000, 1);
    assertThat(h.tryAcquire(minute + 2_000, 0, 2)).isPositive();
    h.neutral(false);
    // finished or not, two were sent this minute
    assertThat(h.tryAcquire(minute + 59_999, 0, 2)).isZero();
    assertThat(h.inFlight()).isZero();
    assertThat(h.tryAcquire(minute + 60_000, 0, 2)).isPositive();
    assertThat(h.tryAcquire(minute + 60_001, 0, 2)).isPositive();
    assertThat(h.tryAcquire(minute + 60_002, 0, 2)).isZero();
    // without a limit there is none
    for (int i = 0; i < 100; i++) {
      assertThat(h.tryAcquire(minute + 60_003, 0, 0)).isPositive();
    }
  }

  @Test
  void maxConcurrencyLimitsRequestsInFlight() {
    ChannelHealth h = health();
    assertThat(h.tryAcquire(T0, 2, 0)).isPositive();
    assertThat(h.tryAcquire(T0, 2, 0)).isPositive();
    assertThat(h.inFlight()).isEqualTo(2);
    assertThat(h.available(T0, 2)).isFalse();
    assertThat(h.tryAcquire(T0, 2, 0)).isZero();
    assertThat(h.available(T0, 3)).isTrue();
    h.succeeded(T0, 1);
    assertThat(h.available(T0, 2)).isTrue();
    assertThat(h.tryAcquire(T0, 2, 0)).isPositive();
    h.failed(T0, error(T0));
    h.neutral(false);
    assertThat(h.inFlight()).isZero();
  }

  @Test
  void latencyIsAnExponentiallyWeightedMeanOfTimeToTheHead() {
    ChannelHealth h = health();
    assertThat(h.latencyMillis()).isEqualTo(-1);
    assertThat(h.tryAcquire(T0, 0, 0)).isPositive();
    h.succeeded(T0, 100_000_000L);
    assertThat(h.latencyMillis()).isCloseTo(100, within(1e-9));
    assertThat(h.tryAcquire(T0, 0, 0)).isPositive();
    h.succeeded(T0, 200_000_000L);
    assertThat(h.latencyMillis()).isCloseTo(120, within(1e-9));
    assertThat(h.tryAcquire(T0, 0, 0)).isPositive();
    h.succeeded(T0, 20_000_000L);
    assertThat(h.latencyMillis()).isCloseTo(100, within(1e-9));
    // failures say nothing about latency
    fail(h, T0);
    assertThat(h.latencyMillis()).isCloseTo(100, within(1e-9));
  }

  @Test
  void aProbeSuccessClosesAnOpenBreakerAndAProbeFailureIsOnlyRemembered() {
    ChannelHealth h = health();
    fail(h, T0);
    fail(h, T0);
    fail(h, T0);
    h.probeFailed(new ChannelError(Instant.ofEpochMilli(T0), 0, "probe", "probe failed"));
    assertThat(h.state(T0)).isEqualTo(BreakerState.OPEN);
    assertThat(h.recentErrors().get(0).kind()).isEqualTo("probe");
    h.probeSucceeded();
    assertThat(h.state(T0)).isEqualTo(BreakerState.CLOSED);
    assertThat(h.tryAcquire(T0, 0, 0)).isPositive();
  }

  @Test
  void atMostTwentyRecentErrorsAreKeptNewestFirst() {
    ChannelHealth h = new ChannelHealth(GatewaySettings.DEFAULT.withBreaker(10_000, 1_000, 100, 1_000,
        OPEN_MILLIS, 60_000));
    for (int i = 0; i < 25; i++) {
      fail(h, T0 + i);
    }
    assertThat(h.recentErrors()).hasSize(20);
    assertThat(h.recentErrors().get(0).at()).isEqualTo(Instant.ofEpochMilli(T0 + 24));
  }
}
