package com.neurasea.privacy;

import com.neurasea.model.NeuraSeaException;
import java.time.Duration;

/**
 * How often a platform instance signs a checkpoint of the privacy ledger in the background (only
 * when entries were added since the last one); one is also signed when the instance closes.
 *
 * @param interval the time between checkpoints, 1 second to 1 day
 */
public record CheckpointSchedule(Duration interval) {
  /** Every minute. */
  public static final CheckpointSchedule DEFAULT = new CheckpointSchedule(Duration.ofMinutes(1));

  /**
   * Validates the interval.
   *
   * @throws NeuraSeaException {@code INVALID_ARGUMENT} naming {@code interval} when it is out of range
   */
  public CheckpointSchedule {
    if (interval == null || interval.compareTo(Duration.ofSeconds(1)) < 0
        || interval.compareTo(Duration.ofDays(1)) > 0) {
      throw NeuraSeaException.invalid("interval", "must be 1 second to 1 day");
    }
  }
}
