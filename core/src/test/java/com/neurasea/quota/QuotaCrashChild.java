package com.neurasea.quota;

import com.neurasea.NeuraSea;
import com.neurasea.model.Caller;
import com.neurasea.model.Principal;
import com.neurasea.model.TenantId;
import com.neurasea.model.UserId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A host that settles requests and holds reservations open, then waits to be killed with SIGKILL by
 * {@link QuotaCrashTest}. Arguments: storage adapter name, key file, tenant id, user id, journal
 * directory (or {@code -} for none), lease TTL in seconds, how many settlements to write to the store
 * before the rest stay in the journal only, then storage settings as {@code key=value}.
 */
public final class QuotaCrashChild {
  static final int SETTLED = 200;
  static final int OPEN = 5;
  static final long COST = 7;
  static final long HELD = 50;

  private QuotaCrashChild() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> settings = new HashMap<>();
    for (int i = 7; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      settings.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    Duration ttl = Duration.ofSeconds(Long.parseLong(args[5]));
    int writtenFirst = Integer.parseInt(args[6]);
    QuotaSettings quota = QuotaSettings.DEFAULT.withHostId("crashy")
        // Flushes only when asked: what is not flushed by hand is in the journal alone.
        .withTimings(ttl, Duration.ofMinutes(10), ttl.minusMillis(1));
    if (!args[4].equals("-")) {
      quota = quota.withJournal(Path.of(args[4]));
    }
    NeuraSea platform = NeuraSea.builder().discoverAdapters().storage(args[0], settings).keyFile(Path.of(args[1]))
        .quotaSettings(quota).build();
    QuotaEngine engine = platform.quotaEngine();
    Chain chain = engine.chainOf(Caller.in(Principal.user(new UserId(args[3])), new TenantId(args[2])));
    for (int i = 0; i < SETTLED; i++) {
      engine.settle(engine.reserve(chain, 20, "settled-" + i), COST);
      if (i + 1 == writtenFirst) {
        engine.flush();
      }
    }
    for (int i = 0; i < OPEN; i++) {
      engine.reserve(chain, HELD, "open-" + i);
    }
    System.out.println("READY");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
