package com.neurasea.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.Backends;
import com.neurasea.NeuraSea;
import com.neurasea.TestPlatform;
import com.neurasea.model.AccountStatus;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.DataSubject;
import com.neurasea.model.ErasureResult;
import com.neurasea.model.PageRequest;
import com.neurasea.model.PersonalDataItem;
import com.neurasea.model.RequestId;
import com.neurasea.model.RequestStatus;
import com.neurasea.model.SubjectRequest;
import com.neurasea.model.Tenant;
import com.neurasea.model.User;
import com.neurasea.permissions.AccessCacheSettings;
import com.neurasea.spi.PasswordCredentials;
import com.neurasea.spi.PersonalDataContributor;
import com.neurasea.tck.FreshStorage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A host killed with SIGKILL in the middle of an erasure: the subject is never half-erased without
 * a record saying so, and the next instance finishes the erasure.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"sqlite", "postgres"})
class ErasureCrashTest {
  @RegisterExtension final FreshStorage fresh;
  final String backend;
  @TempDir Path dir;

  ErasureCrashTest(String backend) {
    this.backend = backend;
    this.fresh = Backends.fresh(backend);
  }

  @Test
  void anErasureKilledMidwayIsFinishedByTheNextInstance() throws Exception {
    User bob;
    try (TestPlatform t = new TestPlatform(fresh.open(), dir, AccessCacheSettings.DEFAULT)) {
      Tenant acme = t.tenant("acme");
      bob = t.user(acme, "bob", BuiltInRole.MEMBER);
      t.platform.identity().authenticate(new PasswordCredentials("bob", TestPlatform.PASSWORD, "203.0.113.8", "ua"));
    }

    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), ErasureCrashChild.class.getName(), backend,
        dir.resolve("neurasea.key").toString(), bob.id().value()));
    fresh.settings().forEach((k, v) -> command.add(k + "=" + v));
    Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    RequestId requestId = null;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("REQUEST ")) {
          requestId = new RequestId(line.substring("REQUEST ".length()));
        }
        if (line.equals("HANGING")) {
          break;
        }
      }
      assertThat(line).as("the child reached the hanging step").isEqualTo("HANGING");
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }

    AtomicInteger crmErasures = new AtomicInteger();
    try (var storage = fresh.open();
        NeuraSea next = NeuraSea.builder().storage(storage).keyFile(dir.resolve("neurasea.key"))
            .personalDataContributor(new Crm(crmErasures)).build()) {
      SubjectRequest done = await(next, requestId);
      assertThat(done.status()).isEqualTo(RequestStatus.FULFILLED);
      assertThat(done.progress()).isEqualTo("accounts,privacy-ledger,privacy-records,usage,crm");
      assertThat(crmErasures).hasValue(1);
      User erased = storage.tenancy().findUser(bob.id()).orElseThrow();
      assertThat(erased.username()).startsWith("erased-");
      assertThat(erased.status()).isEqualTo(AccountStatus.DISABLED);
      com.neurasea.model.Caller system = com.neurasea.model.Caller.platform(com.neurasea.model.Principal.system());
      List<LedgerRecord> records = next.privacy().recordsOf(system, bob.id(), 0, 1000);
      assertThat(records).extracting(LedgerRecord::reference).containsSubsequence(
          "dsr:" + requestId + ":erasure-started", "dsr:" + requestId + ":erased:accounts",
          "dsr:" + requestId + ":erased:crm", "dsr:" + requestId + ":fulfilled");
      assertThat(records).allSatisfy(r -> assertThat(r.details()).isEmpty());
      assertThat(next.privacy().verify(system).ok()).isTrue();
    }
  }

  private static SubjectRequest await(NeuraSea host, RequestId id) throws InterruptedException {
    com.neurasea.model.Caller system = com.neurasea.model.Caller.platform(com.neurasea.model.Principal.system());
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    SubjectRequest request = host.dataSubjects().get(system, id);
    while (request.status().open() && System.nanoTime() < deadline) {
      Thread.sleep(25);
      request = host.dataSubjects().get(system, id);
    }
    return request;
  }

  /** The same host module as the child's, now working. */
  private record Crm(AtomicInteger erasures) implements PersonalDataContributor {
    @Override
    public String name() {
      return "crm";
    }

    @Override
    public List<PersonalDataItem> export(DataSubject subject) {
      return List.of();
    }

    @Override
    public Set<String> rectify(DataSubject subject, Map<String, String> corrections) {
      return Set.of();
    }

    @Override
    public ErasureResult erase(DataSubject subject, Predicate<String> keep) {
      erasures.incrementAndGet();
      return new ErasureResult(Set.of("user.business.contacts"), Set.of());
    }
  }
}
