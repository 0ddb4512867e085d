package com.neurasea.identity;

import com.neurasea.model.TokenId;
import com.neurasea.spi.Storage;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects token last-used times in memory and writes them in batches, so authentication never
 * waits on a database write. At most one write per token a minute is queued.
 */
final class TokenUseRecorder {
  static final long RECORD_INTERVAL_MILLIS = 60_000;
  private static final Logger LOG = LoggerFactory.getLogger(TokenUseRecorder.class);

  private final Storage storage;
  private final ConcurrentHashMap<TokenId, Instant> pending = new ConcurrentHashMap<>();

  TokenUseRecorder(Storage storage) {
    this.storage = storage;
  }

  void used(CachedToken token, long nowMillis) {
    if (nowMillis - token.lastRecordedMillis < RECORD_INTERVAL_MILLIS) {
      return;
    }
    token.lastRecordedMillis = nowMillis;
    pending.merge(token.token.id(), Instant.ofEpochMilli(nowMillis), (a, b) -> a.isAfter(b) ? a : b);
  }

  /** Writes what is pending; failures keep the entries for the next flush. */
  void flush() {
    if (pending.isEmpty()) {
      return;
    }
    Map<TokenId, Instant> batch = new HashMap<>();
    for (TokenId id : pending.keySet()) {
      Instant at = pending.remove(id);
      if (at != null) {
        batch.put(id, at);
      }
    }
    try {
      storage.credentials().recordTokenUse(batch);
    } catch (RuntimeException e) {
      batch.forEach((id, at) -> pending.merge(id, at, (a, b) -> a.isAfter(b) ? a : b));
      LOG.warn("could not record API token use for {} tokens; will retry: {}", batch.size(), e.getMessage());
    }
  }
}
