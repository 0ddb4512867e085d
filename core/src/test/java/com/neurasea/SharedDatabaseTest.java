package com.neurasea;

import static com.neurasea.Errors.assertCode;
import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.identity.BootstrapResult;
import com.neurasea.identity.PasswordPolicy;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.Caller;
import com.neurasea.model.CreateBinding;
import com.neurasea.model.CreateTenant;
import com.neurasea.model.CreateToken;
import com.neurasea.model.CreateUser;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.IssuedToken;
import com.neurasea.model.LoginMethod;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Permissions;
import com.neurasea.model.Principal;
import com.neurasea.model.RoleBinding;
import com.neurasea.model.Scope;
import com.neurasea.model.Subject;
import com.neurasea.model.Tenant;
import com.neurasea.model.TenantStatus;
import com.neurasea.model.User;
import com.neurasea.spi.Storage;
import com.neurasea.spi.TokenCredentials;
import com.neurasea.tck.FreshStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two independent platform instances (separate pools, separate caches) on one PostgreSQL database,
 * as two hosts of one deployment would run. A change through one is seen by the other within the
 * documented delay; conflicting writes end in one state with a CONFLICT for the loser.
 */
class SharedDatabaseTest {
  /** The documented bound on cross-instance invalidation while the notifier is connected. */
  private static final Duration PROPAGATION_BOUND = Duration.ofSeconds(2);

  @RegisterExtension final FreshStorage fresh = FreshStorage.postgres();
  @TempDir Path dir;

  NeuraSea a;
  NeuraSea b;
  Caller adminA;
  Caller adminB;
  Tenant acme;

  @BeforeEach
  void twoInstances() {
    Storage storageA = fresh.open();
    Storage storageB = fresh.open();
    a = instance(storageA);
    b = instance(storageB);
    BootstrapResult boot = a.bootstrap("admin", "platform").orElseThrow();
    // The second host authenticates the same token: both share the key file and the database.
    Principal admin = b.identity().authenticate(new TokenCredentials(boot.token().secret(), null, null));
    adminA = Caller.platform(admin);
    adminB = Caller.platform(admin);
    acme = a.tenancy().createTenant(adminA, new CreateTenant("acme", "Acme", null));
  }

  @AfterEach
  void close() {
    b.close();
    a.close();
  }

  private NeuraSea instance(Storage storage) {
    return NeuraSea.builder().storage(storage).keyFile(dir.resolve("shared.key"))
        .passwordPolicy(PasswordPolicy.forTests()).build();
  }

  private User member(NeuraSea via, String username) {
    User user = via.tenancy().createUser(adminA.inTenant(acme.id()),
        new CreateUser(username, null, null, null, LoginMethod.PASSWORD, TestPlatform.PASSWORD));
    return user;
  }

