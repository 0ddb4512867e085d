package com.neurasea.privacy;

import static com.neurasea.Errors.assertCode;
import static com.neurasea.Errors.thrown;
import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.Backends;
import com.neurasea.NeuraSea;
import com.neurasea.TestPlatform;
import com.neurasea.ledger.verify.MerkleVerifier;
import com.neurasea.model.AccountStatus;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.Caller;
import com.neurasea.model.CreateToken;
import com.neurasea.model.DataSubject;
import com.neurasea.model.ErasureResult;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.IssuedToken;
import com.neurasea.model.LegalHold;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PageRequest;
import com.neurasea.model.PersonalDataItem;
import com.neurasea.model.PolicyAcknowledgment;
import com.neurasea.model.PolicyVersion;
import com.neurasea.model.Principal;
import com.neurasea.model.RequestStatus;
import com.neurasea.model.RequestType;
import com.neurasea.model.SubjectRequest;
import com.neurasea.model.Tenant;
import com.neurasea.model.User;
import com.neurasea.permissions.AccessCacheSettings;
import com.neurasea.spi.PasswordCredentials;
import com.neurasea.spi.PersonalDataContributor;
import com.neurasea.spi.TokenCredentials;
import com.neurasea.tck.FreshStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"sqlite", "postgres"})
class DataSubjectRightsTest {
  private static final HexFormat HEX = HexFormat.of();
  @RegisterExtension final FreshStorage fresh;
  @TempDir Path dir;
  TestPlatform t;
  DataSubjectRights rights;
  Tenant acme;
  User alice;
  User bob;
  User tadmin;
  Caller tenantAdmin;

  DataSubjectRightsTest(String backend) {
    this.fresh = Backends.fresh(backend);
  }

  @BeforeEach
  void setUp() {
    t = new TestPlatform(fresh.storage(), dir, AccessCacheSettings.DEFAULT);
    rights = t.platform.dataSubjects();
    acme = t.tenant("acme");
    alice = t.user(acme, "alice", BuiltInRole.MEMBER);
    bob = t.user(acme, "bob", BuiltInRole.MEMBER);
    tadmin = t.user(acme, "tadmin", BuiltInRole.TENANT_ADMIN);
    tenantAdmin = TestPlatform.as(tadmin, acme);
  }

  @AfterEach
  void tearDown() {
    t.close();
  }

  // ---- access

  @Test
  void aSubjectGetsEverythingHeldInOneCall() {
    t.platform.identity().authenticate(new PasswordCredentials("alice", TestPlatform.PASSWORD, "198.51.100.7", "ua/1"));
    t.platform.identity().createToken(self(alice), new CreateToken("laptop", null, null, null));

    String export = rights.exportPersonalData(self(alice), alice.id());

    assertThat(export).contains("\"name\": \"accounts\"", "\"name\": \"privacy-ledger\"",
        "\"name\": \"privacy-records\"", "\"value\": \"alice\"", "\"value\": \"alice@example.com\"",
        "\"value\": \"laptop\"", "\"value\": \"198.51.100.7\"", "\"category\": \"user.device.ip_address\"",
        "\"categoryLabel\": \"E-mail address\"");
    assertThat(export).doesNotContain("bob@example.com").doesNotContain("$argon2");
    assertThat(rights.exportPersonalData(t.admin, alice.id())).contains("alice@example.com");
    assertCode(() -> rights.exportPersonalData(self(bob), alice.id()), ErrorCode.NOT_FOUND);
    assertCode(() -> rights.exportPersonalData(self(alice), null), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> rights.exportPersonalData(t.admin, new com.neurasea.model.UserId("usr_nobody")),
        ErrorCode.NOT_FOUND);
  }

