package com.neurasea.privacy;

import static com.neurasea.Errors.assertCode;
import static com.neurasea.Errors.thrown;
import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.Backends;
import com.neurasea.TestPlatform;
import com.neurasea.ledger.verify.MerkleVerifier;
import com.neurasea.ledger.verify.SignedCheckpoint;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.Caller;
import com.neurasea.model.CreateToken;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.Principal;
import com.neurasea.model.ProcessingKind;
import com.neurasea.model.ProcessingRecord;
import com.neurasea.model.Tenant;
import com.neurasea.model.UpdateUser;
import com.neurasea.model.User;
import com.neurasea.model.UserId;
import com.neurasea.permissions.AccessCacheSettings;
import com.neurasea.spi.PasswordCredentials;
import com.neurasea.tck.FreshStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"sqlite", "postgres"})
class PrivacyLedgerTest {
  private static final HexFormat HEX = HexFormat.of();
  @RegisterExtension final FreshStorage fresh;
  @TempDir Path dir;
  TestPlatform t;
  PrivacyLedger ledger;
  Tenant acme;
  User alice;
  User bob;

  PrivacyLedgerTest(String backend) {
    this.fresh = Backends.fresh(backend);
  }

  @BeforeEach
  void setUp() {
    t = new TestPlatform(fresh.storage(), dir, AccessCacheSettings.DEFAULT);
    ledger = t.platform.privacy();
    acme = t.tenant("acme");
    alice = t.user(acme, "alice", BuiltInRole.MEMBER);
    bob = t.user(acme, "bob", BuiltInRole.MEMBER);
  }

  @AfterEach
  void tearDown() {
    t.close();
  }

  // ---- what the platform records

  @Test
  void creatingAnAccountRecordsItsCollectionWithoutRawPersonalData() {
    List<LedgerRecord> records = ledger.recordsOf(self(alice), alice.id(), 0, 100);

    LedgerRecord created = records.get(0);
    assertThat(created.kind()).isEqualTo(ProcessingKind.COLLECTION);
    assertThat(created.module()).isEqualTo("tenancy");
    assertThat(created.tenantId()).isEqualTo(acme.id());
    assertThat(created.subjectKey()).isEqualTo(ledger.subjectKey(alice.id())).startsWith("sk_");
    assertThat(created.categories()).contains("user.account.username", "user.contact.email",
        "user.account.credential", "user.org.membership");
    assertThat(created.purpose()).isEqualTo("account_security");
    assertThat(created.legalBasis()).isEqualTo("gdpr.contract");
    assertThat(created.actor()).isEqualTo("user:" + ledger.subjectKey(t.bootstrap.admin().id()));
    // No leaf names the user, her username or her e-mail address.
    String everything = String.join("\n", ledger.records(t.admin, 0, 1000).stream().map(LedgerRecord::toString)
        .toList());
    assertThat(everything).doesNotContain(alice.id().value()).doesNotContain("alice@example.com")
        .doesNotContain("=alice");
  }

