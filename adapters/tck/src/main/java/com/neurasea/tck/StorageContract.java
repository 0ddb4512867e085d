package com.neurasea.tck;

import static com.neurasea.tck.TckFixtures.builtInRoles;
import static com.neurasea.tck.TckFixtures.membership;
import static com.neurasea.tck.TckFixtures.tenant;
import static com.neurasea.tck.TckFixtures.user;
import static com.neurasea.tck.TckFixtures.userBinding;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.neurasea.model.BuiltInRole;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PageRequest;
import com.neurasea.model.RoleBinding;
import com.neurasea.model.Tenant;
import com.neurasea.model.User;
import com.neurasea.spi.Storage;
import com.neurasea.spi.Stores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link Storage} itself: work in {@link Storage#inTransaction} lands entirely or not
 * at all, its result reaches the caller, and concurrent transactions from several threads all
 * succeed (transient contention is the storage's to retry, not the caller's).
 *
 * <p>A storage adapter passes it by extending this class in its own tests and implementing
 * {@link #newStorage()}. Each test opens one storage before it runs and closes it afterwards.
 */
public abstract class StorageContract extends StorageUnderTest {
  private static final int THREADS = 8;
  private static final Duration CONCURRENCY_TIMEOUT = Duration.ofMinutes(2);

  /**
   * How many transactions each of the eight threads of the concurrency test runs. Override to
   * stress a backend harder or to keep a slow one's build short.
   *
   * @return the number of transactions per thread, 25 unless overridden
   */
  protected int transactionsPerThread() {
    return 25;
  }

  @Test
  void storageHasAName() {
    assertThat(storage().name()).isNotBlank();
  }

  @Test
  void committedWorkIsVisibleAfterwards() {
    Tenant tenant = tenant();
    User user = user();

    storage().inTransaction(stores -> {
      stores.tenancy().insertTenant(tenant);
      stores.tenancy().insertUser(user);
      stores.tenancy().insertMembership(membership(tenant, user));
      return null;
    });

    assertThat(storage().tenancy().findTenant(tenant.id())).contains(tenant);
    assertThat(storage().tenancy().findUser(user.id())).contains(user);
    assertThat(storage().tenancy().listMembers(tenant.id(), PageRequest.firstPage())).containsExactly(user);
  }

  @Test
  void resultIsReturned() {
    Tenant tenant = tenant();

    Tenant found = storage().inTransaction(stores -> {
      stores.tenancy().insertTenant(tenant);
      return stores.tenancy().findTenant(tenant.id()).orElseThrow();
    });

    assertThat(found).isEqualTo(tenant);
  }

  @Test
  void workSeesItsOwnUncommittedChanges() {
    Tenant tenant = tenant();
    User user = user();

    List<User> members = storage().inTransaction(stores -> {
      stores.tenancy().insertTenant(tenant);
      stores.tenancy().insertUser(user);
      stores.tenancy().insertMembership(membership(tenant, user));
      return stores.tenancy().listMembers(tenant.id(), PageRequest.firstPage());
    });

    assertThat(members).containsExactly(user);
  }

  @Test
  void failingWorkLeavesNothingWritten() {
    Tenant tenant = tenant();
    User user = user();
    IllegalStateException failure = new IllegalStateException("work failed");

    assertThatThrownBy(() -> storage().inTransaction(stores -> {
      stores.tenancy().insertTenant(tenant);
      stores.tenancy().insertUser(user);
      stores.tenancy().insertMembership(membership(tenant, user));
      throw failure;
    })).isSameAs(failure);

    assertThat(storage().tenancy().findTenant(tenant.id())).isEmpty();
    assertThat(storage().tenancy().findUser(user.id())).isEmpty();
    assertThat(storage().tenancy().findUserByUsername(user.username())).isEmpty();
    assertThat(storage().tenancy().listMemberships(user.id())).isEmpty();
  }

  @Test
  void conflictInsideWorkKeepsItsCodeAndRollsBack() {
    Tenant existing = tenant();
    storage().tenancy().insertTenant(existing);
    User user = user();

    assertThatThrownBy(() -> storage().inTransaction(stores -> {
      stores.tenancy().insertUser(user);
      stores.tenancy().insertTenant(tenant(existing.slug()));
      return null;
    })).isInstanceOfSatisfying(NeuraSeaException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
      assertThat(e.getMessage()).as("no SQL reaches the caller").doesNotContainIgnoringCase("insert");
    });

    assertThat(storage().tenancy().findUser(user.id())).isEmpty();
    assertThat(storage().tenancy().listTenants(PageRequest.firstPage())).containsExactly(existing);
  }

  /**
   * A service may catch a CONFLICT inside a unit of work and carry on (a backend where a failed
   * statement aborts the transaction, as PostgreSQL's does, must keep it usable).
   */
  @Test
  void conflictCaughtInsideWorkLeavesTheTransactionUsable() {
    Tenant existing = tenant();
    storage().tenancy().insertTenant(existing);
    User taken = user();
    storage().tenancy().insertUser(taken);
    User before = user();
    User after = user();
    List<NeuraSeaException> caught = new ArrayList<>();
    storage().inTransaction(stores -> {
      stores.tenancy().insertUser(before);
      try {
        stores.tenancy().insertUser(user(taken.username().toUpperCase(java.util.Locale.ROOT)));
      } catch (NeuraSeaException e) {
        caught.add(e);
      }
      try {
        stores.tenancy().insertTenant(tenant(existing.slug()));
      } catch (NeuraSeaException e) {
        caught.add(e);
      }
      stores.tenancy().insertUser(after);
      stores.tenancy().insertMembership(membership(existing, after));
      return null;
    });
    assertThat(caught).extracting(NeuraSeaException::code).containsExactly(ErrorCode.CONFLICT, ErrorCode.CONFLICT);
    assertThat(storage().tenancy().findUser(before.id())).contains(before);
    assertThat(storage().tenancy().findUser(after.id())).contains(after);
    assertThat(storage().tenancy().findMembership(existing.id(), after.id())).isPresent();
  }

  @Test
  void storageStaysUsableAfterManyRollbacks() {
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      for (int i = 0; i < 50; i++) {
        assertThatThrownBy(() -> storage().inTransaction(stores -> {
          stores.tenancy().insertTenant(tenant());
          throw new IllegalStateException("work failed");
        })).isInstanceOf(IllegalStateException.class);
      }
      Tenant tenant = tenant();
      storage().inTransaction(stores -> {
        stores.tenancy().insertTenant(tenant);
        return null;
      });

      assertThat(storage().tenancy().listTenants(PageRequest.firstPage())).containsExactly(tenant);
    });
  }

  @Test
  void concurrentTransactionsAllLand() throws Exception {
    Tenant tenant = tenant();
    storage().tenancy().insertTenant(tenant);
    storage().permissions().syncBuiltInRoles(builtInRoles());
    int perThread = transactionsPerThread();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<List<RoleBinding>>> results = new ArrayList<>();
    try {
      for (int t = 0; t < THREADS; t++) {
        results.add(pool.submit(() -> {
          start.await();
          List<RoleBinding> created = new ArrayList<>();
          for (int i = 0; i < perThread; i++) {
            created.add(storage().inTransaction(stores -> joinAsMember(stores, tenant)));
          }
          return created;
        }));
      }
      start.countDown();
      List<RoleBinding> created = new ArrayList<>();
      for (Future<List<RoleBinding>> result : results) {
        created.addAll(result.get(CONCURRENCY_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
      }

      int total = THREADS * perThread;
      assertThat(created).hasSize(total);
      assertThat(allPages(page -> storage().tenancy().listMembers(tenant.id(), page))).hasSize(total);
      assertThat(allPages(page -> storage().permissions().listBindings(tenant.id(), null, page)))
          .containsExactlyInAnyOrderElementsOf(created);
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private static <T> List<T> allPages(Function<PageRequest, List<T>> listing) {
    List<T> all = new ArrayList<>();
    List<T> page;
    do {
      page = listing.apply(new PageRequest(all.size(), PageRequest.MAX_LIMIT));
      all.addAll(page);
    } while (page.size() == PageRequest.MAX_LIMIT);
    return all;
  }

  private static RoleBinding joinAsMember(Stores stores, Tenant tenant) {
    User user = user();
    RoleBinding binding = userBinding(tenant, user, BuiltInRole.MEMBER.id());
    stores.tenancy().insertUser(user);
    stores.tenancy().insertMembership(membership(tenant, user));
    stores.permissions().insertBinding(binding);
    return binding;
  }
}