  @Test
  void aMembersRequestIsRoutedToTheTenantAdministratorsAndAnsweredWithAProof() throws Exception {
    SubjectRequest request = rights.submit(self(alice), alice.id(), RequestType.ACCESS, null);

    assertThat(request.status()).isEqualTo(RequestStatus.ROUTED);
    assertThat(request.routedTo()).isEqualTo(acme.id());
    assertThat(request.verificationMethod()).isEqualTo("signed-in");
    assertThat(request.dueAt()).isEqualTo(request.receivedAt().atZone(ZoneOffset.UTC).plusMonths(1).toInstant());
    assertCode(() -> rights.fulfil(self(alice), request.id()), ErrorCode.PERMISSION_DENIED);
    assertCode(() -> rights.fulfil(self(bob), request.id()), ErrorCode.NOT_FOUND);
    assertThat(rights.list(tenantAdmin, null, Set.of(), PageRequest.first(10))).extracting(SubjectRequest::id)
        .containsExactly(request.id());
    assertThat(rights.get(self(alice), request.id())).isEqualTo(request);
    assertThat(rights.list(self(alice), null, Set.of(), PageRequest.first(10))).extracting(SubjectRequest::id)
        .containsExactly(request.id());
    assertThat(rights.list(self(bob), null, Set.of(), PageRequest.first(10))).isEmpty();
    assertCode(() -> rights.list(self(bob), alice.id(), Set.of(), PageRequest.first(10)), ErrorCode.NOT_FOUND);
    assertThat(rights.list(t.admin, alice.id(), Set.of(), PageRequest.first(10))).hasSize(1);
    assertThat(DataSubjectRights.correctionFields(request)).isEmpty();

    RequestReceipt receipt = rights.fulfil(tenantAdmin, request.id());

    assertThat(receipt.request().status()).isEqualTo(RequestStatus.FULFILLED);
    assertThat(receipt.export()).contains("alice@example.com");
    assertThat(receipt.record().reference()).isEqualTo("dsr:" + request.id() + ":fulfilled");
    assertThat(receipt.record().subjectKey()).isEqualTo(t.platform.privacy().subjectKey(alice.id()));
    receipt.proof().checkpoint().verify(t.platform.privacy().publicKey());
    MerkleVerifier.verifyInclusion(HEX.parseHex(receipt.proof().leafHash()), receipt.proof().index(),
        receipt.proof().treeSize(), receipt.proof().path().stream().map(HEX::parseHex).toList(),
        receipt.proof().checkpoint().checkpoint().root());
    assertThat(t.platform.privacy().recordsOf(self(alice), alice.id(), 0, 100)).extracting(LedgerRecord::reference)
        .contains("dsr:" + request.id() + ":received", "dsr:" + request.id() + ":verified:signed-in",
            "dsr:" + request.id() + ":routed", "dsr:" + request.id() + ":fulfilled");
    assertCode(() -> rights.fulfil(tenantAdmin, request.id()), ErrorCode.FAILED_PRECONDITION);
  }

  @Test
  void duplicateUnknownAndForeignRequestsAreRefused() {
    SubjectRequest first = rights.submit(self(alice), alice.id(), RequestType.ERASURE, null);
    NeuraSeaException duplicate = thrown(() -> rights.submit(self(alice), alice.id(), RequestType.ERASURE, null));
    assertThat(duplicate.code()).isEqualTo(ErrorCode.CONFLICT);
    assertThat(duplicate.fieldErrors()).extracting(f -> f.field()).containsExactly("type");
    rights.submit(self(alice), alice.id(), RequestType.ACCESS, null);

    assertCode(() -> rights.submit(t.admin, new com.neurasea.model.UserId("usr_nobody"), RequestType.ACCESS, null),
        ErrorCode.NOT_FOUND);
    Tenant other = t.tenant("other");
    User stranger = t.user(other, "stranger", BuiltInRole.TENANT_ADMIN);
    assertCode(() -> rights.submit(TestPlatform.as(stranger, other), alice.id(), RequestType.ACCESS, null),
        ErrorCode.NOT_FOUND);
    assertCode(() -> rights.submit(self(bob), alice.id(), RequestType.ACCESS, null), ErrorCode.PERMISSION_DENIED);
    assertCode(() -> rights.submit(self(alice), alice.id(), null, null), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> rights.submit(self(alice), alice.id(), RequestType.ACCESS, Map.of("email", "x@y.z")),
        ErrorCode.INVALID_ARGUMENT);

    rights.refuse(tenantAdmin, first.id(), "the account is needed for an open invoice");
    assertThat(rights.submit(self(alice), alice.id(), RequestType.ERASURE, null).status())
        .isEqualTo(RequestStatus.ROUTED);
  }

