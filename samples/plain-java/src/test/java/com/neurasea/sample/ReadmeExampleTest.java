package com.neurasea.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.NeuraSea;
import com.neurasea.identity.BootstrapResult;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.Caller;
import com.neurasea.model.CreateBinding;
import com.neurasea.model.CreateGroup;
import com.neurasea.model.CreateTenant;
import com.neurasea.model.CreateToken;
import com.neurasea.model.CreateUser;
import com.neurasea.model.Group;
import com.neurasea.model.IssuedToken;
import com.neurasea.model.LoginMethod;
import com.neurasea.model.Permissions;
import com.neurasea.model.Principal;
import com.neurasea.model.Scope;
import com.neurasea.model.SetModelPrice;
import com.neurasea.model.Subject;
import com.neurasea.model.Tenant;
import com.neurasea.model.UsageRecord;
import com.neurasea.model.User;
import com.neurasea.quota.QuotaEngine;
import com.neurasea.quota.Reservation;
import com.neurasea.quota.Usage;
import com.neurasea.spi.Storage;
import com.neurasea.spi.TokenCredentials;
import com.neurasea.store.sqlite.SqliteStorage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's plain-Java embedding example, kept compiling and working. */
class ReadmeExampleTest {
  @TempDir Path data;

  @Test
  void theEmbeddingExampleWorks() {
    try (Storage storage = SqliteStorage.builder().path(data.resolve("neurasea.db")).build();
         NeuraSea platform = NeuraSea.builder()
             .storage(storage)
             .keyFile(data.resolve("neurasea.key"))
             .build()) {
      BootstrapResult first = platform.bootstrap("admin", "platform").orElseThrow();
      Caller admin = Caller.platform(platform.identity()
          .authenticate(new TokenCredentials(first.token().secret(), "127.0.0.1", "cli")));

      Tenant acme = platform.tenancy().createTenant(admin, new CreateTenant("acme", "Acme Inc.", "Asia/Shanghai"));
      Caller inAcme = admin.inTenant(acme.id());
      User alice = platform.tenancy().createUser(inAcme,
          new CreateUser("alice", "Alice", "alice@acme.example", null, LoginMethod.PASSWORD, "correct horse battery"));
      Group ml = platform.groups().createGroup(inAcme, new CreateGroup("ml-team", null));
      platform.groups().addGroupMember(inAcme, ml.id(), alice.id());
      platform.permissions().createBinding(inAcme,
          new CreateBinding(Subject.user(alice.id()), BuiltInRole.MEMBER.id(), Scope.tenant()));

      Caller asAlice = Caller.in(Principal.user(alice.id()), acme.id());
      IssuedToken token = platform.identity().createToken(asAlice, new CreateToken("laptop", null, null, null));
      boolean may = platform.permissions().check(asAlice, Permissions.useModel("gpt-4o-mini"), Scope.tenant());

      assertThat(may).isTrue();
      assertThat(platform.identity().authenticate(new TokenCredentials(token.secret(), null, null)).userId())
          .isEqualTo(alice.id());

      // Quotas and metering: the README's reserve / settle example, with a price for the model.
      platform.prices().setPrice(inAcme, new SetModelPrice("gpt-4o-mini", null, 150_000, 600_000, 0, 0, null));
      Caller caller = asAlice;
      String requestId = "req-0001";
      QuotaEngine engine = platform.quotaEngine();
      Reservation held = engine.reserve(engine.chainOf(caller), 5_000, 4_000, requestId);
      UsageRecord usage = engine.settle(held, Usage.ofTokens("gpt-4o-mini", 1_200, 300, 0));
      assertThat(usage.cost()).isEqualTo(360);
    }
  }
}
