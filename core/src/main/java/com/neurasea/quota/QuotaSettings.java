package com.neurasea.quota;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How this host's quota engine runs.
 *
 * @param hostId the host's name in leases and usage records; null picks one (persisted in the journal
 *     directory when there is one, so a restarted host finds its leases and journal again)
 * @param journal the directory of the settlement journal, or null for none (settlements not yet
 *     written to the store are then lost if the process dies)
 * @param leaseTtl how long a lease outlives a host that stopped renewing it; also how long the holds of
 *     a crashed host stay held at most
 * @param reservationTimeout how long a reservation may stay open before it expires at no charge
 * @param flushInterval how often settlements are written to the store
 */
public record QuotaSettings(String hostId, Path journal, Duration leaseTtl, Duration reservationTimeout,
    Duration flushInterval) {
  /** No journal, 30-second leases, 10-minute reservations, 100 ms flushes. */
  public static final QuotaSettings DEFAULT = new QuotaSettings(null, null, Duration.ofSeconds(30),
      Duration.ofMinutes(10), Duration.ofMillis(100));

  /** Validates the components. */
  public QuotaSettings {
    Objects.requireNonNull(leaseTtl, "leaseTtl");
    Objects.requireNonNull(reservationTimeout, "reservationTimeout");
    Objects.requireNonNull(flushInterval, "flushInterval");
    if (hostId != null && !hostId.matches("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")) {
      throw new IllegalArgumentException("hostId must be 1-64 letters, digits, '_', '.', ':' or '-'");
    }
    if (leaseTtl.toMillis() < 1000) {
      throw new IllegalArgumentException("leaseTtl must be at least 1 second");
    }
    if (reservationTimeout.toMillis() < 1000) {
      throw new IllegalArgumentException("reservationTimeout must be at least 1 second");
    }
    if (flushInterval.toMillis() < 1 || flushInterval.compareTo(leaseTtl) >= 0) {
      throw new IllegalArgumentException("flushInterval must be at least 1 ms and shorter than leaseTtl");
    }
  }

  /** A copy with another host id. */
  public QuotaSettings withHostId(String newHostId) {
    return new QuotaSettings(newHostId, journal, leaseTtl, reservationTimeout, flushInterval);
  }

  /** A copy with a journal directory. */
  public QuotaSettings withJournal(Path directory) {
    return new QuotaSettings(hostId, directory, leaseTtl, reservationTimeout, flushInterval);
  }

  /** A copy with other timings. */
  public QuotaSettings withTimings(Duration newLeaseTtl, Duration newReservationTimeout, Duration newFlushInterval) {
    return new QuotaSettings(hostId, journal, newLeaseTtl, newReservationTimeout, newFlushInterval);
  }
}