  @Test
  void aRequestReceivedElsewhereIsVerifiedBeforeItIsFulfilled() {
    SubjectRequest request = rights.submit(t.admin, alice.id(), RequestType.ACCESS, null);
    assertThat(request.status()).isEqualTo(RequestStatus.RECEIVED);
    assertCode(() -> rights.fulfil(t.admin, request.id()), ErrorCode.FAILED_PRECONDITION);
    assertCode(() -> rights.verifyIdentity(t.admin, request.id(), "Bad Method"), ErrorCode.INVALID_ARGUMENT);

    SubjectRequest verified = rights.verifyIdentity(t.admin, request.id(), "id-document");
    assertThat(verified.status()).isEqualTo(RequestStatus.VERIFIED);
    assertCode(() -> rights.verifyIdentity(t.admin, request.id(), "id-document"), ErrorCode.FAILED_PRECONDITION);
    assertThat(rights.fulfil(t.admin, request.id()).request().status()).isEqualTo(RequestStatus.FULFILLED);

    // A tenant administrator's submission for a member goes to the tenant.
    SubjectRequest onBehalf = rights.submit(tenantAdmin, bob.id(), RequestType.ACCESS, null);
    assertThat(onBehalf.status()).isEqualTo(RequestStatus.ROUTED);
    assertThat(onBehalf.routedTo()).isEqualTo(acme.id());
  }

  @Test
  void deadlinesAreTrackedExtendedOnceAndOverdueRequestsListed() {
    SubjectRequest request = rights.submit(self(alice), alice.id(), RequestType.ACCESS, null);
    SubjectRequest done = rights.submit(self(bob), bob.id(), RequestType.ACCESS, null);
    rights.fulfil(tenantAdmin, done.id());
    assertThat(rights.overdue(t.admin)).isEmpty();

    t.clock.advance(Duration.ofDays(32));
    assertThat(rights.overdue(t.admin)).extracting(SubjectRequest::id).containsExactly(request.id());
    assertCode(() -> rights.overdue(tenantAdmin), ErrorCode.PERMISSION_DENIED);

    SubjectRequest extended = rights.extend(tenantAdmin, request.id(), "the export spans several systems");
    assertThat(extended.dueAt()).isEqualTo(request.dueAt().atZone(ZoneOffset.UTC).plusMonths(2).toInstant());
    assertThat(rights.overdue(t.admin)).isEmpty();
    assertCode(() -> rights.extend(tenantAdmin, request.id(), "again"), ErrorCode.FAILED_PRECONDITION);
    assertCode(() -> rights.extend(tenantAdmin, request.id(), " "), ErrorCode.INVALID_ARGUMENT);
  }

  // ---- rectification and restriction

  @Test
  void aRectificationCorrectsTheNamedFields() {
    assertThat(thrown(() -> rights.submit(self(alice), alice.id(), RequestType.RECTIFICATION,
        Map.of("fax", "123"))).fieldErrors()).extracting(f -> f.field()).containsExactly("corrections.fax");
    assertCode(() -> rights.submit(self(alice), alice.id(), RequestType.RECTIFICATION, Map.of()),
        ErrorCode.INVALID_ARGUMENT);
    t.platform.tenancy().markEmailVerified(t.admin.inTenant(acme.id()), alice.id());

    SubjectRequest request = rights.submit(self(alice), alice.id(), RequestType.RECTIFICATION,
        Map.of("email", "alice@corrected.example", "displayName", "Alice C."));
    assertThat(DataSubjectRights.correctionFields(request)).containsExactly("displayName", "email");
    RequestReceipt receipt = rights.fulfil(tenantAdmin, request.id());

    assertThat(receipt.request().status()).isEqualTo(RequestStatus.FULFILLED);
    assertThat(receipt.request().payload()).isNull();
    assertThat(receipt.request().outcome()).contains("displayName").contains("email");
    User corrected = t.storage.tenancy().findUser(alice.id()).orElseThrow();
    assertThat(corrected.email()).isEqualTo("alice@corrected.example");
    assertThat(corrected.displayName()).isEqualTo("Alice C.");
    assertThat(corrected.emailVerifiedAt()).isNull();
    assertThat(t.platform.privacy().recordsOf(self(alice), alice.id(), 0, 100)).anySatisfy(r -> {
      assertThat(r.kind()).isEqualTo(com.neurasea.model.ProcessingKind.RECTIFICATION);
      assertThat(r.categories()).containsExactly("user.account.display_name", "user.contact.email");
    });
    SubjectRequest bad = rights.submit(self(bob), bob.id(), RequestType.RECTIFICATION, Map.of("email", "not-an-email"));
    assertCode(() -> rights.fulfil(tenantAdmin, bad.id()), ErrorCode.INVALID_ARGUMENT);
    assertThat(rights.get(t.admin, bad.id()).status()).isEqualTo(RequestStatus.ROUTED);
  }