  private static long awaitMillis(BooleanSupplier condition) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + PROPAGATION_BOUND.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not seen by the other instance within " + PROPAGATION_BOUND);
      }
      Thread.sleep(5);
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  private static boolean rejected(Runnable call, ErrorCode code) {
    try {
      call.run();
      return false;
    } catch (NeuraSeaException e) {
      return e.code() == code;
    }
  }

  @Test
  void aRemovedBindingStopsWorkingOnTheOtherInstance() throws Exception {
    User alice = member(a, "alice");
    RoleBinding binding = a.permissions().createBinding(adminA.inTenant(acme.id()),
        new CreateBinding(Subject.user(alice.id()), BuiltInRole.MEMBER.id(), Scope.tenant()));
    Caller asAlice = Caller.in(Principal.user(alice.id()), acme.id());
    assertThat(b.permissions().check(asAlice, Permissions.JOBS_SUBMIT, Scope.tenant())).isTrue();

    a.permissions().deleteBinding(adminA.inTenant(acme.id()), binding.id());
    long millis = awaitMillis(() -> !b.permissions().check(asAlice, Permissions.JOBS_SUBMIT, Scope.tenant()));
    System.out.println("binding removal seen by the other instance after " + millis + " ms");
  }

  @Test
  void aRevokedTokenAndASuspendedTenantStopOnTheOtherInstance() throws Exception {
    User alice = member(a, "alice");
    a.permissions().createBinding(adminA.inTenant(acme.id()),
        new CreateBinding(Subject.user(alice.id()), BuiltInRole.MEMBER.id(), Scope.tenant()));
    Caller asAlice = Caller.in(Principal.user(alice.id()), acme.id());
    IssuedToken first = a.identity().createToken(asAlice, new CreateToken("one", null, null, null));
    IssuedToken second = a.identity().createToken(asAlice, new CreateToken("two", null, null, null));
    TokenCredentials one = new TokenCredentials(first.secret(), null, null);
    TokenCredentials two = new TokenCredentials(second.secret(), null, null);
    assertThat(b.identity().authenticate(one).userId()).isEqualTo(alice.id());
    assertThat(b.identity().authenticate(two).userId()).isEqualTo(alice.id());

    a.identity().revokeToken(asAlice, first.token().id());
    long revoked = awaitMillis(() -> rejected(() -> b.identity().authenticate(one), ErrorCode.UNAUTHENTICATED));
    assertThat(b.identity().authenticate(two).userId()).isEqualTo(alice.id());

    a.tenancy().setTenantStatus(adminA, acme.id(), TenantStatus.SUSPENDED);
    long suspended = awaitMillis(() -> rejected(() -> b.identity().authenticate(two), ErrorCode.FAILED_PRECONDITION));
    System.out.println("revocation seen after " + revoked + " ms, suspension after " + suspended + " ms");
  }

  @Test
  void theSameUsernameCreatedOnBothInstancesAtOnceLandsOnceAndTheLoserGetsConflict() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 20; round++) {
        String username = "racer" + round;
        CyclicBarrier start = new CyclicBarrier(2);
        List<Future<Boolean>> results = new ArrayList<>();
        for (NeuraSea via : List.of(a, b)) {
          Callable<Boolean> create = () -> {
            start.await();
            try {
              member(via, username);
              return true;
            } catch (NeuraSeaException e) {
              assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
              return false;
            }
          };
          results.add(pool.submit(create));
        }
        int winners = 0;
        for (Future<Boolean> result : results) {
          winners += result.get() ? 1 : 0;
        }
        assertThat(winners).as("round %d", round).isEqualTo(1);
      }
      assertThat(a.tenancy().listMembers(adminA.inTenant(acme.id()), new PageRequest(0, 1000))).hasSize(20);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theSameBindingAddedOnBothInstancesLandsOnceAndRemovalsRaceCleanly() throws Exception {
    User alice = member(a, "alice");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CreateBinding command = new CreateBinding(Subject.user(alice.id()), BuiltInRole.VIEWER.id(), Scope.tenant());
      for (int round = 0; round < 10; round++) {
        CyclicBarrier start = new CyclicBarrier(2);
        List<Future<RoleBinding>> adds = new ArrayList<>();
        for (NeuraSea via : List.of(a, b)) {
          adds.add(pool.submit(() -> {
            start.await();
            try {
              return via.permissions().createBinding(adminA.inTenant(acme.id()), command);
            } catch (NeuraSeaException e) {
              assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
              return null;
            }
          }));
        }
        List<RoleBinding> landed = new ArrayList<>();
        for (Future<RoleBinding> add : adds) {
          if (add.get() != null) {
            landed.add(add.get());
          }
        }
        assertThat(landed).as("round %d", round).hasSize(1);
        assertThat(b.permissions().listBindings(adminB.inTenant(acme.id()), Subject.user(alice.id()),
            PageRequest.firstPage())).hasSize(1);

        CyclicBarrier removeStart = new CyclicBarrier(2);
        List<Future<Boolean>> removes = new ArrayList<>();
        for (NeuraSea via : List.of(a, b)) {
          removes.add(pool.submit(() -> {
            removeStart.await();
            try {
              via.permissions().deleteBinding(adminA.inTenant(acme.id()), landed.get(0).id());
              return true;
            } catch (NeuraSeaException e) {
              assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
              return false;
            }
          }));
        }
        int removed = 0;
        for (Future<Boolean> remove : removes) {
          removed += remove.get() ? 1 : 0;
        }
        assertThat(removed).as("round %d", round).isEqualTo(1);
        assertThat(a.permissions().listBindings(adminA.inTenant(acme.id()), Subject.user(alice.id()),
            PageRequest.firstPage())).isEmpty();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aLockedAccountIsRefusedByTheOtherInstance() throws Exception {
    User alice = member(a, "alice");
    a.permissions().createBinding(adminA.inTenant(acme.id()),
        new CreateBinding(Subject.user(alice.id()), BuiltInRole.MEMBER.id(), Scope.tenant()));
    Caller asAlice = Caller.in(Principal.user(alice.id()), acme.id());
    assertThat(b.permissions().check(asAlice, Permissions.JOBS_SUBMIT, Scope.tenant())).isTrue();
    a.tenancy().setUserStatus(adminA.inTenant(acme.id()), alice.id(), com.neurasea.model.AccountStatus.LOCKED);
    awaitMillis(() -> !b.permissions().check(asAlice, Permissions.JOBS_SUBMIT, Scope.tenant()));
    assertCode(() -> b.tenancy().listMembers(asAlice, PageRequest.firstPage()), ErrorCode.UNAUTHENTICATED);
  }
}
