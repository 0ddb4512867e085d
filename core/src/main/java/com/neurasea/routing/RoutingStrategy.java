package com.neurasea.routing;

import com.neurasea.model.Channel;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks which channel of a priority tier a request tries next. The gateway asks once per attempt
 * with the tier's healthy channels not yet tried; tiers are always tried from the highest priority
 * down, so a strategy only orders channels within a tier.
 */
public interface RoutingStrategy {
  /** A channel as routing sees it. */
  interface Candidate {
    /** The channel's settings. */
    Channel channel();

    /** Requests in flight to it on this host. */
    int inFlight();

    /** Exponentially weighted mean time to the response head, -1 before its first reply. */
    double latencyMillis();
  }

  /** A short name, such as {@code weighted}. */
  String name();

  /**
   * Picks one candidate.
   *
   * @param tier the untried healthy candidates of one tier, at least one
   * @return the index of the one to try
   */
  int pick(List<? extends Candidate> tier);

  /** Weighted random: each channel's share of the tier is its weight (the default). */
  RoutingStrategy WEIGHTED = new RoutingStrategy() {
    @Override
    public String name() {
      return "weighted";
    }

    @Override
    public int pick(List<? extends Candidate> tier) {
      return weightedIndex(tier, null);
    }
  };

  /** Fewest requests in flight; ties shared by weight. */
  RoutingStrategy LEAST_BUSY = new RoutingStrategy() {
    @Override
    public String name() {
      return "least-busy";
    }

    @Override
    public int pick(List<? extends Candidate> tier) {
      int least = Integer.MAX_VALUE;
      for (Candidate c : tier) {
        least = Math.min(least, c.inFlight());
      }
      int fewest = least;
      return weightedIndex(tier, c -> c.inFlight() == fewest);
    }
  };

  /**
   * Lowest latency (EWMA of time to the response head); a channel with no reply yet is tried first
   * so every channel gets measured; ties shared by weight.
   */
  RoutingStrategy LOWEST_LATENCY = new RoutingStrategy() {
    @Override
    public String name() {
      return "lowest-latency";
    }

    @Override
    public int pick(List<? extends Candidate> tier) {
      for (int i = 0; i < tier.size(); i++) {
        if (tier.get(i).latencyMillis() < 0) {
          return i;
        }
      }
      int best = 0;
      for (int i = 1; i < tier.size(); i++) {
        if (tier.get(i).latencyMillis() < tier.get(best).latencyMillis()) {
          best = i;
        }
      }
      return best;
    }
  };

  /** The built-in strategy of a name: {@code weighted}, {@code least-busy} or {@code lowest-latency}. */
  static RoutingStrategy named(String name) {
    for (RoutingStrategy s : List.of(WEIGHTED, LEAST_BUSY, LOWEST_LATENCY)) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    throw com.neurasea.model.NeuraSeaException.invalid("routingStrategy",
        "unknown strategy '" + name + "'; built in: weighted, least-busy, lowest-latency");
  }

  /**
   * A weighted random index among the candidates the filter admits (all when it is null).
   *
   * @param tier the candidates
   * @param filter which may be picked, or null
   * @return an index into the tier
   */
  static int weightedIndex(List<? extends Candidate> tier, java.util.function.Predicate<Candidate> filter) {
    long total = 0;
    for (Candidate c : tier) {
      if (filter == null || filter.test(c)) {
        total += c.channel().weight();
      }
    }
    long point = ThreadLocalRandom.current().nextLong(total);
    for (int i = 0; i < tier.size(); i++) {
      Candidate c = tier.get(i);
      if (filter == null || filter.test(c)) {
        point -= c.channel().weight();
        if (point < 0) {
          return i;
        }
      }
    }
    return tier.size() - 1;
  }
}