  @Test
  void aRestrictionKeepsTheInformationButStopsProcessing() {
    SubjectRequest request = rights.submit(self(alice), alice.id(), RequestType.RESTRICTION, null);
    RequestReceipt receipt = rights.fulfil(tenantAdmin, request.id());

    assertThat(receipt.request().status()).isEqualTo(RequestStatus.FULFILLED);
    assertThat(rights.flags(t.admin, alice.id()).restricted()).isTrue();
    User kept = t.platform.tenancy().getUser(t.admin.inTenant(acme.id()), alice.id());
    assertThat(kept.email()).isEqualTo("alice@example.com");
    assertThat(kept.status()).isEqualTo(AccountStatus.DISABLED);
    assertCode(() -> t.platform.identity().authenticate(new PasswordCredentials("alice", TestPlatform.PASSWORD,
        null, null)), ErrorCode.FAILED_PRECONDITION);
  }

  // ---- erasure

  @Test
  void anErasureAnonymizesTheAccountDeletesWhatItMayAndSaysWhatItKept() {
    IssuedToken token = t.platform.identity().createToken(self(bob), new CreateToken("ci", null, null, null));
    t.platform.identity().authenticate(new PasswordCredentials("bob", TestPlatform.PASSWORD, "203.0.113.5", "ua"));
    SubjectRequest request = rights.submit(self(bob), bob.id(), RequestType.ERASURE, null);

    RequestReceipt receipt = rights.fulfil(tenantAdmin, request.id());

    assertThat(receipt.request().status()).isEqualTo(RequestStatus.FULFILLED);
    assertThat(receipt.request().progress()).isEqualTo("accounts,privacy-ledger,privacy-records,usage");
    assertThat(receipt.erased().get("accounts")).contains("user.contact.email", "user.org.membership",
        "user.org.tokens");
    assertThat(receipt.restricted()).containsKey("user.privacy");
    assertThat(receipt.restricted().get("user.privacy")).startsWith("retention duty");
    User erased = t.storage.tenancy().findUser(bob.id()).orElseThrow();
    assertThat(erased.username()).startsWith("erased-");
    assertThat(erased.email()).isNull();
    assertThat(erased.status()).isEqualTo(AccountStatus.DISABLED);
    assertThat(t.storage.tenancy().listMemberships(bob.id())).isEmpty();
    assertThat(t.storage.credentials().findPassword(bob.id())).isEmpty();
    assertCode(() -> t.platform.identity().authenticate(new TokenCredentials(token.secret(), null, null)),
        ErrorCode.UNAUTHENTICATED);
    String export = rights.exportPersonalData(t.admin, bob.id());
    assertThat(export).doesNotContain("bob@example.com").doesNotContain("203.0.113.5");
    // The ledger keeps its records (pseudonymous) and still verifies.
    assertThat(t.platform.privacy().recordsOf(t.admin, bob.id(), 0, 100)).extracting(LedgerRecord::reference)
        .contains("dsr:" + request.id() + ":erasure-started", "dsr:" + request.id() + ":erased:accounts",
            "dsr:" + request.id() + ":fulfilled");
    assertThat(t.platform.privacy().verify(t.admin).ok()).isTrue();
  }

