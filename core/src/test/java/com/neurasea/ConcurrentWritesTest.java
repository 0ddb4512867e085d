package com.neurasea;

import com.neurasea.permissions.AccessCacheSettings;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.api.extension.RegisterExtension;
import com.neurasea.tck.FreshStorage;
import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.model.BuiltInRole;
import com.neurasea.model.Caller;
import com.neurasea.model.CreateBinding;
import com.neurasea.model.CreateGroup;
import com.neurasea.model.CreateUser;
import com.neurasea.model.Group;
import com.neurasea.model.LoginMethod;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Scope;
import com.neurasea.model.Subject;
import com.neurasea.model.Tenant;
import com.neurasea.model.User;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Eight threads writing through the services to one SQLite file lose nothing and see no busy errors. */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"sqlite", "postgres"})
class ConcurrentWritesTest {
  @RegisterExtension final FreshStorage fresh;

  ConcurrentWritesTest(String backend) {
    this.fresh = Backends.fresh(backend);
  }

  private static final int THREADS = 8;
  private static final int USERS_PER_THREAD = 25;

  @TempDir Path dir;

  @Test
  void eightThreadsCreatingUsersAndBindingsLoseNoWrites() throws Exception {
    try (TestPlatform t = new TestPlatform(fresh.storage(), dir, AccessCacheSettings.DEFAULT)) {
      Tenant acme = t.tenant("acme");
      Caller admin = t.admin.inTenant(acme.id());
      Group group = t.platform.groups().createGroup(admin, new CreateGroup("everyone", null));
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      List<Future<Integer>> results = new ArrayList<>();
      for (int thread = 0; thread < THREADS; thread++) {
        int id = thread;
        Callable<Integer> work = () -> {
          for (int i = 0; i < USERS_PER_THREAD; i++) {
            User user = t.platform.tenancy().createUser(admin,
                new CreateUser("u" + id + "-" + i, null, null, null, LoginMethod.TOKEN_ONLY, null));
            t.platform.permissions().createBinding(admin,
                new CreateBinding(Subject.user(user.id()), BuiltInRole.MEMBER.id(), Scope.tenant()));
            t.platform.groups().addGroupMember(admin, group.id(), user.id());
          }
          return USERS_PER_THREAD;
        };
        results.add(pool.submit(work));
      }
      int created = 0;
      for (Future<Integer> result : results) {
        created += result.get();
      }
      pool.shutdown();
      assertThat(created).isEqualTo(THREADS * USERS_PER_THREAD);
      assertThat(t.platform.tenancy().listMembers(admin, new PageRequest(0, 1000))).hasSize(THREADS * USERS_PER_THREAD);
      assertThat(t.platform.permissions().listBindings(admin, null, new PageRequest(0, 1000)))
          .hasSize(THREADS * USERS_PER_THREAD);
      assertThat(t.platform.groups().listGroupMembers(admin, group.id(), new PageRequest(0, 1000)))
          .hasSize(THREADS * USERS_PER_THREAD);
    }
  }
}