  @Test
  void aPasswordSignInRecordsTheAddressAndUserAgentAsErasableDetails() {
    t.platform.identity().authenticate(new PasswordCredentials("alice", TestPlatform.PASSWORD, "198.51.100.4",
        "Mozilla/5.0 (X11)"));
    assertCode(() -> t.platform.identity().authenticate(new PasswordCredentials("alice", "wrong password!!",
        "203.0.113.9", "curl/8")), ErrorCode.UNAUTHENTICATED);

    List<LedgerRecord> records = ledger.recordsOf(self(alice), alice.id(), 0, 100);
    LedgerRecord signIn = records.stream().filter(r -> "login:password".equals(r.reference())).findFirst()
        .orElseThrow();
    assertThat(signIn.module()).isEqualTo("identity");
    assertThat(signIn.categories()).contains("user.device.ip_address", "user.device.user_agent");
    assertThat(signIn.details()).containsEntry("user.device.ip_address", "198.51.100.4")
        .containsEntry("user.device.user_agent", "Mozilla/5.0 (X11)");
    // The same sign-in again within the interval is not recorded again; from elsewhere, or later, it is.
    for (int i = 0; i < 3; i++) {
      t.platform.identity().authenticate(new PasswordCredentials("alice", TestPlatform.PASSWORD, "198.51.100.4",
          "Mozilla/5.0 (X11)"));
    }
    t.platform.identity().authenticate(new PasswordCredentials("alice", TestPlatform.PASSWORD, "198.51.100.5",
        "Mozilla/5.0 (X11)"));
    t.clock.advance(java.time.Duration.ofMinutes(16));
    t.platform.identity().authenticate(new PasswordCredentials("alice", TestPlatform.PASSWORD, "198.51.100.4",
        "Mozilla/5.0 (X11)"));
    records = ledger.recordsOf(self(alice), alice.id(), 0, 100);
    assertThat(records).filteredOn(r -> "login:password".equals(r.reference())).extracting(r -> r.details()
        .get("user.device.ip_address")).containsExactly("198.51.100.4", "198.51.100.5", "198.51.100.4");
    LedgerRecord failed = records.stream().filter(r -> "login:failed".equals(r.reference())).findFirst()
        .orElseThrow();
    assertThat(failed.purpose()).isEqualTo("security_monitoring");
    assertThat(failed.details()).containsEntry("user.device.ip_address", "203.0.113.9");

    // Erasing her details keeps every entry and every hash.
    String rootBefore = HEX.formatHex(ledger.checkpoint(t.admin).checkpoint().root());
    assertThat(t.storage.ledger().eraseDetails(ledger.subjectKey(alice.id()))).isEqualTo(4);
    LedgerRecord erased = ledger.recordsOf(self(alice), alice.id(), 0, 100).stream()
        .filter(r -> "login:password".equals(r.reference())).findFirst().orElseThrow();
    assertThat(erased.details()).isEmpty();
    assertThat(erased.detailsErased()).isTrue();
    assertThat(erased.leafHash()).isEqualTo(signIn.leafHash());
    assertThat(HEX.formatHex(ledger.checkpoint(t.admin).checkpoint().root())).isEqualTo(rootBefore);
    assertThat(ledger.verify(t.admin).ok()).isTrue();
  }

  @Test
  void accountChangesVerificationMembershipAndTokensAreRecorded() {
    Caller admin = t.admin.inTenant(acme.id());
    t.platform.tenancy().markEmailVerified(admin, alice.id());
    // A new address loses the old one's verification.
    t.platform.tenancy().updateUser(admin, alice.id(), new UpdateUser("Alice A.", "alice@new.example", null));
    t.platform.identity().createToken(self(alice), new CreateToken("ci", null, null, null));
    t.platform.tenancy().removeMember(admin, bob.id());

    List<LedgerRecord> alices = ledger.recordsOf(self(alice), alice.id(), 0, 100);
    assertThat(alices).extracting(LedgerRecord::kind).contains(ProcessingKind.RECTIFICATION);
    assertThat(alices).filteredOn(r -> r.kind() == ProcessingKind.RECTIFICATION).singleElement()
        .satisfies(r -> assertThat(r.categories()).containsExactlyInAnyOrder("user.account.display_name",
            "user.contact.email", "user.account.verification_status"));
    assertThat(alices).anySatisfy(r -> assertThat(r.reference()).isEqualTo("verified:email"));
    assertThat(alices).anySatisfy(r -> {
      assertThat(r.categories()).containsExactly("user.org.tokens");
      assertThat(r.reference()).endsWith(":created");
      assertThat(r.actor()).isEqualTo("user:" + ledger.subjectKey(alice.id()));
    });
    assertThat(ledger.recordsOf(t.admin, bob.id(), 0, 100)).anySatisfy(r -> {
      assertThat(r.kind()).isEqualTo(ProcessingKind.ERASURE);
      assertThat(r.categories()).contains("user.org.membership");
    });
    // Role bindings and group memberships are organization information about the member too.
    assertThat(alices).anySatisfy(r -> {
      assertThat(r.module()).isEqualTo("permissions");
      assertThat(r.categories()).containsExactly("user.org.roles");
      assertThat(r.reference()).startsWith("binding:");
    });
    com.neurasea.model.Group group = t.platform.groups().createGroup(admin,
        new com.neurasea.model.CreateGroup("research", null));
    t.platform.groups().addGroupMember(admin, group.id(), alice.id());
    t.platform.groups().removeGroupMember(admin, group.id(), alice.id());
    assertThat(ledger.recordsOf(self(alice), alice.id(), 0, 100)).filteredOn(r -> r.categories()
        .contains("user.org.groups")).extracting(LedgerRecord::kind)
        .containsExactly(ProcessingKind.COLLECTION, ProcessingKind.ERASURE);
  }

