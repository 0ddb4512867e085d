package com.neurasea.quota;

import com.neurasea.model.PoolKey;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * This host's share of one pool. {@code leased} is this host's lease as the store has it (the store
 * learns of charges only when they are written, and then lowers the lease and {@code leased} alike);
 * of it, {@code available} is free to hold, {@code unflushed} is charged and waiting to be written,
 * and the rest is held by open reservations.
 */
final class LocalPool {
  final PoolKey key;
  /** End (exclusive) of the pool's window in epoch milliseconds; Long.MAX_VALUE when it never ends. */
  final long windowEnd;
  /** The account's limit for the meter as this host last read it (for lease sizes and errors). */
  volatile long limit;
  final AtomicLong available = new AtomicLong();
  final AtomicLong leased = new AtomicLong();
  final LongAdder unflushed = new LongAdder();
  /** Serializes lease fetches and returns, so a stampede of misses makes one trip to the store. */
  final Object fetchLock = new Object();
  /** Lease fetches and returns so far. Guarded by fetchLock. */
  long changes;
  /** Set by every take; cleared by the maintenance tick, which returns allowance left idle. */
  volatile boolean touched;

  LocalPool(PoolKey key, long windowEnd, long limit) {
    this.key = key;
    this.windowEnd = windowEnd;
    this.limit = limit;
  }

  /** Holds {@code amount} from what is available, or nothing. */
  boolean tryTake(long amount) {
    if (!touched) {
      touched = true;
    }
    AtomicLong free = available;
    while (true) {
      long current = free.get();
      if (current < amount) {
        return false;
      }
      if (free.compareAndSet(current, current - amount)) {
        return true;
      }
    }
  }

  /** Frees a held amount. */
  void give(long amount) {
    if (amount != 0) {
      available.addAndGet(amount);
    }
  }

  /** Whether the window is over and nothing of it is left here. */
  boolean drained(long now) {
    return now >= windowEnd && leased.get() == 0;
  }
}
