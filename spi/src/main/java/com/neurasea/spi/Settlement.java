package com.neurasea.spi;

import com.neurasea.model.UsageRecord;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;

/**
 * A usage record and what it consumes from each pool, written together.
 *
 * @param usage the record; its {@code cost} is what its {@link com.neurasea.model.Meter#CREDITS} charges
 *     carry
 * @param day the day it counts for in the tenant's calendar (daily statistics)
 * @param charges what it consumes, per pool
 */
public record Settlement(UsageRecord usage, LocalDate day, List<PoolCharge> charges) {
  /** Validates the components. */
  public Settlement {
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(day, "day");
    charges = List.copyOf(charges);
  }
}