  @Test
  void aFailedChangeRecordsNothing() {
    long before = ledger.size();
    assertCode(() -> t.user(acme, "alice", BuiltInRole.MEMBER), ErrorCode.CONFLICT);
    assertThat(ledger.size()).isEqualTo(before);
  }

  // ---- who may read

  @Test
  void aTenantAdministratorSeesTheTenantsRecordsOfAMemberOthersSeeNothing() {
    User admin = t.user(acme, "tadmin", BuiltInRole.TENANT_ADMIN);
    Tenant other = t.tenant("other");
    User stranger = t.user(other, "stranger", BuiltInRole.TENANT_ADMIN);

    assertThat(ledger.recordsOf(Caller.in(Principal.user(admin.id()), acme.id()), alice.id(), 0, 100))
        .isNotEmpty().allSatisfy(r -> assertThat(r.tenantId()).isEqualTo(acme.id()));
    assertCode(() -> ledger.recordsOf(self(bob), alice.id(), 0, 100), ErrorCode.PERMISSION_DENIED);
    assertCode(() -> ledger.recordsOf(Caller.in(Principal.user(stranger.id()), other.id()), alice.id(), 0, 100),
        ErrorCode.NOT_FOUND);
    assertCode(() -> ledger.records(self(alice), 0, 10), ErrorCode.PERMISSION_DENIED);
    assertCode(() -> ledger.verify(self(alice)), ErrorCode.PERMISSION_DENIED);
    assertCode(() -> ledger.checkpoint(self(alice)), ErrorCode.PERMISSION_DENIED);
    assertCode(() -> ledger.processingActivities(self(alice)), ErrorCode.PERMISSION_DENIED);
    assertCode(() -> ledger.exportCheckpoints(self(alice)), ErrorCode.PERMISSION_DENIED);
    assertCode(() -> ledger.recordsOf(self(alice), alice.id(), -1, 10), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> ledger.recordsOf(self(alice), alice.id(), 0, 0), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> ledger.recordsOf(self(alice), null, 0, 10), ErrorCode.INVALID_ARGUMENT);
  }

  // ---- bad records