  @Test
  void aLegalHoldKeepsAndRestrictsWhatItCovers() {
    assertCode(() -> rights.placeHold(t.admin, alice.id(), List.of("user.contact.fax"), "litigation"),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> rights.placeHold(tenantAdmin, alice.id(), List.of("user.contact"), "litigation"),
        ErrorCode.PERMISSION_DENIED);
    LegalHold hold = rights.placeHold(t.admin, alice.id(), List.of("user.contact"), "litigation 2026-17");
    SubjectRequest request = rights.submit(self(alice), alice.id(), RequestType.ERASURE, null);

    RequestReceipt receipt = rights.fulfil(tenantAdmin, request.id());

    assertThat(receipt.restricted()).containsEntry("user.contact",
        "legal hold " + hold.id() + ": litigation 2026-17");
    User kept = t.storage.tenancy().findUser(alice.id()).orElseThrow();
    assertThat(kept.email()).isEqualTo("alice@example.com");
    assertThat(kept.status()).isEqualTo(AccountStatus.DISABLED);
    assertThat(t.storage.tenancy().listMemberships(alice.id())).isEmpty();
    assertThat(receipt.request().outcome()).contains("kept and restricted").contains("user.contact");

    rights.releaseHold(t.admin, alice.id(), hold.id());
    assertThat(rights.holds(t.admin, alice.id(), true)).isEmpty();
    assertCode(() -> rights.releaseHold(t.admin, alice.id(), hold.id()), ErrorCode.NOT_FOUND);
  }

  @Test
  void anErasureInterruptedByACrashResumesAndTheLedgerSaysSoMeanwhile() {
    FlakyContributor flaky = new FlakyContributor();
    try (NeuraSea host = withContributor(flaky)) {
      SubjectRequest request = host.dataSubjects().submit(self(bob), bob.id(), RequestType.ERASURE, null);
      flaky.failNext.set(true);
      assertCode(() -> host.dataSubjects().fulfil(tenantAdmin, request.id()), ErrorCode.UNAVAILABLE);

      SubjectRequest interrupted = host.dataSubjects().get(t.admin, request.id());
      assertThat(interrupted.status()).isEqualTo(RequestStatus.IN_PROGRESS);
      assertThat(interrupted.progress()).isEqualTo("accounts,privacy-ledger,privacy-records,usage");
      assertThat(host.privacy().recordsOf(t.admin, bob.id(), 0, 100)).extracting(LedgerRecord::reference)
          .contains("dsr:" + request.id() + ":erasure-started").doesNotContain("dsr:" + request.id() + ":fulfilled");
      assertCode(() -> host.dataSubjects().refuse(t.admin, request.id(), "changed my mind"),
          ErrorCode.FAILED_PRECONDITION);
    }
    // After a restart the next instance finishes it, without redoing finished steps.
    try (NeuraSea restarted = withContributor(flaky)) {
      // It resumes in the background at start-up.
      SubjectRequest done = awaitClosed(restarted, bob);
      assertThat(done.status()).isEqualTo(RequestStatus.FULFILLED);
      assertThat(done.progress()).isEqualTo("accounts,privacy-ledger,privacy-records,usage,crm");
      assertThat(flaky.erased).containsEntry(bob.id().value(), 1);
      assertThat(restarted.dataSubjects().resumeInterrupted()).isZero();
    }
  }

  @Test
  void aHostsContributorTakesPartInExportRectificationAndErasure() {
    FlakyContributor crm = new FlakyContributor();
    try (NeuraSea host = withContributor(crm)) {
      assertThat(host.dataSubjects().contributorNames()).endsWith("crm");
      assertThat(host.dataSubjects().exportPersonalData(self(alice), alice.id())).contains("\"name\": \"crm\"",
          "\"value\": \"gold\"");
      SubjectRequest fix = host.dataSubjects().submit(self(alice), alice.id(), RequestType.RECTIFICATION,
          Map.of("crmTier", "platinum"));
      host.dataSubjects().fulfil(tenantAdmin, fix.id());
      assertThat(crm.tier).containsEntry(alice.id().value(), "platinum");
    }
  }

  // ---- policy versions

