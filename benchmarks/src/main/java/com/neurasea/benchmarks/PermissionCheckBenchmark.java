package com.neurasea.benchmarks;

import com.neurasea.model.Permissions;
import com.neurasea.model.Scope;
import com.neurasea.permissions.AccessCacheSettings;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;

import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code PermissionService.check} on one thread, with a warm cache and with caching disabled (every
 * check reads user, tenant, membership and grants from SQLite), in a tenant holding 20,000+ grants.
 * Issue target: cached at least 5,000,000 checks/s; uncached at least 20,000 checks/s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@Threads(1)
public class PermissionCheckBenchmark {
  /** The platform under test, cached or not. */
  @State(org.openjdk.jmh.annotations.Scope.Benchmark)
  public static class Platform {
    @Param({"sqlite", "postgres"})
    public String backend;

    @Param({"cached", "uncached"})
    public String cache;

    @Param({"typical", "heavy"})
    public String user;

    com.neurasea.model.Caller caller;

    BenchmarkPlatform platform;
    String allowed;
    String denied;
    Scope tenant = Scope.tenant();

    @Setup(Level.Trial)
    public void setUp() {
      platform = new BenchmarkPlatform(Backend.of(backend),
          cache.equals("cached") ? AccessCacheSettings.DEFAULT : AccessCacheSettings.DISABLED);
      caller = user.equals("typical") ? platform.typical : platform.heavy;
      allowed = Permissions.useModel("gpt-4o-mini");
      denied = Permissions.MEMBERS_MANAGE;
      if (!platform.platform.permissions().check(caller, allowed, tenant)
          || platform.platform.permissions().check(caller, denied, tenant)) {
        throw new IllegalStateException("benchmark fixture grants the wrong permissions");
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      platform.close();
    }
  }

  /** A permission the user holds (through a tenant-wide binding). */
  @Benchmark
  public boolean checkAllowed(Platform p) {
    return p.platform.platform.permissions().check(p.caller, p.allowed, p.tenant);
  }

  /** A permission the user lacks: every pattern it holds is tried. */
  @Benchmark
  public boolean checkDenied(Platform p) {
    return p.platform.platform.permissions().check(p.caller, p.denied, p.tenant);
  }
}