  @Test
  void unknownKeysAndBadShapesAreRejectedWithEveryFieldAndNothingIsWritten() {
    long before = ledger.size();
    NeuraSeaException e = thrown(() -> ledger.record(ProcessingRecord.of(ProcessingKind.COLLECTION)
        .module("Bad Module").categories("user.contact.email", "user.contact.fax", "user.contact.email")
        .purpose("world_domination", "gdpr.whim").reference("alice@example.com")
        .detail("user.device.ip_address", "10.0.0.1").build()));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.fieldErrors()).extracting(f -> f.field()).containsExactlyInAnyOrder("module", "categories[1]",
        "categories[2]", "purpose", "legalBasis", "reference", "details", "details.user.device.ip_address");
    assertThat(ledger.size()).isEqualTo(before);
  }

  @Test
  void aDisclosureNeedsRecipientGroundAndConsentAndOnlyADisclosureHasThem() {
    NeuraSeaException missing = thrown(() -> ledger.record(ProcessingRecord.of(ProcessingKind.DISCLOSURE)
        .module("routing").subject(alice.id()).categories("user.usage.request_content")
        .purpose("service_delivery", "gdpr.contract").build()));
    assertThat(missing.fieldErrors()).extracting(f -> f.field()).containsExactlyInAnyOrder("recipient", "ground",
        "separateConsent");
    NeuraSeaException unknown = thrown(() -> ledger.record(ProcessingRecord.of(ProcessingKind.DISCLOSURE)
        .module("routing").subject(alice.id()).categories("user.usage.request_content")
        .purpose("service_delivery", "gdpr.contract").disclosedTo("data_broker", "because", true).build()));
    assertThat(unknown.fieldErrors()).extracting(f -> f.field()).containsExactlyInAnyOrder("recipient", "ground");
    NeuraSeaException stray = thrown(() -> ledger.record(ProcessingRecord.of(ProcessingKind.USE)
        .module("routing").subject(alice.id()).categories("user.usage.request_content")
        .purpose("service_delivery", "gdpr.contract").disclosedTo("model_provider", "selected_service", true).build()));
    assertThat(stray.fieldErrors()).extracting(f -> f.field()).containsExactlyInAnyOrder("recipient", "ground",
        "separateConsent");
    assertCode(() -> ledger.record(null), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> ledger.recordAll(null), ErrorCode.INVALID_ARGUMENT);

    LedgerRecord ok = ledger.record(ProcessingRecord.of(ProcessingKind.DISCLOSURE).module("routing")
        .tenant(acme.id()).subject(alice.id()).actor(Principal.user(alice.id()))
        .categories("user.usage.request_content").purpose("service_delivery", "gdpr.contract")
        .disclosedTo("model_provider", "selected_service", false).reference("request:req_123").build());
    assertThat(ok.recipient()).isEqualTo("model_provider");
    assertThat(ok.separateConsent()).isFalse();
    assertThat(ledger.recordsOf(self(alice), alice.id(), ok.index(), 1)).containsExactly(ok);
  }

  @Test
  void aHostsOwnTaxonomyTermsAreAccepted() throws Exception {
    Taxonomy extended = Taxonomy.builder().load("category user.hr.badge | Badge number | retention=P1Y").build();
    try (var platform = com.neurasea.NeuraSea.builder().storage(t.storage).keyFile(dir.resolve("neurasea.key"))
        .taxonomy(extended).privacyJurisdiction(Jurisdiction.PIPL).build()) {
      LedgerRecord r = platform.privacy().record(ProcessingRecord.of(ProcessingKind.COLLECTION).module("hr")
          .subject(alice.id()).categories("user.hr.badge").purpose("business_support", "pipl.contract").build());
      assertThat(r.categories()).containsExactly("user.hr.badge");
      assertThat(platform.privacy().jurisdiction().security()).isEqualTo("pipl.contract");
    }
    assertCode(() -> ledger.record(ProcessingRecord.of(ProcessingKind.COLLECTION).module("hr").subject(alice.id())
        .categories("user.hr.badge").purpose("business_support", "pipl.contract").build()),
        ErrorCode.INVALID_ARGUMENT);
  }

  // ---- records of processing activities

  @Test
  void theRecordsOfProcessingActivitiesComeFromTheTaxonomyAndTheLedger() {
    t.platform.identity().authenticate(new PasswordCredentials("alice", TestPlatform.PASSWORD, "198.51.100.4", "ua"));
    ledger.record(ProcessingRecord.of(ProcessingKind.DISCLOSURE).module("routing").tenant(acme.id())
        .subject(alice.id()).categories("user.usage.request_content").purpose("service_delivery", "gdpr.contract")
        .disclosedTo("model_provider", "selected_service", false).build());

    ProcessingActivities ropa = ledger.processingActivities(t.admin);

    assertThat(ropa.controller()).isEqualTo("NeuraSea");
    assertThat(ropa.controllerContact()).isEqualTo("contact@neurasea.com");
    assertThat(ropa.entriesCovered()).isEqualTo(ledger.size());
    assertThat(ropa.activities()).extracting(ProcessingActivities.Activity::purpose).containsExactly(
        "account_security", "service_delivery", "console_operations", "security_monitoring", "business_support",
        "legal_compliance");
    ProcessingActivities.Activity accounts = ropa.activities().get(0);
    assertThat(accounts.legalBases()).anySatisfy(b -> assertThat(b).startsWith("GDPR Art. 6(1)(b)"));
    assertThat(accounts.subjectCategories()).containsExactly("platform users");
    assertThat(accounts.dataCategories()).anySatisfy(c -> {
      assertThat(c.key()).isEqualTo("user.device.ip_address");
      assertThat(c.erasure()).isEqualTo("P180D after collection");
    });
    assertThat(accounts.dataCategories()).anySatisfy(c -> {
      assertThat(c.key()).isEqualTo("user.contact.email");
      assertThat(c.erasure()).isEqualTo("when the account is erased");
    });
    assertThat(accounts.modules()).contains("tenancy", "identity");
    ProcessingActivities.Activity service = ropa.activities().get(1);
    assertThat(service.recipients()).singleElement().satisfies(r -> {
      assertThat(r.key()).isEqualTo("model_provider");
      assertThat(r.disclosures()).isEqualTo(1);
      assertThat(r.transfers()).contains("region");
      assertThat(r.grounds()).singleElement().asString().startsWith("Necessary to fulfil");
    });
    assertThat(ropa.activities().get(4).recordCount()).isZero();
    assertThat(ropa.securityMeasures()).isNotEmpty();

    assertThat(ropa.toJson()).contains("\"controller\": {", "\"purpose\": \"service_delivery\"",
        "\"key\": \"model_provider\"", "\"securityMeasures\": [");
    assertThat(ropa.toText()).contains("RECORDS OF PROCESSING ACTIVITIES", "Controller: NeuraSea <contact@neurasea.com>",
        "IP address [user.device.ip_address], erased: P180D after collection", "(no disclosures recorded)");
    assertThat(ropa.toJson() + ropa.toText()).doesNotContain("198.51.100.4").doesNotContain("alice");
  }

  // ---- proofs

  @Test
  void inclusionAndConsistencyProofsVerifyAgainstSignedCheckpoints() throws Exception {
    SignedCheckpoint first = ledger.checkpoint(t.admin);
    first.verify(ledger.publicKey());
    for (int i = 0; i < 5; i++) {
      t.user(acme, "more" + i, null);
    }
    List<LedgerRecord> alices = ledger.recordsOf(self(alice), alice.id(), 0, 1);
    InclusionProof proof = ledger.proveInclusion(alices.get(0).index());
    proof.checkpoint().verify(ledger.publicKey());
    MerkleVerifier.verifyInclusion(HEX.parseHex(proof.leafHash()), proof.index(), proof.treeSize(),
        proof.path().stream().map(HEX::parseHex).toList(), proof.checkpoint().checkpoint().root());
    assertThat(proof.leafHash()).isEqualTo(alices.get(0).leafHash());

    // An entry newer than the latest checkpoint gets one signed for its proof.
    long last = ledger.size() - 1;
    InclusionProof newest = ledger.proveInclusion(last);
    assertThat(newest.treeSize()).isEqualTo(last + 1);

    SignedCheckpoint second = ledger.latestCheckpoint().orElseThrow();
    ConsistencyProof consistency = ledger.proveConsistency(first.checkpoint().size(), second.checkpoint().size());
    MerkleVerifier.verifyConsistency(consistency.oldSize(), consistency.newSize(),
        consistency.path().stream().map(HEX::parseHex).toList(), first.checkpoint().root(),
        second.checkpoint().root());
    assertThat(ledger.checkpoints(0, 10)).contains(first, second);

    assertCode(() -> ledger.proveInclusion(-1), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> ledger.proveInclusion(last + 1000), ErrorCode.NOT_FOUND);
    assertCode(() -> ledger.proveConsistency(5, 2), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> ledger.proveConsistency(0, second.checkpoint().size() + 1), ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void aCheckpointIsSignedOncePerSizeAndStableWhenNothingChanged() {
    SignedCheckpoint a = ledger.checkpoint(t.admin);
    SignedCheckpoint b = ledger.checkpoint(t.admin);
    assertThat(b).isEqualTo(a);
    assertThat(a.checkpoint().size()).isEqualTo(ledger.size());
  }

  // ---- concurrency and faults

  @Test
  void concurrentStandaloneRecordsAreBatchedAndAllLand() throws Exception {
    long before = ledger.size();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<LedgerRecord>> results = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        UserId subject = i % 2 == 0 ? alice.id() : bob.id();
        results.add(pool.submit(() -> ledger.record(ProcessingRecord.of(ProcessingKind.USE).module("routing")
            .subject(subject).categories("user.usage.request_time").purpose("service_delivery", "gdpr.contract")
            .build())));
      }
      List<Long> indexes = new ArrayList<>();
      for (Future<LedgerRecord> result : results) {
        indexes.add(result.get(1, TimeUnit.MINUTES).index());
      }
      assertThat(indexes).doesNotHaveDuplicates().allSatisfy(i -> assertThat(i).isGreaterThanOrEqualTo(before));
    } finally {
      pool.shutdownNow();
    }
    assertThat(ledger.size()).isEqualTo(before + 200);
    assertThat(ledger.verify(t.admin).ok()).isTrue();
  }

  @Test
  void whenTheStoreIsGoneEveryBatchedCallerGetsUnavailableAndNothingHangs() throws Exception {
    var storage = fresh.open();
    try (var platform = com.neurasea.NeuraSea.builder().storage(storage).keyFile(dir.resolve("neurasea.key"))
        .build()) {
      storage.close();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<NeuraSeaException>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          calls.add(pool.submit(() -> thrown(() -> platform.privacy().record(ProcessingRecord.of(ProcessingKind.USE)
              .module("routing").subject(alice.id()).categories("user.usage.request_time")
              .purpose("service_delivery", "gdpr.contract").build()))));
        }
        for (Future<NeuraSeaException> call : calls) {
          assertThat(call.get(1, TimeUnit.MINUTES).code()).isEqualTo(ErrorCode.UNAVAILABLE);
        }
      } finally {
        pool.shutdownNow();
      }
    }
    assertThat(ledger.verify(t.admin).ok()).isTrue();
  }

  @Test
  void recordsStagedByAnInstanceThatDiedAreSequencedByTheNextOne() throws Exception {
    ledger.sequence();
    // A unit of work commits its change and staged record, then the host dies before sequencing.
    t.storage.inTransaction(stores -> {
      ledger.record(stores, ProcessingRecord.of(ProcessingKind.USE).module("routing").subject(alice.id())
          .categories("user.usage.request_time").purpose("service_delivery", "gdpr.contract")
          .reference("request:orphan").build());
      return null;
    });
    assertThat(t.storage.ledger().hasStaged()).isTrue();

    try (var next = t.sibling(dir, AccessCacheSettings.DEFAULT)) {
      assertThat(next.privacy().sequence()).isEqualTo(1);
      assertThat(next.privacy().recordsOf(self(alice), alice.id(), 0, 100))
          .anySatisfy(r -> assertThat(r.reference()).isEqualTo("request:orphan"));
      assertThat(next.privacy().verify(t.admin).ok()).isTrue();
    }
    assertThat(t.storage.ledger().hasStaged()).isFalse();
  }

  @Test
  void manyConcurrentUnitsOfWorkEachRecordExactlyOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        int n = i;
        work.add(pool.submit(() -> t.user(acme, "worker" + n, null)));
      }
      for (Future<?> f : work) {
        f.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    List<LedgerRecord> all = ledger.records(t.admin, 0, 1000);
    assertThat(all).filteredOn(r -> r.reference() != null && r.reference().equals("account:created"))
        .extracting(LedgerRecord::subjectKey).doesNotHaveDuplicates().hasSize(42);
    assertThat(ledger.verify(t.admin).ok()).isTrue();
  }

  private Caller self(User user) {
    return TestPlatform.as(user, acme);
  }
}
