package com.neurasea.tck;

import static com.neurasea.tck.TckAssertions.assertConflict;
import static com.neurasea.tck.TckAssertions.assertInvalid;
import static com.neurasea.tck.TckFixtures.acknowledgment;
import static com.neurasea.tck.TckFixtures.legalHold;
import static com.neurasea.tck.TckFixtures.nextInstant;
import static com.neurasea.tck.TckFixtures.policyVersion;
import static com.neurasea.tck.TckFixtures.policyVersionName;
import static com.neurasea.tck.TckFixtures.randomId;
import static com.neurasea.tck.TckFixtures.subjectRequest;
import static com.neurasea.tck.TckFixtures.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.FieldError;
import com.neurasea.model.HoldId;
import com.neurasea.model.LegalHold;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PageRequest;
import com.neurasea.model.PolicyAcknowledgment;
import com.neurasea.model.PolicyVersion;
import com.neurasea.model.RequestId;
import com.neurasea.model.RequestStatus;
import com.neurasea.model.RequestType;
import com.neurasea.model.SubjectFlags;
import com.neurasea.model.SubjectRequest;
import com.neurasea.model.TenantId;
import com.neurasea.model.User;
import com.neurasea.model.UserId;
import com.neurasea.spi.PrivacyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link PrivacyStore}: data-subject requests replaced under an optimistic version
 * check, at most one open request per subject and type (openness follows {@link
 * RequestStatus#open()}), listed by receipt and by deadline; legal holds placed and released once;
 * policy versions and one acknowledgment per user and version; per-subject flags replaced whole.
 * Every component round-trips, nulls and any text included, and everything lands with its unit of
 * work or not at all.
 *
 * <p>A storage adapter passes it by extending this class in its own tests and implementing
 * {@link #newStorage()}. Each test opens one storage before it runs and closes it afterwards.
 */
public abstract class PrivacyStoreContract extends StorageUnderTest {
  private static final int THREADS = 8;
  private static final PageRequest ALL = PageRequest.firstPage();
  private static final String AWKWARD_TEXT =
      "Erledigt — 已删除 ✓ 🔒 \"quoted\", 'single', back\\slash, 100% _under_\nsecond line\ttab";

  // ---- requests: round trips

  @Test
  void aRequestWithEveryComponentRoundTrips() {
    UserId subject = subject();
    Instant received = nextInstant();
    SubjectRequest full = new SubjectRequest(new RequestId(randomId(RequestId.PREFIX)), subject,
        RequestType.RECTIFICATION, RequestStatus.IN_PROGRESS, new TenantId(randomId(TenantId.PREFIX)), received,
        received.plus(Duration.ofDays(60)), "Komplexität — 复杂 ✓", nextInstant(), "signed-in-session", null,
        AWKWARD_TEXT, "credentials,tokens,ledger", "{\"email\":\"ünïcødé@example.com\",\"name\":\"李雷\"}", 0,
        nextInstant());

    store().insertRequest(full);

    assertThat(store().findRequest(full.id())).contains(full);
  }

  @Test
  void aClosedRequestWithEveryComponentRoundTrips() {
    Instant received = nextInstant();
    SubjectRequest closed = new SubjectRequest(new RequestId(randomId(RequestId.PREFIX)), subject(),
        RequestType.ERASURE, RequestStatus.REFUSED, null, received, received.plus(TckFixtures.REQUEST_DEADLINE),
        null, nextInstant(), "e-mail challenge", nextInstant(), AWKWARD_TEXT, "", null, 0, nextInstant());

    store().insertRequest(closed);

    assertThat(store().findRequest(closed.id())).contains(closed);
  }

  @Test
  void aRequestWithOnlyRequiredComponentsRoundTripsWithNulls() {
    SubjectRequest minimal = subjectRequest(subject(), RequestType.ACCESS);

    store().insertRequest(minimal);

    SubjectRequest found = store().findRequest(minimal.id()).orElseThrow();
    assertThat(found).isEqualTo(minimal);
    assertThat(found.routedTo()).isNull();
    assertThat(found.extensionReason()).isNull();
    assertThat(found.verifiedAt()).isNull();
    assertThat(found.verificationMethod()).isNull();
    assertThat(found.closedAt()).isNull();
    assertThat(found.outcome()).isNull();
    assertThat(found.progress()).isNull();
    assertThat(found.payload()).isNull();
    assertThat(found.version()).isZero();
  }

  @Test
  void anUnknownRequestIsNotFound() {
    store().insertRequest(subjectRequest(subject(), RequestType.ACCESS));

    assertThat(store().findRequest(new RequestId(randomId(RequestId.PREFIX)))).isEmpty();
  }

  @Test
  void aTakenRequestIdConflictsOnId() {
    SubjectRequest first = subjectRequest(subject(), RequestType.ACCESS);
    store().insertRequest(first);
    SubjectRequest sameId = new SubjectRequest(first.id(), subject(), RequestType.ERASURE, RequestStatus.RECEIVED,
        null, nextInstant(), nextInstant().plus(TckFixtures.REQUEST_DEADLINE), null, null, null, null, null, null,
        null, 0, nextInstant());

    assertConflict(() -> store().insertRequest(sameId), "id");

    assertThat(store().findRequest(first.id())).contains(first);
  }

  // ---- requests: one open request per subject and type

  @Test
  void aSecondOpenRequestOfTheSameTypeConflictsOnType() {
    UserId subject = subject();
    SubjectRequest open = subjectRequest(subject, RequestType.ACCESS);
    store().insertRequest(open);
    SubjectRequest second = newRequest(subject, RequestType.ACCESS, RequestStatus.VERIFIED);

    assertConflict(() -> store().insertRequest(subjectRequest(subject, RequestType.ACCESS)), "type");
    assertConflict(() -> store().insertRequest(second), "type");

    assertThat(store().findRequest(second.id())).isEmpty();
    assertThat(store().listRequests(subject, Set.of(), ALL)).containsExactly(open);
    assertThat(store().findOpenRequest(subject, RequestType.ACCESS)).contains(open);
  }

  @Test
  void openRequestsOfOtherTypesOrOtherSubjectsDoNotConflict() {
    UserId subject = subject();
    UserId other = subject();
    List<SubjectRequest> stored = new ArrayList<>();
    for (RequestType type : RequestType.values()) {
      stored.add(subjectRequest(subject, type));
      stored.add(subjectRequest(other, type));
    }

    stored.forEach(store()::insertRequest);

    assertThat(store().listRequests(null, Set.of(), ALL)).containsExactlyElementsOf(stored);
    for (RequestType type : RequestType.values()) {
      assertThat(store().findOpenRequest(subject, type).orElseThrow().type()).isEqualTo(type);
      assertThat(store().findOpenRequest(other, type).orElseThrow().userId()).isEqualTo(other);
    }
  }

  @Test
  void closedRequestsDoNotBlockANewOpenOne() {
    UserId subject = subject();
    SubjectRequest fulfilled = subjectRequest(subject, RequestType.ERASURE);
    store().insertRequest(fulfilled);
    SubjectRequest done = fulfilled.withStatus(RequestStatus.FULFILLED, nextInstant());
    assertThat(store().updateRequest(done)).isTrue();
    SubjectRequest refused = newRequest(subject, RequestType.ERASURE, RequestStatus.REFUSED);
    store().insertRequest(refused);

    SubjectRequest next = subjectRequest(subject, RequestType.ERASURE);
    store().insertRequest(next);
    // A closed request may be recorded beside the open one as well.
    SubjectRequest anotherRefused = newRequest(subject, RequestType.ERASURE, RequestStatus.REFUSED);
    store().insertRequest(anotherRefused);

    assertThat(store().findOpenRequest(subject, RequestType.ERASURE)).contains(next);
    assertThat(store().listRequests(subject, Set.of(), ALL)).containsExactly(done, refused, next, anotherRefused);
  }

  @Test
  void everyOpenStatusCountsAsOpen() {
    for (RequestStatus status : RequestStatus.values()) {
      UserId subject = subject();
      SubjectRequest request = newRequest(subject, RequestType.RESTRICTION, status);
      store().insertRequest(request);

      if (status.open()) {
        assertThat(store().findOpenRequest(subject, RequestType.RESTRICTION)).as(status.name()).contains(request);
        assertConflict(() -> store().insertRequest(subjectRequest(subject, RequestType.RESTRICTION)), "type");
      } else {
        assertThat(store().findOpenRequest(subject, RequestType.RESTRICTION)).as(status.name()).isEmpty();
        store().insertRequest(subjectRequest(subject, RequestType.RESTRICTION));
      }
    }
  }

  @Test
  void reopeningARequestConflictsWhileAnotherOfItsTypeIsOpen() {
    UserId subject = subject();
    SubjectRequest first = subjectRequest(subject, RequestType.ACCESS);
    store().insertRequest(first);
    SubjectRequest closed = first.withStatus(RequestStatus.FULFILLED, nextInstant());
    assertThat(store().updateRequest(closed)).isTrue();
    SubjectRequest second = subjectRequest(subject, RequestType.ACCESS);
    store().insertRequest(second);

    // Reopened: open again by its status, though it keeps the time it was closed.
    SubjectRequest reopened = closed.withStatus(RequestStatus.RECEIVED, nextInstant());
    assertConflict(() -> store().updateRequest(reopened), "type");

    assertThat(store().findRequest(first.id())).contains(closed);
    assertThat(store().findOpenRequest(subject, RequestType.ACCESS)).contains(second);

    SubjectRequest secondRefused = second.withStatus(RequestStatus.REFUSED, nextInstant());
    assertThat(store().updateRequest(secondRefused)).isTrue();
    assertThat(store().updateRequest(reopened)).isTrue();
    assertThat(store().findOpenRequest(subject, RequestType.ACCESS)).contains(reopened);
  }

  @Test
  void theOpenRequestOfASubjectAndTypeIsFound() {
    UserId subject = subject();
    SubjectRequest access = subjectRequest(subject, RequestType.ACCESS);
    store().insertRequest(access);
    store().insertRequest(subjectRequest(subject(), RequestType.ERASURE));

    assertThat(store().findOpenRequest(subject, RequestType.ACCESS)).contains(access);
    assertThat(store().findOpenRequest(subject, RequestType.ERASURE)).isEmpty();
    assertThat(store().findOpenRequest(subject(), RequestType.ACCESS)).isEmpty();

    assertThat(store().updateRequest(access.withStatus(RequestStatus.FULFILLED, nextInstant()))).isTrue();
    assertThat(store().findOpenRequest(subject, RequestType.ACCESS)).isEmpty();
  }

  // ---- requests: optimistic updates

  @Test
  void anUpdateReplacesEveryComponent() {
    UserId subject = subject();
    SubjectRequest stored = subjectRequest(subject, RequestType.RECTIFICATION);
    store().insertRequest(stored);
    SubjectRequest changed = new SubjectRequest(stored.id(), subject, RequestType.RECTIFICATION,
        RequestStatus.ROUTED, new TenantId(randomId(TenantId.PREFIX)), stored.receivedAt(),
        stored.dueAt().plus(Duration.ofDays(60)), "Verlängert — 延长 ✓", nextInstant(), "signed-in-session", null,
        AWKWARD_TEXT, "step-1", "{\"phone\":\"+49 30 1234567\"}", 1, nextInstant());

    assertThat(store().updateRequest(changed)).isTrue();
    assertThat(store().findRequest(stored.id())).contains(changed);

    SubjectRequest cleared = new SubjectRequest(stored.id(), subject, RequestType.RECTIFICATION,
        RequestStatus.FULFILLED, null, stored.receivedAt(), changed.dueAt(), null, null, null, nextInstant(), null,
        null, null, 2, nextInstant());
    assertThat(store().updateRequest(cleared)).isTrue();
    assertThat(store().findRequest(stored.id())).contains(cleared);
  }

  @Test
  void aStaleUpdateReturnsFalseAndWritesNothing() {
    SubjectRequest stored = subjectRequest(subject(), RequestType.ACCESS);
    store().insertRequest(stored);
    SubjectRequest verified = stored.withStatus(RequestStatus.VERIFIED, nextInstant());
    assertThat(verified.version()).isEqualTo(1);
    assertThat(store().updateRequest(verified)).isTrue();

    // Another writer's change made from the same stored version 0.
    SubjectRequest stale = stored.withStatus(RequestStatus.REFUSED, nextInstant());
    assertThat(store().updateRequest(stale)).isFalse();
    // A version that skips one, and one that goes back.
    SubjectRequest skipping = verified.withStatus(RequestStatus.IN_PROGRESS, nextInstant())
        .withStatus(RequestStatus.FULFILLED, nextInstant());
    assertThat(store().updateRequest(skipping)).isFalse();
    assertThat(store().updateRequest(stored)).isFalse();
    assertThat(store().updateRequest(verified)).isFalse();

    assertThat(store().findRequest(stored.id())).contains(verified);

    SubjectRequest next = verified.withStatus(RequestStatus.IN_PROGRESS, nextInstant());
    assertThat(store().updateRequest(next)).isTrue();
    assertThat(store().findRequest(stored.id())).contains(next);
  }

  @Test
  void updatingAnUnknownRequestReturnsFalseAndWritesNothing() {
    SubjectRequest never = subjectRequest(subject(), RequestType.ACCESS);

    assertThat(store().updateRequest(never.withStatus(RequestStatus.VERIFIED, nextInstant()))).isFalse();

    assertThat(store().findRequest(never.id())).isEmpty();
    assertThat(store().listRequests(null, Set.of(), ALL)).isEmpty();
  }

  // ---- requests: listings

  @Test
  void requestsAreListedOldestFirstByReceipt() {
    UserId subject = subject();
    UserId other = subject();
    Instant base = nextInstant();
    SubjectRequest newest = subjectRequest(subject, RequestType.ACCESS, base.plusSeconds(30), base.plus(
        TckFixtures.REQUEST_DEADLINE));
    SubjectRequest oldest = subjectRequest(other, RequestType.ACCESS, base.plusSeconds(10), base.plus(
        TckFixtures.REQUEST_DEADLINE));
    SubjectRequest middle = subjectRequest(subject, RequestType.ERASURE, base.plusSeconds(20), base.plus(
        TckFixtures.REQUEST_DEADLINE));
    store().insertRequest(newest);
    store().insertRequest(oldest);
    store().insertRequest(middle);

    assertThat(store().listRequests(null, Set.of(), ALL)).containsExactly(oldest, middle, newest);
    assertThat(store().listRequests(subject, Set.of(), ALL)).containsExactly(middle, newest);
    assertThat(store().listRequests(other, Set.of(), ALL)).containsExactly(oldest);
    assertThat(store().listRequests(subject(), Set.of(), ALL)).isEmpty();
  }

  @Test
  void requestsRoutedToATenantAreListedByTenantSubjectAndStatus() {
    UserId subject = subject();
    UserId other = subject();
    com.neurasea.model.TenantId acme = new com.neurasea.model.TenantId(TckFixtures.randomId("tnt_"));
    com.neurasea.model.TenantId globex = new com.neurasea.model.TenantId(TckFixtures.randomId("tnt_"));
    SubjectRequest first = routed(subjectRequest(subject, RequestType.ACCESS), acme, RequestStatus.ROUTED);
    SubjectRequest second = routed(subjectRequest(other, RequestType.ACCESS), acme, RequestStatus.FULFILLED);
    SubjectRequest elsewhere = routed(subjectRequest(subject, RequestType.ERASURE), globex, RequestStatus.ROUTED);
    SubjectRequest unrouted = subjectRequest(other, RequestType.ERASURE);
    for (SubjectRequest r : List.of(first, second, elsewhere, unrouted)) {
      store().insertRequest(r);
    }

    assertThat(store().listRoutedRequests(acme, null, Set.of(), ALL)).containsExactly(first, second);
    assertThat(store().listRoutedRequests(acme, other, Set.of(), ALL)).containsExactly(second);
    assertThat(store().listRoutedRequests(acme, null, Set.of(RequestStatus.ROUTED), ALL)).containsExactly(first);
    assertThat(store().listRoutedRequests(globex, null, Set.of(), ALL)).containsExactly(elsewhere);
    assertThat(store().listRoutedRequests(acme, null, Set.of(), PageRequest.first(1))).containsExactly(first);
    assertInvalid(() -> store().listRoutedRequests(null, null, Set.of(), ALL), "routedTo");
  }

  private static SubjectRequest routed(SubjectRequest r, com.neurasea.model.TenantId tenant, RequestStatus status) {
    return new SubjectRequest(r.id(), r.userId(), r.type(), status, tenant, r.receivedAt(), r.dueAt(), null, null,
        null, status.open() ? null : r.receivedAt(), null, null, null, 0, r.receivedAt());
  }

  @Test
  void requestsAreFilteredByStatus() {
    UserId subject = subject();
    UserId other = subject();
    SubjectRequest received = subjectRequest(subject, RequestType.ACCESS);
    SubjectRequest verified = newRequest(subject, RequestType.ERASURE, RequestStatus.VERIFIED);
    SubjectRequest fulfilled = newRequest(subject, RequestType.ACCESS, RequestStatus.FULFILLED);
    SubjectRequest refused = newRequest(other, RequestType.ACCESS, RequestStatus.REFUSED);
    SubjectRequest routed = newRequest(other, RequestType.RESTRICTION, RequestStatus.ROUTED);
    List.of(received, verified, fulfilled, refused, routed).forEach(store()::insertRequest);

    assertThat(store().listRequests(null, Set.of(RequestStatus.RECEIVED), ALL)).containsExactly(received);
    assertThat(store().listRequests(null, Set.of(RequestStatus.FULFILLED, RequestStatus.REFUSED), ALL))
        .containsExactly(fulfilled, refused);
    assertThat(store().listRequests(subject, Set.of(RequestStatus.FULFILLED, RequestStatus.REFUSED), ALL))
        .containsExactly(fulfilled);
    assertThat(store().listRequests(null, EnumSet.of(RequestStatus.RECEIVED, RequestStatus.VERIFIED,
        RequestStatus.ROUTED, RequestStatus.IN_PROGRESS), ALL)).containsExactly(received, verified, routed);
    assertThat(store().listRequests(null, Set.of(RequestStatus.IN_PROGRESS), ALL)).isEmpty();
    assertThat(store().listRequests(other, Set.of(RequestStatus.RECEIVED), ALL)).isEmpty();
    assertThat(store().listRequests(null, EnumSet.allOf(RequestStatus.class), ALL))
        .containsExactly(received, verified, fulfilled, refused, routed);
    assertThat(store().listRequests(null, Set.of(), ALL)).containsExactly(received, verified, fulfilled, refused,
        routed);
  }

  @Test
  void requestPagingRespectsOffsetAndLimit() {
    UserId subject = subject();
    List<SubjectRequest> requests = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      // Closed, so that one subject may have several of a type.
      SubjectRequest request = newRequest(subject, RequestType.ACCESS, RequestStatus.FULFILLED);
      store().insertRequest(request);
      requests.add(request);
    }
    store().insertRequest(subjectRequest(subject(), RequestType.ACCESS));

    assertThat(store().listRequests(subject, Set.of(), new PageRequest(0, 2)))
        .containsExactlyElementsOf(requests.subList(0, 2));
    assertThat(store().listRequests(subject, Set.of(RequestStatus.FULFILLED), new PageRequest(2, 2)))
        .containsExactlyElementsOf(requests.subList(2, 4));
    assertThat(store().listRequests(subject, Set.of(), new PageRequest(4, 2))).containsExactly(requests.get(4));
    assertThat(store().listRequests(subject, Set.of(), new PageRequest(5, 2))).isEmpty();
    assertThat(store().listRequests(null, Set.of(), new PageRequest(5, 10))).hasSize(1);
  }

  @Test
  void overdueRequestsAreOpenOnesDueBeforeNowMostOverdueFirst() {
    Instant now = nextInstant();
    Instant received = now.minus(Duration.ofDays(90));
    SubjectRequest dueYesterday = subjectRequest(subject(), RequestType.ACCESS, received,
        now.minus(Duration.ofDays(1)));
    SubjectRequest dueLastMonth = asNew(subjectRequest(subject(), RequestType.ERASURE, received,
        now.minus(Duration.ofDays(30))).withStatus(RequestStatus.IN_PROGRESS, received.plusSeconds(1)));
    SubjectRequest dueAMilliAgo = asNew(subjectRequest(subject(), RequestType.ACCESS, received, now.minusMillis(1))
        .withStatus(RequestStatus.ROUTED, received.plusSeconds(2)));
    SubjectRequest dueNow = subjectRequest(subject(), RequestType.ACCESS, received, now);
    SubjectRequest dueTomorrow = subjectRequest(subject(), RequestType.ACCESS, received,
        now.plus(Duration.ofDays(1)));
    SubjectRequest closedLongAgo = asNew(subjectRequest(subject(), RequestType.ACCESS, received,
        now.minus(Duration.ofDays(60))).withStatus(RequestStatus.FULFILLED, received.plusSeconds(3)));
    SubjectRequest refusedLongAgo = asNew(subjectRequest(subject(), RequestType.ACCESS, received,
        now.minus(Duration.ofDays(61))).withStatus(RequestStatus.REFUSED, received.plusSeconds(4)));
    List.of(dueTomorrow, dueYesterday, closedLongAgo, dueNow, dueAMilliAgo, refusedLongAgo, dueLastMonth)
        .forEach(store()::insertRequest);

    assertThat(store().listOverdue(now, 10)).containsExactly(dueLastMonth, dueYesterday, dueAMilliAgo);
    assertThat(store().listOverdue(now, 2)).containsExactly(dueLastMonth, dueYesterday);
    assertThat(store().listOverdue(now, 0)).isEmpty();
    assertThat(store().listOverdue(now.plusMillis(1), 10)).containsExactly(dueLastMonth, dueYesterday,
        dueAMilliAgo, dueNow);
    assertThat(store().listOverdue(now.minus(Duration.ofDays(365)), 10)).isEmpty();

    // Closing an overdue request takes it off the list.
    assertThat(store().updateRequest(dueYesterday.withStatus(RequestStatus.FULFILLED, now))).isTrue();
    assertThat(store().listOverdue(now, 10)).containsExactly(dueLastMonth, dueAMilliAgo);
  }

  // ---- legal holds

  @Test
  void holdsRoundTripWithEveryComponent() {
    UserId subject = subject();
    LegalHold active = legalHold(subject, "user.business", "user.contact.email", "billing.invoices");
    LegalHold released = new LegalHold(new HoldId(randomId(HoldId.PREFIX)), subject, List.of("user"),
        "Steuerprüfung — 税务审计 ✓ \"2024\", 'Q4'", nextInstant(), nextInstant());
    LegalHold single = legalHold(subject, "audit.log");
    LegalHold none = legalHold(subject);

    List.of(active, released, single, none).forEach(store()::insertHold);

    assertThat(store().listHolds(subject, false)).containsExactly(active, released, single, none);
    assertThat(store().listHolds(subject, false).get(0).categories())
        .containsExactly("user.business", "user.contact.email", "billing.invoices");
    assertThat(store().listHolds(subject, false).get(3).categories()).isEmpty();
  }

  @Test
  void holdsAreListedOldestFirstPerSubject() {
    UserId subject = subject();
    UserId other = subject();
    Instant base = nextInstant();
    LegalHold newer = new LegalHold(new HoldId(randomId(HoldId.PREFIX)), subject, List.of("a"), "newer",
        base.plusSeconds(20), null);
    LegalHold older = new LegalHold(new HoldId(randomId(HoldId.PREFIX)), subject, List.of("b"), "older",
        base.plusSeconds(10), null);
    LegalHold others = new LegalHold(new HoldId(randomId(HoldId.PREFIX)), other, List.of("c"), "other's",
        base.plusSeconds(15), null);
    List.of(newer, others, older).forEach(store()::insertHold);

    assertThat(store().listHolds(subject, false)).containsExactly(older, newer);
    assertThat(store().listHolds(subject, true)).containsExactly(older, newer);
    assertThat(store().listHolds(other, false)).containsExactly(others);
    assertThat(store().listHolds(subject(), false)).isEmpty();
  }

  @Test
  void aHoldIsReleasedOnce() {
    UserId subject = subject();
    LegalHold released = legalHold(subject, "user.business");
    LegalHold kept = legalHold(subject, "billing");
    store().insertHold(released);
    store().insertHold(kept);
    Instant at = nextInstant();

    assertThat(store().releaseHold(released.id(), at)).isTrue();
    assertThat(store().releaseHold(released.id(), nextInstant())).isFalse();
    assertThat(store().releaseHold(new HoldId(randomId(HoldId.PREFIX)), nextInstant())).isFalse();

    LegalHold expected = new LegalHold(released.id(), subject, released.categories(), released.reason(),
        released.createdAt(), at);
    assertThat(store().listHolds(subject, false)).containsExactly(expected, kept);
    assertThat(store().listHolds(subject, true)).containsExactly(kept);
  }

  @Test
  void aHoldStoredReleasedCannotBeReleasedAgain() {
    UserId subject = subject();
    Instant releasedAt = nextInstant();
    LegalHold released = new LegalHold(new HoldId(randomId(HoldId.PREFIX)), subject, List.of("user"), "done",
        nextInstant(), releasedAt);
    store().insertHold(released);

    assertThat(store().releaseHold(released.id(), nextInstant())).isFalse();
    assertThat(store().listHolds(subject, false)).containsExactly(released);
    assertThat(store().listHolds(subject, true)).isEmpty();
  }

  @Test
  void aTakenHoldIdConflictsOnId() {
    LegalHold hold = legalHold(subject(), "user");
    store().insertHold(hold);
    LegalHold sameId = new LegalHold(hold.id(), subject(), List.of("billing"), "another", nextInstant(), null);

    assertConflict(() -> store().insertHold(sameId), "id");

    assertThat(store().listHolds(hold.userId(), false)).containsExactly(hold);
    assertThat(store().listHolds(sameId.userId(), false)).isEmpty();
  }

  // ---- policy versions and acknowledgments

  @Test
  void policyVersionsAreListedByEffectiveTime() {
    Instant base = nextInstant();
    PolicyVersion latest = policyVersion("2025-06", base.plus(Duration.ofDays(180)));
    PolicyVersion first = policyVersion("2024-01", base);
    PolicyVersion middle = policyVersion("2025-01 — Überarbeitung ✓", base.plus(Duration.ofDays(30)));
    List.of(latest, first, middle).forEach(store()::insertPolicyVersion);

    assertThat(store().listPolicyVersions()).containsExactly(first, middle, latest);
    assertThat(store().findPolicyVersion("2025-01 — Überarbeitung ✓")).contains(middle);
    assertThat(store().findPolicyVersion("2025-06")).contains(latest);
    assertThat(store().findPolicyVersion("2099-01")).isEmpty();
  }

  @Test
  void noPolicyVersionsAtFirst() {
    assertThat(store().listPolicyVersions()).isEmpty();
    assertThat(store().findPolicyVersion(policyVersionName())).isEmpty();
  }

  @Test
  void aPolicyVersionIsStoredOnce() {
    PolicyVersion version = policyVersion(policyVersionName());
    store().insertPolicyVersion(version);

    assertConflict(() -> store().insertPolicyVersion(policyVersion(version.version())), "version");

    assertThat(store().listPolicyVersions()).containsExactly(version);
    assertThat(store().findPolicyVersion(version.version())).contains(version);
  }

  @Test
  void acknowledgmentsRoundTripAndAreListedOldestFirst() {
    UserId subject = subject();
    String first = policyVersionName();
    String second = policyVersionName();
    store().insertPolicyVersion(policyVersion(first));
    store().insertPolicyVersion(policyVersion(second));
    Instant base = nextInstant();
    PolicyAcknowledgment later = new PolicyAcknowledgment(subject, second, base.plusSeconds(60), null, "api");
    PolicyAcknowledgment earlier = new PolicyAcknowledgment(subject, first, base, "2001:db8::1",
        "signed-document ✓");
    store().insertAcknowledgment(later);
    store().insertAcknowledgment(earlier);
    store().insertAcknowledgment(acknowledgment(subject(), first));

    assertThat(store().acknowledgmentsOf(subject)).containsExactly(earlier, later);
    assertThat(store().acknowledgmentsOf(subject).get(1).clientIp()).isNull();
    assertThat(store().acknowledgmentsOf(subject())).isEmpty();
  }

  @Test
  void aUserAcknowledgesAVersionOnce() {
    UserId subject = subject();
    String version = policyVersionName();
    store().insertPolicyVersion(policyVersion(version));
    PolicyAcknowledgment first = acknowledgment(subject, version);
    store().insertAcknowledgment(first);

    assertConflict(() -> store().insertAcknowledgment(acknowledgment(subject, version)), "version");

    PolicyAcknowledgment otherUser = acknowledgment(subject(), version);
    store().insertAcknowledgment(otherUser);
    assertThat(store().acknowledgmentsOf(subject)).containsExactly(first);
    assertThat(store().acknowledgmentsOfVersion(version, ALL)).containsExactly(first, otherUser);
  }

  @Test
  void acknowledgmentsOfAVersionArePagedOldestFirst() {
    String version = policyVersionName();
    String other = policyVersionName();
    store().insertPolicyVersion(policyVersion(version));
    store().insertPolicyVersion(policyVersion(other));
    Instant base = nextInstant();
    List<PolicyAcknowledgment> acknowledgments = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      acknowledgments.add(new PolicyAcknowledgment(subject(), version, base.plusSeconds(10L * i), "192.0.2." + i,
          "click-through"));
    }
    // Stored out of order, with an acknowledgment of another version in between.
    for (int i : new int[] {3, 0, 4, 1, 2}) {
      store().insertAcknowledgment(acknowledgments.get(i));
      if (i == 4) {
        store().insertAcknowledgment(acknowledgment(acknowledgments.get(0).userId(), other));
      }
    }

    assertThat(store().acknowledgmentsOfVersion(version, ALL)).containsExactlyElementsOf(acknowledgments);
    assertThat(store().acknowledgmentsOfVersion(version, new PageRequest(0, 2)))
        .containsExactlyElementsOf(acknowledgments.subList(0, 2));
    assertThat(store().acknowledgmentsOfVersion(version, new PageRequest(2, 2)))
        .containsExactlyElementsOf(acknowledgments.subList(2, 4));
    assertThat(store().acknowledgmentsOfVersion(version, new PageRequest(4, 2)))
        .containsExactly(acknowledgments.get(4));
    assertThat(store().acknowledgmentsOfVersion(version, new PageRequest(5, 2))).isEmpty();
    assertThat(store().acknowledgmentsOfVersion(other, ALL)).hasSize(1);
    assertThat(store().acknowledgmentsOfVersion(policyVersionName(), ALL)).isEmpty();
  }

  // ---- subject flags

  @Test
  void flagsOfASubjectNeverSavedAreEmpty() {
    store().saveFlags(SubjectFlags.none(subject(), nextInstant()));

    assertThat(store().findFlags(subject())).isEmpty();
  }

  @Test
  void savedFlagsRoundTripAndAreReplacedWhole() {
    UserId subject = subject();
    SubjectFlags none = SubjectFlags.none(subject, nextInstant());
    store().saveFlags(none);
    assertThat(store().findFlags(subject)).contains(none);

    SubjectFlags every = new SubjectFlags(subject, true, nextInstant(), "consent form #42 — 监护人 ✓",
        nextInstant(), AWKWARD_TEXT, nextInstant());
    store().saveFlags(every);
    assertThat(store().findFlags(subject)).contains(every);

    SubjectFlags cleared = new SubjectFlags(subject, false, null, null, null, null, nextInstant());
    store().saveFlags(cleared);
    assertThat(store().findFlags(subject)).contains(cleared);
    assertThat(store().findFlags(subject).orElseThrow().restricted()).isFalse();
  }

  @Test
  void flagsOfSubjectsAreKeptApart() {
    UserId subject = subject();
    UserId other = subject();
    SubjectFlags restricted = new SubjectFlags(subject, false, null, null, nextInstant(), "request dsr_x",
        nextInstant());
    SubjectFlags minor = new SubjectFlags(other, true, nextInstant(), "ref-1", null, null, nextInstant());
    store().saveFlags(restricted);
    store().saveFlags(minor);

    store().saveFlags(SubjectFlags.none(subject, nextInstant()));

    assertThat(store().findFlags(other)).contains(minor);
    assertThat(store().findFlags(subject).orElseThrow().restricted()).isFalse();
  }

  // ---- arguments

  @Test
  void missingArgumentsAndNegativeLimitsAreInvalid() {
    UserId subject = subject();
    assertInvalid(() -> store().insertRequest(null), "request");
    assertInvalid(() -> store().findRequest(null), "id");
    assertInvalid(() -> store().updateRequest(null), "request");
    assertInvalid(() -> store().listRequests(subject, null, ALL), "statuses");
    assertInvalid(() -> store().listRequests(subject, Set.of(), null), "page");
    assertInvalid(() -> store().listOverdue(null, 10), "now");
    assertInvalid(() -> store().listOverdue(nextInstant(), -1), "limit");
    assertInvalid(() -> store().findOpenRequest(null, RequestType.ACCESS), "userId");
    assertInvalid(() -> store().findOpenRequest(subject, null), "type");
    assertInvalid(() -> store().insertHold(null), "hold");
    assertInvalid(() -> store().releaseHold(null, nextInstant()), "id");
    assertInvalid(() -> store().releaseHold(new HoldId(randomId(HoldId.PREFIX)), null), "at");
    assertInvalid(() -> store().listHolds(null, false), "userId");
    assertInvalid(() -> store().insertPolicyVersion(null), "version");
    assertInvalid(() -> store().findPolicyVersion(null), "version");
    assertInvalid(() -> store().insertAcknowledgment(null), "acknowledgment");
    assertInvalid(() -> store().acknowledgmentsOf(null), "userId");
    assertInvalid(() -> store().acknowledgmentsOfVersion(null, ALL), "version");
    assertInvalid(() -> store().acknowledgmentsOfVersion(policyVersionName(), null), "page");
    assertInvalid(() -> store().saveFlags(null), "flags");
    assertInvalid(() -> store().findFlags(null), "userId");
  }

  // ---- units of work

  @Test
  void aUnitOfWorkRolledBackByAnExceptionLeavesNothing() {
    UserId subject = subject();
    SubjectRequest request = subjectRequest(subject, RequestType.ERASURE);
    LegalHold hold = legalHold(subject, "user.business");
    PolicyVersion version = policyVersion(policyVersionName());
    PolicyAcknowledgment acknowledgment = acknowledgment(subject, version.version());
    SubjectFlags flags = new SubjectFlags(subject, true, nextInstant(), "ref", nextInstant(), "erasure",
        nextInstant());

    assertThatThrownBy(() -> storage().inTransaction(stores -> {
      PrivacyStore privacy = stores.privacy();
      privacy.insertRequest(request);
      privacy.insertHold(hold);
      privacy.insertPolicyVersion(version);
      privacy.insertAcknowledgment(acknowledgment);
      privacy.saveFlags(flags);
      assertThat(privacy.findRequest(request.id())).contains(request);
      assertThat(privacy.findFlags(subject)).contains(flags);
      throw new IllegalStateException("the change failed");
    })).isInstanceOf(IllegalStateException.class).hasMessage("the change failed");

    assertThat(store().findRequest(request.id())).isEmpty();
    assertThat(store().findOpenRequest(subject, RequestType.ERASURE)).isEmpty();
    assertThat(store().listRequests(null, Set.of(), ALL)).isEmpty();
    assertThat(store().listHolds(subject, false)).isEmpty();
    assertThat(store().listPolicyVersions()).isEmpty();
    assertThat(store().acknowledgmentsOf(subject)).isEmpty();
    assertThat(store().findFlags(subject)).isEmpty();
    // Nothing of the rolled-back open request remains to block a new one.
    store().insertRequest(subjectRequest(subject, RequestType.ERASURE));
  }

  @Test
  void anUpdateRolledBackWithItsUnitOfWorkLeavesTheStoredVersion() {
    SubjectRequest stored = subjectRequest(subject(), RequestType.ERASURE);
    store().insertRequest(stored);
    SubjectRequest progressed = stored.withStatus(RequestStatus.IN_PROGRESS, nextInstant());

    assertThatThrownBy(() -> storage().inTransaction(stores -> {
      assertThat(stores.privacy().updateRequest(progressed)).isTrue();
      throw new IllegalStateException("the erasure step failed");
    })).isInstanceOf(IllegalStateException.class);

    assertThat(store().findRequest(stored.id())).contains(stored);
    assertThat(store().updateRequest(progressed)).isTrue();
  }

  @Test
  void aConflictCaughtInAUnitOfWorkLeavesItUsable() {
    UserId subject = subject();
    SubjectRequest open = subjectRequest(subject, RequestType.ACCESS);
    store().insertRequest(open);
    LegalHold hold = legalHold(subject, "user");
    SubjectFlags flags = new SubjectFlags(subject, false, null, null, nextInstant(), "hold", nextInstant());

    storage().inTransaction(stores -> {
      assertConflict(() -> stores.privacy().insertRequest(subjectRequest(subject, RequestType.ACCESS)), "type");
      stores.privacy().insertHold(hold);
      stores.privacy().saveFlags(flags);
      return null;
    });

    assertThat(store().listRequests(subject, Set.of(), ALL)).containsExactly(open);
    assertThat(store().listHolds(subject, true)).containsExactly(hold);
    assertThat(store().findFlags(subject)).contains(flags);
  }

  // ---- concurrency

  @Test
  void concurrentOpenRequestsOfOneTypeLetExactlyOneIn() throws Exception {
    UserId subject = subject();
    List<SubjectRequest> attempts = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      attempts.add(subjectRequest(subject, RequestType.ERASURE));
    }
    List<Outcome> outcomes = race(attempts.size(), t -> store().insertRequest(attempts.get(t)));

    assertThat(outcomes).filteredOn(Outcome::succeeded).hasSize(1);
    assertThat(outcomes).filteredOn(o -> !o.succeeded()).hasSize(THREADS - 1)
        .allSatisfy(o -> assertThat(o.conflictField()).isEqualTo("type"));
    int winner = outcomes.indexOf(outcomes.stream().filter(Outcome::succeeded).findFirst().orElseThrow());
    assertThat(store().findOpenRequest(subject, RequestType.ERASURE)).contains(attempts.get(winner));
    assertThat(store().listRequests(subject, Set.of(), ALL)).containsExactly(attempts.get(winner));
  }

  @Test
  void concurrentUpdatesFromOneVersionLetExactlyOneIn() throws Exception {
    SubjectRequest stored = subjectRequest(subject(), RequestType.ACCESS);
    store().insertRequest(stored);
    List<SubjectRequest> changes = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      SubjectRequest verified = stored.withStatus(RequestStatus.VERIFIED, nextInstant());
      changes.add(new SubjectRequest(verified.id(), verified.userId(), verified.type(), verified.status(),
          verified.routedTo(), verified.receivedAt(), verified.dueAt(), verified.extensionReason(), nextInstant(),
          "writer-" + t, verified.closedAt(), verified.outcome(), verified.progress(), verified.payload(),
          verified.version(), verified.updatedAt()));
    }
    List<Outcome> outcomes = race(changes.size(), t -> {
      boolean changed = store().updateRequest(changes.get(t));
      if (!changed) {
        throw new StaleUpdate();
      }
    });

    assertThat(outcomes).filteredOn(Outcome::succeeded).hasSize(1);
    assertThat(outcomes).filteredOn(o -> !o.succeeded()).allSatisfy(o -> assertThat(o.stale()).isTrue());
    int winner = outcomes.indexOf(outcomes.stream().filter(Outcome::succeeded).findFirst().orElseThrow());
    assertThat(store().findRequest(stored.id())).contains(changes.get(winner));
  }

  /** What one racing thread ended with. */
  private record Outcome(boolean succeeded, String conflictField, boolean stale) {}

  /** A racing update that found the version changed. */
  private static final class StaleUpdate extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  private interface Attempt {
    void run(int thread);
  }

  /** Starts one thread per attempt at once and collects their outcomes, in attempt order. */
  private static List<Outcome> race(int threads, Attempt attempt) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Outcome>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        workers.add(pool.submit(() -> {
          ready.countDown();
          start.await();
          try {
            attempt.run(thread);
            return new Outcome(true, null, false);
          } catch (StaleUpdate e) {
            return new Outcome(false, null, true);
          } catch (NeuraSeaException e) {
            if (e.code() != ErrorCode.CONFLICT) {
              throw e;
            }
            return new Outcome(false, e.fieldErrors().stream().map(FieldError::field).findFirst().orElse(null),
                false);
          }
        }));
      }
      ready.await();
      start.countDown();
      List<Outcome> outcomes = new ArrayList<>();
      for (Future<Outcome> worker : workers) {
        outcomes.add(worker.get(2, TimeUnit.MINUTES));
      }
      return outcomes;
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- helpers

  /** A new request (version 0) of the subject already in the status, closed now when the status is closed. */
  private static SubjectRequest newRequest(UserId subject, RequestType type, RequestStatus status) {
    return asNew(subjectRequest(subject, type).withStatus(status, nextInstant()));
  }

  /** The request as a new one (version 0), for inserting a request already in a later status. */
  private static SubjectRequest asNew(SubjectRequest r) {
    return new SubjectRequest(r.id(), r.userId(), r.type(), r.status(), r.routedTo(), r.receivedAt(), r.dueAt(),
        r.extensionReason(), r.verifiedAt(), r.verificationMethod(), r.closedAt(), r.outcome(), r.progress(),
        r.payload(), 0, r.updatedAt());
  }

  private PrivacyStore store() {
    return storage().privacy();
  }

  /** A stored user, the subject of the records a test writes. */
  private UserId subject() {
    User user = user();
    storage().tenancy().insertUser(user);
    return user.id();
  }
}
