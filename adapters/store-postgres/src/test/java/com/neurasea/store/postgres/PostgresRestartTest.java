package com.neurasea.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.model.BuiltInRole;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Subject;
import com.neurasea.model.Tenant;
import com.neurasea.model.User;
import com.neurasea.spi.ChangeNotifier;
import com.neurasea.spi.Storage;
import com.neurasea.tck.FreshStorage;
import com.neurasea.tck.TckFixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real server restarts (through the command in {@value #RESTART}, which {@code .ci/run} sets to
 * {@code .ci/postgres.sh restart}) while writers are busy: calls in flight fail with UNAVAILABLE and
 * nothing else, no multi-row change is half-written, the same storage serves calls again without
 * being reopened, and the change notifier tells its subscribers to drop everything.
 */
class PostgresRestartTest {
  /** The environment variable holding a shell command that restarts the test server. */
  static final String RESTART = "NEURASEA_TEST_POSTGRES_RESTART";

  @RegisterExtension final FreshStorage fresh = FreshStorage.postgres();

  @Test
  void aServerRestartFailsInFlightCallsWithUnavailableAndTheStorageRecovers() throws Exception {
    String command = restartCommand();
    Storage storage = fresh.storage();
    storage.permissions().syncBuiltInRoles(TckFixtures.builtInRoles());
    Tenant tenant = TckFixtures.tenant();
    storage.tenancy().insertTenant(tenant);
    List<String> signals = new CopyOnWriteArrayList<>();
    ChangeNotifier notifier = storage.changeNotifier().orElseThrow();
    try (AutoCloseable subscription = notifier.subscribe(signals::add)) {
      Map<User, Boolean> attempted = new ConcurrentHashMap<>();
      List<NeuraSeaException> failures = new CopyOnWriteArrayList<>();
      List<Throwable> unexpected = new CopyOnWriteArrayList<>();
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService pool = Executors.newFixedThreadPool(2);
      List<Future<?>> workers = new ArrayList<>();
      try {
        for (int t = 0; t < 2; t++) {
          workers.add(pool.submit(() -> {
            while (!stop.get()) {
              User user = TckFixtures.user();
              attempted.put(user, Boolean.FALSE);
              try {
                joinAsMember(storage, tenant, user);
                attempted.put(user, Boolean.TRUE);
              } catch (NeuraSeaException e) {
                failures.add(e);
                sleepQuietly(20);
              } catch (Throwable e) {
                unexpected.add(e);
              }
            }
          }));
        }
        Thread.sleep(300);
        Process restart = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(restart.waitFor(90, TimeUnit.SECONDS)).as("restart finished").isTrue();
        assertThat(restart.exitValue()).as("restart exit status").isZero();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int succeededAfter = 0;
        while (succeededAfter < 5 && System.nanoTime() < deadline) {
          try {
            joinAsMember(storage, tenant, TckFixtures.user());
            succeededAfter++;
          } catch (NeuraSeaException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
            Thread.sleep(100);
          }
        }
        assertThat(succeededAfter).as("calls succeeding on the same storage after the restart").isEqualTo(5);
        stop.set(true);
        for (Future<?> worker : workers) {
          worker.get(60, TimeUnit.SECONDS);
        }
      } finally {
        stop.set(true);
        pool.shutdownNow();
      }
      assertThat(unexpected).isEmpty();
      assertThat(failures).as("calls that met the restart").isNotEmpty()
          .allSatisfy(e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
      for (Map.Entry<User, Boolean> entry : attempted.entrySet()) {
        User user = entry.getKey();
        boolean userRow = storage.tenancy().findUser(user.id()).isPresent();
        boolean memberRow = storage.tenancy().findMembership(tenant.id(), user.id()).isPresent();
        boolean bindingRow = !storage.permissions().listBindings(tenant.id(), Subject.user(user.id()),
            PageRequest.firstPage()).isEmpty();
        assertThat(List.of(userRow, memberRow, bindingRow)).as("rows of " + user.id())
            .isIn(List.of(false, false, false), List.of(true, true, true));
        if (entry.getValue()) {
          assertThat(userRow).as("a reported success landed").isTrue();
        }
      }
      assertThat(signals).as("the notifier told subscribers to drop everything").contains(ChangeNotifier.ALL);
    }
  }

  private static void joinAsMember(Storage storage, Tenant tenant, User user) {
    storage.inTransaction(stores -> {
      stores.tenancy().insertUser(user);
      stores.tenancy().insertMembership(TckFixtures.membership(tenant, user));
      stores.permissions().insertBinding(TckFixtures.userBinding(tenant, user, BuiltInRole.MEMBER.id()));
      return null;
    });
  }

  private static String restartCommand() {
    String command = System.getenv(RESTART);
    if (command == null || command.isBlank()) {
      String message = "PostgreSQL restart test skipped: set " + RESTART + " to a command that restarts the"
          + " test server (.ci/run sets it to .ci/postgres.sh restart)";
      if ("1".equals(System.getenv(FreshStorage.REQUIRE_SERVICES))) {
        throw new AssertionError(message);
      }
      Assumptions.abort(message);
    }
    return command;
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
