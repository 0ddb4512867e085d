package com.neurasea.routing;

import static com.neurasea.Errors.assertCode;
import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.model.Channel;
import com.neurasea.model.ChannelId;
import com.neurasea.model.ChannelStatus;
import com.neurasea.model.ChannelType;
import com.neurasea.model.ErrorCode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a channel is picked within a priority tier. */
class RoutingStrategyTest {
  private static final int PICKS = 10_000;

  record Cand(Channel channel, int inFlight, double latencyMillis) implements RoutingStrategy.Candidate {}

  private static Channel channel(String name, int weight) {
    return new Channel(ChannelId.of("chn_" + name), null, name, ChannelType.OPENAI, "https://" + name + ".invalid/v1",
        List.of("m"), Map.of(), 0, weight, List.of(), 0, 0, 1_000, 1_000, Map.of(), ChannelStatus.ENABLED, null, "",
        1, Instant.EPOCH, Instant.EPOCH);
  }

  private static Cand candidate(String name, int weight, int inFlight, double latency) {
    return new Cand(channel(name, weight), inFlight, latency);
  }

  private static int[] counts(RoutingStrategy strategy, List<Cand> tier) {
    int[] counts = new int[tier.size()];
    for (int i = 0; i < PICKS; i++) {
      counts[strategy.pick(tier)]++;
    }
    return counts;
  }

  @Test
  void weightedPicksFollowTheWeights() {
    List<Cand> tier = List.of(candidate("a", 1, 0, -1), candidate("b", 3, 0, -1));
    int[] counts = counts(RoutingStrategy.WEIGHTED, tier);
    // expected 25 % (2,500 of 10,000, sd ~43): 2,000 to 3,000 is more than 11 sd either way
    assertThat(counts[0]).isBetween(2_000, 3_000);
    assertThat(counts[0] + counts[1]).isEqualTo(PICKS);
  }

  @Test
  void weightedSpreadsOverEveryChannelAndASingleChannelAlwaysWins() {
    List<Cand> tier = List.of(candidate("a", 1, 0, -1), candidate("b", 1, 0, -1), candidate("c", 2, 0, -1));
    int[] counts = counts(RoutingStrategy.WEIGHTED, tier);
    assertThat(counts[0]).isBetween(2_000, 3_000);
    assertThat(counts[1]).isBetween(2_000, 3_000);
    assertThat(counts[2]).isBetween(4_300, 5_700);
    assertThat(RoutingStrategy.WEIGHTED.pick(List.of(candidate("only", 7, 3, 10)))).isZero();
  }

  @Test
  void leastBusyPicksTheFewestInFlight() {
    List<Cand> tier = List.of(candidate("a", 100, 3, 1), candidate("b", 1, 1, 500), candidate("c", 100, 2, 1));
    for (int i = 0; i < 1_000; i++) {
      assertThat(RoutingStrategy.LEAST_BUSY.pick(tier)).isEqualTo(1);
    }
  }

  @Test
  void leastBusySharesTiesByWeight() {
    List<Cand> tier = List.of(candidate("a", 1, 5, -1), candidate("b", 1, 0, -1), candidate("c", 3, 0, -1));
    int[] counts = counts(RoutingStrategy.LEAST_BUSY, tier);
    assertThat(counts[0]).isZero();
    assertThat(counts[1]).isBetween(2_000, 3_000);
    assertThat(counts[2]).isBetween(7_000, 8_000);
  }

  @Test
  void lowestLatencyMeasuresUnmeasuredChannelsFirst() {
    List<Cand> tier = List.of(candidate("a", 1, 0, 5), candidate("b", 1, 0, -1), candidate("c", 1, 0, -1));
    for (int i = 0; i < 100; i++) {
      assertThat(RoutingStrategy.LOWEST_LATENCY.pick(tier)).isEqualTo(1);
    }
  }

  @Test
  void lowestLatencyPicksTheLowestMean() {
    List<Cand> tier = List.of(candidate("a", 1000, 0, 50.5), candidate("b", 1, 9, 20.25),
        candidate("c", 1, 0, 30));
    for (int i = 0; i < 100; i++) {
      assertThat(RoutingStrategy.LOWEST_LATENCY.pick(tier)).isEqualTo(1);
    }
    assertThat(RoutingStrategy.LOWEST_LATENCY.pick(List.of(candidate("a", 1, 0, 0), candidate("b", 1, 0, 1))))
        .isZero();
  }

  @Test
  void weightedIndexHonoursTheFilter() {
    List<Cand> tier = List.of(candidate("a", 10, 0, -1), candidate("b", 1, 1, -1), candidate("c", 10, 0, -1));
    for (int i = 0; i < 1_000; i++) {
      assertThat(RoutingStrategy.weightedIndex(tier, c -> c.inFlight() == 1)).isEqualTo(1);
    }
  }

  @Test
  void strategiesAreFoundByName() {
    assertThat(RoutingStrategy.named("weighted")).isSameAs(RoutingStrategy.WEIGHTED);
    assertThat(RoutingStrategy.named("least-busy")).isSameAs(RoutingStrategy.LEAST_BUSY);
    assertThat(RoutingStrategy.named("lowest-latency")).isSameAs(RoutingStrategy.LOWEST_LATENCY);
    assertThat(RoutingStrategy.WEIGHTED.name()).isEqualTo("weighted");
    assertCode(() -> RoutingStrategy.named("fastest"), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> RoutingStrategy.named("Weighted"), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> RoutingStrategy.named(""), ErrorCode.INVALID_ARGUMENT);
  }
}