  @Test
  void policyVersionsAndAcknowledgmentsShowWhoAcceptedWhat() {
    Instant now = t.clock.instant();
    PolicyVersion v1 = rights.publishPolicy(t.admin, "2025-01", now.minusSeconds(60), "First version", "text one");
    PolicyVersion v2 = rights.publishPolicy(t.admin, "2026-06", now.plus(Duration.ofDays(10)), "Cookies", "text two");
    assertThat(v1.documentSha256()).hasSize(64).isNotEqualTo(v2.documentSha256());
    assertThat(rights.currentPolicy()).contains(v1);
    assertCode(() -> rights.publishPolicy(t.admin, "2025-01", now, "again", "x"), ErrorCode.CONFLICT);
    assertCode(() -> rights.publishPolicy(tenantAdmin, "2027-01", now, "x", "x"), ErrorCode.PERMISSION_DENIED);
    assertCode(() -> rights.publishPolicy(t.admin, "bad version!", null, "", ""), ErrorCode.INVALID_ARGUMENT);

    PolicyAcknowledgment ack = rights.acknowledge(self(alice), "2025-01", "198.51.100.9", "click-through");
    assertThat(ack.acknowledgedAt()).isEqualTo(now);
    assertCode(() -> rights.acknowledge(self(alice), "2025-01", null, "click-through"), ErrorCode.CONFLICT);
    assertCode(() -> rights.acknowledge(self(alice), "1999", null, "click-through"), ErrorCode.NOT_FOUND);
    t.clock.advance(Duration.ofSeconds(1));
    rights.acknowledge(self(bob), "2025-01", null, "api");

    assertThat(rights.acknowledgmentsOfVersion(t.admin, "2025-01", PageRequest.first(10)))
        .extracting(PolicyAcknowledgment::userId).containsExactly(alice.id(), bob.id());
    assertThat(rights.acknowledgmentsOf(self(alice), alice.id())).containsExactly(ack);
    assertCode(() -> rights.acknowledgmentsOf(self(bob), alice.id()), ErrorCode.PERMISSION_DENIED);
    t.clock.advance(Duration.ofDays(10));
    assertThat(rights.currentPolicy()).contains(v2);
    assertThat(t.platform.privacy().recordsOf(self(alice), alice.id(), 0, 100)).anySatisfy(r -> {
      assertThat(r.kind()).isEqualTo(com.neurasea.model.ProcessingKind.ACKNOWLEDGMENT);
      assertThat(r.reference()).isEqualTo("policy:2025-01");
      assertThat(r.details()).containsEntry("user.device.ip_address", "198.51.100.9");
    });
  }

  // ---- minors

  @Test
  void aMinorWaitsForAGuardiansConsent() {
    rights.markMinor(tenantAdmin, alice.id(), true);
    assertThat(t.storage.tenancy().findUser(alice.id()).orElseThrow().status()).isEqualTo(AccountStatus.PENDING);
    assertCode(() -> t.platform.identity().authenticate(new PasswordCredentials("alice", TestPlatform.PASSWORD,
        null, null)), ErrorCode.FAILED_PRECONDITION);
    assertCode(() -> rights.recordGuardianConsent(tenantAdmin, bob.id(), "consent form 42"),
        ErrorCode.FAILED_PRECONDITION);

    assertThat(rights.recordGuardianConsent(tenantAdmin, alice.id(), "consent form 41").guardianConsentAt())
        .isNotNull();
    assertThat(t.platform.identity().authenticate(new PasswordCredentials("alice", TestPlatform.PASSWORD, null,
        null))).isEqualTo(Principal.user(alice.id()));
    assertCode(() -> rights.markMinor(self(bob), alice.id(), true), ErrorCode.PERMISSION_DENIED);
    assertThat(thrown(() -> rights.recordGuardianConsent(tenantAdmin, alice.id(), " ")).fieldErrors())
        .extracting(f -> f.field()).containsExactly("reference");
    // An account in two tenants is flagged by a platform administrator only.
    Tenant other = t.tenant("other");
    t.platform.tenancy().addMember(t.admin.inTenant(other.id()), bob.id());
    assertCode(() -> rights.markMinor(tenantAdmin, bob.id(), true), ErrorCode.PERMISSION_DENIED);
  }

