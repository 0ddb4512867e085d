package com.neurasea.quota;

import com.neurasea.model.Meter;
import com.neurasea.model.QuotaAccount;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A quota account with where each of its limited meters stands in its current window.
 *
 * @param account the account
 * @param meters one entry per limited meter
 */
public record QuotaStatus(QuotaAccount account, List<MeterStatus> meters) {
  /** Copies the list. */
  public QuotaStatus {
    Objects.requireNonNull(account, "account");
    meters = List.copyOf(meters);
  }

  /**
   * One meter in its current window.
   *
   * @param meter the meter
   * @param limit the limit
   * @param used consumed for good in the window (written settlements; charges of the last moments
   *     may still be on their way from a host)
   * @param leased held by hosts for reservations in progress or soon to come
   * @param remaining what no host holds: {@code limit - used - leased}, 0 or more
   * @param windowStart the window's start
   * @param windowEnd the window's end, or null when it never ends
   */
  public record MeterStatus(Meter meter, long limit, long used, long leased, long remaining, Instant windowStart,
      Instant windowEnd) {}
}
