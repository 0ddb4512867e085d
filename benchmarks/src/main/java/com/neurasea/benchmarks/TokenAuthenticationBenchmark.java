package com.neurasea.benchmarks;

import com.neurasea.model.CreateToken;
import com.neurasea.model.Principal;
import com.neurasea.permissions.AccessCacheSettings;
import com.neurasea.spi.TokenCredentials;
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
 * {@code IdentityService.authenticate} of an API token on one thread: warm cache (expiry, allow-list
 * and invalidation counters checked per call) and uncached (keyed hash + store lookups per call).
 * Issue target: warm cache at least 2,000,000 authentications/s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@Threads(1)
public class TokenAuthenticationBenchmark {
  /** The platform and one issued token. */
  @State(org.openjdk.jmh.annotations.Scope.Benchmark)
  public static class Platform {
    @Param({"sqlite", "postgres"})
    public String backend;

    @Param({"cached", "uncached"})
    public String cache;

    BenchmarkPlatform platform;
    TokenCredentials credentials;

    @Setup(Level.Trial)
    public void setUp() {
      platform = new BenchmarkPlatform(Backend.of(backend),
          cache.equals("cached") ? AccessCacheSettings.DEFAULT : AccessCacheSettings.DISABLED);
      String secret = platform.platform.identity()
          .createToken(platform.typical, new CreateToken("bench", null, null, null)).secret();
      credentials = new TokenCredentials(secret, "127.0.0.1", "jmh");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      platform.close();
    }
  }

  /** One authentication. */
  @Benchmark
  public Principal authenticate(Platform p) {
    return p.platform.platform.identity().authenticate(p.credentials);
  }
}