  @Test
  void aPlatformThatBlocksMinorsDisablesTheirAccounts() {
    try (NeuraSea blocking = NeuraSea.builder().storage(t.storage).keyFile(dir.resolve("neurasea.key")).clock(t.clock)
        .minorRule(MinorRule.BLOCK).build()) {
      blocking.dataSubjects().markMinor(t.admin, bob.id(), true);
      assertThat(t.storage.tenancy().findUser(bob.id()).orElseThrow().status()).isEqualTo(AccountStatus.DISABLED);
      assertCode(() -> blocking.dataSubjects().recordGuardianConsent(t.admin, bob.id(), "form"),
          ErrorCode.FAILED_PRECONDITION);
      blocking.dataSubjects().markMinor(t.admin, bob.id(), false);
      assertThat(t.storage.tenancy().findUser(bob.id()).orElseThrow().status()).isEqualTo(AccountStatus.ACTIVE);
    }
  }

  // ---- retention

  @Test
  void theRetentionSweepErasesExpiredDetailsAndRecordsWhatItDid() {
    t.platform.identity().authenticate(new PasswordCredentials("alice", TestPlatform.PASSWORD, "198.51.100.1", "ua"));
    assertThat(rights.sweep(t.admin).total()).isZero();
    t.clock.advance(Duration.ofDays(181));
    t.platform.identity().authenticate(new PasswordCredentials("bob", TestPlatform.PASSWORD, "198.51.100.2", "ua"));

    RetentionReport report = rights.sweep(t.admin);

    assertThat(report.removedByCategory()).containsKeys("user.device.ip_address");
    assertThat(rights.exportPersonalData(t.admin, alice.id())).doesNotContain("198.51.100.1");
    assertThat(rights.exportPersonalData(t.admin, bob.id())).contains("198.51.100.2");
    assertThat(t.platform.privacy().records(t.admin, 0, 1000)).anySatisfy(r -> {
      assertThat(r.module()).isEqualTo("retention");
      assertThat(r.categories()).contains("user.device.ip_address");
    });
    assertThat(t.platform.privacy().verify(t.admin).ok()).isTrue();
    assertCode(() -> rights.sweep(tenantAdmin), ErrorCode.PERMISSION_DENIED);
  }

  private SubjectRequest awaitClosed(NeuraSea host, User subject) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      SubjectRequest request = host.dataSubjects().list(t.admin, subject.id(), Set.of(), PageRequest.first(10)).get(0);
      if (!request.status().open() || System.nanoTime() > deadline) {
        return request;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return request;
      }
    }
  }

  private NeuraSea withContributor(PersonalDataContributor contributor) {
    return NeuraSea.builder().storage(t.storage).keyFile(dir.resolve("neurasea.key")).clock(t.clock)
        .personalDataContributor(contributor).build();
  }

  private Caller self(User user) {
    return TestPlatform.as(user, acme);
  }

  /** A host module ("crm") holding a customer tier per user; its erase can be made to fail once. */
  static final class FlakyContributor implements PersonalDataContributor {
    final java.util.concurrent.atomic.AtomicBoolean failNext = new java.util.concurrent.atomic.AtomicBoolean();
    final Map<String, String> tier = new ConcurrentHashMap<>();
    final Map<String, Integer> erased = new ConcurrentHashMap<>();

    @Override
    public String name() {
      return "crm";
    }

    @Override
    public List<PersonalDataItem> export(DataSubject subject) {
      return List.of(new PersonalDataItem("user.business.contacts", "tier",
          tier.getOrDefault(subject.userId().value(), "gold")));
    }

    @Override
    public Set<String> rectifiableFields() {
      return Set.of("crmTier");
    }

    @Override
    public Set<String> rectify(DataSubject subject, Map<String, String> corrections) {
      tier.put(subject.userId().value(), corrections.get("crmTier"));
      return Set.of("crmTier");
    }

    @Override
    public ErasureResult erase(DataSubject subject, Predicate<String> keep) {
      if (failNext.getAndSet(false)) {
        throw new NeuraSeaException(ErrorCode.UNAVAILABLE, "the CRM is down");
      }
      erased.merge(subject.userId().value(), 1, Integer::sum);
      tier.remove(subject.userId().value());
      return new ErasureResult(Set.of("user.business.contacts"), Set.of());
    }
  }
}
