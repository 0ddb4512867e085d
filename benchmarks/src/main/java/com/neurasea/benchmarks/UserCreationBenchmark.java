package com.neurasea.benchmarks;

import com.neurasea.model.Caller;
import com.neurasea.model.CreateTenant;
import com.neurasea.model.CreateUser;
import com.neurasea.model.LoginMethod;
import com.neurasea.model.Principal;
import com.neurasea.model.Tenant;
import com.neurasea.model.User;
import com.neurasea.permissions.AccessCacheSettings;
import com.neurasea.spi.TokenCredentials;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * {@code TenancyService.createUser} from 4 threads into one tenant: validation, permission check and
 * one transaction writing the account and its membership. Token-only accounts, so Argon2 hashing is
 * not what is measured.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(1)
@Threads(4)
public class UserCreationBenchmark {
  /** The platform and a tenant to fill. */
  @State(org.openjdk.jmh.annotations.Scope.Benchmark)
  public static class Platform {
    @Param({"sqlite", "postgres"})
    public String backend;

    BenchmarkPlatform platform;
    Caller admin;
    final AtomicLong next = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp() {
      platform = new BenchmarkPlatform(Backend.of(backend), AccessCacheSettings.DEFAULT);
      Principal principal = platform.platform.identity()
          .authenticate(new TokenCredentials(platform.bootstrap.token().secret(), null, null));
      Tenant tenant = platform.platform.tenancy().createTenant(Caller.platform(principal),
          new CreateTenant("writes", "Writes", null));
      admin = Caller.in(principal, tenant.id());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      platform.close();
    }
  }

  /** One account created with its membership. */
  @Benchmark
  public User createUser(Platform p) {
    return p.platform.platform.tenancy().createUser(p.admin,
        new CreateUser("writer-" + p.next.incrementAndGet(), null, null, null, LoginMethod.TOKEN_ONLY, null));
  }
}
