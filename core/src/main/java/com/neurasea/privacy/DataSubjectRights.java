package com.neurasea.privacy;

import com.neurasea.internal.CommandValidator;
import com.neurasea.internal.Generations;
import com.neurasea.internal.AccessChecks;
import com.neurasea.internal.IdGenerator;
import com.neurasea.internal.JsonWriter;
import com.neurasea.internal.Times;
import com.neurasea.model.AccountStatus;
import com.neurasea.model.Caller;
import com.neurasea.model.DataSubject;
import com.neurasea.model.ErasureResult;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.FieldError;
import com.neurasea.model.HoldId;
import com.neurasea.model.LegalHold;
import com.neurasea.model.Membership;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Permissions;
import com.neurasea.model.PersonalDataItem;
import com.neurasea.model.PolicyAcknowledgment;
import com.neurasea.model.PolicyVersion;
import com.neurasea.model.PrincipalKind;
import com.neurasea.model.ProcessingKind;
import com.neurasea.model.ProcessingRecord;
import com.neurasea.model.RequestId;
import com.neurasea.model.RequestStatus;
import com.neurasea.model.RequestType;
import com.neurasea.model.Scope;
import com.neurasea.model.SubjectFlags;
import com.neurasea.model.SubjectRequest;
import com.neurasea.model.TenantId;
import com.neurasea.model.User;
import com.neurasea.model.UserId;
import com.neurasea.spi.LedgerEntry;
import com.neurasea.spi.PersonalDataContributor;
import com.neurasea.spi.Storage;
import com.neurasea.spi.Stores;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data-subject rights (privacy policy section 6): access, rectification, erasure and restriction
 * requests with their workflow and deadlines; legal holds; privacy policy versions and their
 * acknowledgments; minors; and retention sweeps. Every module's personal information is reached
 * through {@link PersonalDataContributor}s (the platform's own, plus any the host adds), and every
 * step is a privacy-ledger record.
 *
 * <p>Workflow: a request is <em>received</em>; the requester's identity is <em>verified</em> (at
 * once when the subject asks while signed in); a member of an enterprise tenant's request is then
 * <em>routed</em> to that tenant's administrators, who handle it first (platform administrators may
 * always act); it is <em>fulfilled</em> or <em>refused</em> with reasons. It is due one month after
 * receipt, extendable once by two months with a reason (GDPR Art. 12(3)). An erasure runs contributor
 * by contributor, remembering each finished step in the request, so one interrupted by a crash
 * resumes ({@link #resumeInterrupted()}) and the subject's ledger always says an erasure is under way.
 */
@Singleton
public final class DataSubjectRights {
  private static final Logger LOG = LoggerFactory.getLogger(DataSubjectRights.class);
  private static final String MODULE = "privacy";
  private static final String PRIVACY = "user.privacy";
  private static final Pattern REASON = Pattern.compile("[^\\n\\r]{1,500}");
  private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern METHOD = Pattern.compile("[a-z][a-z0-9-]{0,39}");

  private final Storage storage;
  private final Clock clock;
  private final IdGenerator ids;
  private final AccessChecks permissions;
  private final PrivacyLedger ledger;
  private final Generations generations;
  private final MinorRule minorRule;
  private final List<PersonalDataContributor> contributors;
  private final Object erasureLock = new Object();

  @Inject
  DataSubjectRights(Storage storage, Clock clock, IdGenerator ids, AccessChecks permissions, PrivacyLedger ledger,
      Generations generations, MinorRule minorRule, CommandValidator validator,
      Set<PersonalDataContributor> hostContributors) {
    this.storage = storage;
    this.clock = clock;
    this.ids = ids;
    this.permissions = permissions;
    this.ledger = ledger;
    this.generations = generations;
    this.minorRule = minorRule;
    List<PersonalDataContributor> all = new ArrayList<>(List.of(new AccountsContributor(storage, clock, generations, validator, ids),
        new LedgerContributor(storage, ledger), new PrivacyRecordsContributor(storage)));
    Set<String> names = new TreeSet<>();
    all.forEach(c -> names.add(c.name()));
    for (PersonalDataContributor contributor : hostContributors) {
      if (!names.add(contributor.name()) || !contributor.name().matches("[a-z][a-z0-9-]{0,39}")) {
        throw new IllegalStateException("personal data contributor name '" + contributor.name()
            + "' is taken or malformed (lower-case letters, digits and '-')");
      }
      all.add(contributor);
    }
    this.contributors = List.copyOf(all);
  }

  /** The contributors asked for every request, the platform's own first. */
  public List<String> contributorNames() {
    return contributors.stream().map(PersonalDataContributor::name).toList();
  }

  // ---------------------------------------------------------------- access in one call

  /**
   * Everything the platform holds on a person, from every contributor, as JSON: the answer to an
   * access request in one call. The person themself, or a platform administrator.
   *
   * @param caller who asks
   * @param userId the person
   * @return the export
   * @throws NeuraSeaException {@code NOT_FOUND} for an unknown person or one the caller may not see
   */
  public String exportPersonalData(Caller caller, UserId userId) {
    Objects.requireNonNull(caller, "caller");
    requireUserId(userId);
    if (!isSelf(caller, userId) && !isPlatformHandler(caller)) {
      throw NeuraSeaException.notFound("user");
    }
    if (storage.tenancy().findUser(userId).isEmpty()) {
      throw NeuraSeaException.notFound("user");
    }
    DataSubject subject = subject(userId);
    String export = export(subject);
    ledger.record(record(ProcessingKind.USE, caller, null, userId, List.of(PRIVACY, "user.account"))
        .reference("access:export").build());
    return export;
  }

  private String export(DataSubject subject) {
    JsonWriter json = new JsonWriter().beginObject()
        .name("subject").beginObject().member("userId", subject.userId().value())
        .member("subjectKey", subject.subjectKey()).endObject()
        .member("generatedAt", Times.now(clock).toString())
        .member("controller", ledger.taxonomy().controller().label())
        .name("contributors").beginArray();
    for (PersonalDataContributor contributor : contributors) {
      json.beginObject().member("name", contributor.name()).name("items").beginArray();
      for (PersonalDataItem item : contributor.export(subject)) {
        String label = ledger.taxonomy().find(TermKind.CATEGORY, item.category()).map(Term::label).orElse(null);
        json.beginObject().member("category", item.category()).member("categoryLabel", label)
            .member("field", item.field()).member("value", item.value()).endObject();
      }
      json.endArray().endObject();
    }
    return json.endArray().endObject().toString();
  }

  // ---------------------------------------------------------------- requests

  /**
   * Receives a request. The subject may submit their own (verified at once, since they are signed
   * in); a platform administrator or a tenant administrator ({@code members:manage}) of a member may
   * submit one received by other channels (verified later with {@link #verifyIdentity}).
   *
   * @param caller who submits
   * @param userId the subject
   * @param type the right exercised
   * @param corrections for a rectification, the new values by field (see
   *     {@link PersonalDataContributor#rectifiableFields()}); otherwise empty or null
   * @return the request
   * @throws NeuraSeaException {@code NOT_FOUND} for an unknown subject (or one the caller may not
   *     see); {@code CONFLICT} naming {@code type} when the subject has an open request of that type;
   *     {@code INVALID_ARGUMENT} for corrections that are missing, unknown or not wanted
   */
  public SubjectRequest submit(Caller caller, UserId userId, RequestType type, Map<String, String> corrections) {
    Objects.requireNonNull(caller, "caller");
    requireUserId(userId);
    if (type == null) {
      throw NeuraSeaException.invalid("type", "must be one of ACCESS, RECTIFICATION, ERASURE, RESTRICTION");
    }
    Map<String, String> fixes = corrections == null ? Map.of() : corrections;
    String payload = checkCorrections(type, fixes);
    boolean self = isSelf(caller, userId);
    TenantId adminTenant = null;
    if (!self && !isPlatformHandler(caller)) {
      adminTenant = requireTenantAdminOf(caller, userId);
    }
    if (storage.tenancy().findUser(userId).isEmpty()) {
      throw NeuraSeaException.notFound("user");
    }
    Instant now = Times.now(clock);
    Instant due = now.atZone(ZoneOffset.UTC).plusMonths(1).toInstant();
    RequestStatus status = RequestStatus.RECEIVED;
    TenantId routedTo = adminTenant;
    Instant verifiedAt = null;
    String method = null;
    if (self) {
      verifiedAt = now;
      method = caller.principal().kind() == PrincipalKind.API_TOKEN ? "api-token" : "signed-in";
      routedTo = enterpriseTenantOf(userId);
      status = routedTo == null ? RequestStatus.VERIFIED : RequestStatus.ROUTED;
    } else if (adminTenant != null) {
      status = RequestStatus.ROUTED;
    }
    SubjectRequest request = new SubjectRequest(new RequestId(ids.next(RequestId.PREFIX)), userId, type, status,
        routedTo, now, due, null, verifiedAt, method, null, null, null, payload, 0, now);
    storage.inTransaction(stores -> {
      stores.privacy().insertRequest(request);
      step(stores, request, caller, "received");
      if (request.verifiedAt() != null) {
        step(stores, request, caller, "verified:" + request.verificationMethod());
      }
      if (request.status() == RequestStatus.ROUTED) {
        step(stores, request, caller, "routed");
      }
      return null;
    });
    return request;
  }

  /**
   * Records that the requester was verified to be the subject, and routes a member's request to
   * their tenant's administrators.
   *
   * @param caller a handler: a platform administrator, or an administrator of the tenant the request
   *     is routed to
   * @param id the request
   * @param method how the identity was verified, such as {@code id-document} or {@code email-link}
   * @return the request
   * @throws NeuraSeaException {@code FAILED_PRECONDITION} when it is already verified or closed
   */
  public SubjectRequest verifyIdentity(Caller caller, RequestId id, String method) {
    if (method == null || !METHOD.matcher(method).matches()) {
      throw NeuraSeaException.invalid("method", "must be 1 to 40 lower-case letters, digits or '-'");
    }
    SubjectRequest current = handled(caller, id);
    if (current.verifiedAt() != null) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "the request is already verified");
    }
    Instant now = Times.now(clock);
    TenantId routedTo = current.routedTo() != null || isPlatformHandler(caller) ? current.routedTo()
        : enterpriseTenantOf(current.userId());
    RequestStatus status = routedTo == null ? RequestStatus.VERIFIED : RequestStatus.ROUTED;
    SubjectRequest updated = new SubjectRequest(current.id(), current.userId(), current.type(), status, routedTo,
        current.receivedAt(), current.dueAt(), current.extensionReason(), now, method, null, null, current.progress(),
        current.payload(), current.version() + 1, now);
    return save(updated, caller, "verified:" + method);
  }

  /**
   * Extends the deadline once by two months (GDPR Art. 12(3)), with the reason the subject is told.
   *
   * @param caller a handler
   * @param id the request
   * @param reason why, for the subject (no personal data)
   * @return the request
   * @throws NeuraSeaException {@code FAILED_PRECONDITION} when it was extended before or is closed
   */
  public SubjectRequest extend(Caller caller, RequestId id, String reason) {
    checkReason(reason);
    SubjectRequest current = handled(caller, id);
    if (current.extensionReason() != null) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "the deadline was already extended once");
    }
    Instant now = Times.now(clock);
    SubjectRequest updated = new SubjectRequest(current.id(), current.userId(), current.type(), current.status(),
        current.routedTo(), current.receivedAt(), current.dueAt().atZone(ZoneOffset.UTC).plusMonths(2).toInstant(),
        reason, current.verifiedAt(), current.verificationMethod(), null, null, current.progress(), current.payload(),
        current.version() + 1, now);
    return save(updated, caller, "extended");
  }

  /**
   * Refuses a request with reasons.
   *
   * @param caller a handler
   * @param id the request
   * @param reason why, for the subject (no personal data)
   * @return the receipt
   */
  public RequestReceipt refuse(Caller caller, RequestId id, String reason) {
    checkReason(reason);
    SubjectRequest current = handled(caller, id);
    if (current.status() == RequestStatus.IN_PROGRESS) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "an erasure under way cannot be refused");
    }
    Instant now = Times.now(clock);
    SubjectRequest closed = new SubjectRequest(current.id(), current.userId(), current.type(), RequestStatus.REFUSED,
        current.routedTo(), current.receivedAt(), current.dueAt(), current.extensionReason(), current.verifiedAt(),
        current.verificationMethod(), now, reason, current.progress(), null, current.version() + 1, now);
    return close(closed, caller, "refused", null, Map.of(), Map.of());
  }

  /**
   * Carries out a verified request and closes it: an access request returns the export in the
   * receipt; a rectification applies the corrections; an erasure erases through every contributor,
   * restricting what a legal hold or retention duty keeps; a restriction stops all processing of the
   * subject (the account is disabled and flagged) while keeping the information.
   *
   * @param caller a handler
   * @param id the request
   * @return the receipt, with the closing ledger record's inclusion proof
   * @throws NeuraSeaException {@code FAILED_PRECONDITION} when the requester is not verified yet or
   *     the request is closed
   */
  public RequestReceipt fulfil(Caller caller, RequestId id) {
    SubjectRequest current = handled(caller, id);
    if (current.verifiedAt() == null) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "the requester's identity is not verified yet");
    }
    return switch (current.type()) {
      case ACCESS -> {
        String export = export(subject(current.userId()));
        yield close(closing(current, "exported everything held, from " + contributors.size() + " contributors"),
            caller, "fulfilled", export, Map.of(), Map.of());
      }
      case RECTIFICATION -> rectify(caller, current);
      case ERASURE -> erase(caller, current);
      case RESTRICTION -> restrict(caller, current);
    };
  }

  private RequestReceipt rectify(Caller caller, SubjectRequest current) {
    Map<String, String> corrections = RecordCodec.decodeDetails(current.payload());
    DataSubject subject = subject(current.userId());
    Set<String> changed = new TreeSet<>();
    for (PersonalDataContributor contributor : contributors) {
      Map<String, String> mine = new LinkedHashMap<>();
      contributor.rectifiableFields().forEach(f -> {
        if (corrections.containsKey(f)) {
          mine.put(f, corrections.get(f));
        }
      });
      if (!mine.isEmpty()) {
        changed.addAll(contributor.rectify(subject, mine));
      }
    }
    generations.bumpAll();
    storage.inTransaction(stores -> {
      ledger.record(stores, record(ProcessingKind.RECTIFICATION, caller, current.routedTo(), current.userId(),
          categoriesOfFields(changed)).reference("dsr:" + current.id().value() + ":rectified").build());
      return null;
    });
    return close(closing(current, "corrected " + String.join(", ", changed)), caller, "fulfilled", null, Map.of(),
        Map.of());
  }

  private RequestReceipt restrict(Caller caller, SubjectRequest current) {
    Instant now = Times.now(clock);
    storage.inTransaction(stores -> {
      SubjectFlags flags = stores.privacy().findFlags(current.userId())
          .orElse(SubjectFlags.none(current.userId(), now));
      stores.privacy().saveFlags(new SubjectFlags(flags.userId(), flags.minor(), flags.guardianConsentAt(),
          flags.guardianReference(), now, "request " + current.id().value(), now));
      stores.tenancy().findUser(current.userId())
          .ifPresent(u -> stores.tenancy().updateUser(u.withStatus(AccountStatus.DISABLED, now)));
      ledger.record(stores, record(ProcessingKind.RESTRICTION, caller, current.routedTo(), current.userId(),
          List.of("user.account", "user.contact", "user.org", "user.usage", "user.device"))
          .reference("dsr:" + current.id().value() + ":restricted").build());
      return null;
    });
    generations.bumpAll();
    return close(closing(current, "processing restricted; the information is kept and the account disabled"),
        caller, "fulfilled", null, Map.of(), Map.of("*", "restricted at the subject's request"));
  }

  private RequestReceipt erase(Caller caller, SubjectRequest start) {
    SubjectRequest current = start;
    if (current.status() != RequestStatus.IN_PROGRESS) {
      Instant now = Times.now(clock);
      current = save(new SubjectRequest(current.id(), current.userId(), current.type(), RequestStatus.IN_PROGRESS,
          current.routedTo(), current.receivedAt(), current.dueAt(), current.extensionReason(), current.verifiedAt(),
          current.verificationMethod(), null, null, "", current.payload(), current.version() + 1, now), caller,
          "erasure-started");
    }
    return continueErasure(caller, current);
  }

  private RequestReceipt continueErasure(Caller caller, SubjectRequest start) {
    // One erasure at a time on this instance; across instances the request's version decides.
    synchronized (erasureLock) {
      SubjectRequest latest = storage.privacy().findRequest(start.id()).orElse(start);
      if (latest.status() != RequestStatus.IN_PROGRESS) {
        throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "the erasure was finished by another instance");
      }
      return runErasure(caller, latest);
    }
  }

  private RequestReceipt runErasure(Caller caller, SubjectRequest start) {
    SubjectRequest current = start;
    DataSubject subject = subject(current.userId());
    Map<String, String> keep = keptCategories(current.userId());
    Predicate<String> kept = category -> keep.keySet().stream()
        .anyMatch(k -> category.equals(k) || category.startsWith(k + ".") || k.startsWith(category + "."));
    Set<String> done = new LinkedHashSet<>(progress(current));
    Map<String, Set<String>> erased = new TreeMap<>();
    Map<String, String> restricted = new TreeMap<>();
    for (PersonalDataContributor contributor : contributors) {
      if (done.contains(contributor.name())) {
        continue;
      }
      ErasureResult result = contributor.erase(subject, kept);
      erased.put(contributor.name(), result.erased());
      for (String category : result.restricted()) {
        restricted.put(category, keep.entrySet().stream()
            .filter(e -> category.equals(e.getKey()) || category.startsWith(e.getKey() + ".")
                || e.getKey().startsWith(category + "."))
            .map(Map.Entry::getValue).findFirst()
            .orElse("kept by " + contributor.name() + " (an anonymized, disabled record others refer to)"));
      }
      done.add(contributor.name());
      SubjectRequest before = current;
      Instant now = Times.now(clock);
      SubjectRequest next = new SubjectRequest(before.id(), before.userId(), before.type(), RequestStatus.IN_PROGRESS,
          before.routedTo(), before.receivedAt(), before.dueAt(), before.extensionReason(), before.verifiedAt(),
          before.verificationMethod(), null, null, String.join(",", done), before.payload(), before.version() + 1, now);
      List<String> categories = result.erased().isEmpty() ? List.of(PRIVACY)
          : List.copyOf(new TreeSet<>(result.erased()));
      storage.inTransaction(stores -> {
        if (!stores.privacy().updateRequest(next)) {
          throw new NeuraSeaException(ErrorCode.CONFLICT, "the request changed while it was being carried out");
        }
        ledger.record(stores, record(ProcessingKind.ERASURE, caller, before.routedTo(), before.userId(), categories)
            .reference("dsr:" + before.id().value() + ":erased:" + contributor.name()).build());
        return null;
      });
      current = next;
    }
    String outcome = "erased through " + String.join(", ", done)
        + (restricted.isEmpty() ? "" : "; kept and restricted: " + String.join(", ", restricted.keySet()));
    return close(closing(current, outcome.length() > 500 ? outcome.substring(0, 500) : outcome), caller, "fulfilled",
        null, erased, restricted);
  }

  /**
   * Finishes erasures that a crash or restart interrupted; run at start-up and in the background.
   *
   * @return how many were finished
   */
  public int resumeInterrupted() {
    int resumed = 0;
    Caller system = Caller.platform(com.neurasea.model.Principal.system());
    for (SubjectRequest request : storage.privacy().listRequests(null, Set.of(RequestStatus.IN_PROGRESS),
        PageRequest.first(PageRequest.MAX_LIMIT))) {
      try {
        continueErasure(system, request);
        resumed++;
      } catch (RuntimeException e) {
        LOG.warn("resuming erasure {} failed; it stays in progress: {}", request.id(), e.toString());
      }
    }
    return resumed;
  }

  /**
   * One request: the subject's own, or any the caller handles.
   *
   * @param caller who asks
   * @param id the request
   * @return the request
   */
  public SubjectRequest get(Caller caller, RequestId id) {
    Objects.requireNonNull(caller, "caller");
    if (id == null) {
      throw NeuraSeaException.invalid("requestId", "must not be null");
    }
    SubjectRequest request = storage.privacy().findRequest(id).orElseThrow(() -> NeuraSeaException.notFound("request"));
    if (isSelf(caller, request.userId()) || mayHandle(caller, request)) {
      return request;
    }
    throw NeuraSeaException.notFound("request");
  }

  /**
   * Requests. A caller acting in a tenant who handles its requests ({@code members:manage}, or a
   * platform administrator) sees those routed to that tenant; a platform administrator acting at
   * platform level sees everyone's; anyone else sees their own.
   *
   * @param caller who asks
   * @param userId only this subject's, or null
   * @param statuses only these; empty for all
   * @param page the page
   * @return the requests
   * @throws NeuraSeaException {@code NOT_FOUND} when the caller names a subject whose requests they
   *     may not see
   */
  public List<SubjectRequest> list(Caller caller, UserId userId, Set<RequestStatus> statuses, PageRequest page) {
    Objects.requireNonNull(caller, "caller");
    Objects.requireNonNull(page, "page");
    Set<RequestStatus> wanted = statuses == null ? Set.of() : statuses;
    TenantId tenant = caller.tenantId();
    boolean platform = isPlatformHandler(caller);
    if (tenant != null && (platform || permissions.check(caller, Permissions.MEMBERS_MANAGE, Scope.tenant()))) {
      if (!platform) {
        permissions.requireTenantAccess(caller);
      }
      return storage.privacy().listRoutedRequests(tenant, userId, wanted, page);
    }
    if (platform) {
      return storage.privacy().listRequests(userId, wanted, page);
    }
    UserId self = caller.principal().userId();
    if (userId != null && !userId.equals(self)) {
      throw NeuraSeaException.notFound("user");
    }
    return self == null ? List.of() : storage.privacy().listRequests(self, wanted, page);
  }

  /**
   * The fields a rectification request asks to correct (never their new values).
   *
   * @param request the request
   * @return the field names, sorted; empty for other requests or once it is closed
   */
  public static Set<String> correctionFields(SubjectRequest request) {
    return new TreeSet<>(RecordCodec.decodeDetails(request.payload()).keySet());
  }

  /**
   * Open requests past their deadline, most overdue first; platform handlers only.
   *
   * @param caller who asks
   * @return the requests
   */
  public List<SubjectRequest> overdue(Caller caller) {
    requirePlatformHandler(caller);
    return storage.privacy().listOverdue(Times.now(clock), PageRequest.MAX_LIMIT);
  }

  // ---------------------------------------------------------------- legal holds

  /**
   * Places a legal hold: what it covers is kept (and restricted) when the subject's information is
   * erased. Platform handlers only.
   *
   * @param caller who places it
   * @param userId the subject
   * @param categories the category keys or groups it covers, from the taxonomy
   * @param reason why (no personal data)
   * @return the hold
   */
  public LegalHold placeHold(Caller caller, UserId userId, List<String> categories, String reason) {
    requirePlatformHandler(caller);
    requireUserId(userId);
    checkReason(reason);
    if (categories == null || categories.isEmpty()) {
      throw NeuraSeaException.invalid("categories", "must name at least one category");
    }
    List<FieldError> errors = new ArrayList<>();
    for (int i = 0; i < categories.size(); i++) {
      if (categories.get(i) == null || ledger.taxonomy().find(TermKind.CATEGORY, categories.get(i)).isEmpty()) {
        errors.add(new FieldError("categories[" + i + "]", "'" + categories.get(i)
            + "' is not a category of the privacy taxonomy"));
      }
    }
    if (!errors.isEmpty()) {
      throw new NeuraSeaException(ErrorCode.INVALID_ARGUMENT, "unknown categories", errors, null);
    }
    if (storage.tenancy().findUser(userId).isEmpty()) {
      throw NeuraSeaException.notFound("user");
    }
    LegalHold hold = new LegalHold(new HoldId(ids.next(HoldId.PREFIX)), userId, categories, reason, Times.now(clock),
        null);
    storage.inTransaction(stores -> {
      stores.privacy().insertHold(hold);
      ledger.record(stores, record(ProcessingKind.RESTRICTION, caller, null, userId, categories)
          .reference("hold:" + hold.id().value() + ":placed").build());
      return null;
    });
    return hold;
  }

  /**
   * Releases a legal hold. Platform handlers only.
   *
   * @param caller who releases it
   * @param userId the subject
   * @param id the hold
   * @throws NeuraSeaException {@code NOT_FOUND} when there is no such active hold
   */
  public void releaseHold(Caller caller, UserId userId, HoldId id) {
    requirePlatformHandler(caller);
    requireUserId(userId);
    if (id == null) {
      throw NeuraSeaException.invalid("holdId", "must not be null");
    }
    LegalHold hold = storage.privacy().listHolds(userId, true).stream().filter(h -> h.id().equals(id)).findFirst()
        .orElseThrow(() -> NeuraSeaException.notFound("hold"));
    storage.inTransaction(stores -> {
      if (!stores.privacy().releaseHold(id, Times.now(clock))) {
        throw NeuraSeaException.notFound("hold");
      }
      ledger.record(stores, record(ProcessingKind.USE, caller, null, userId, hold.categories())
          .reference("hold:" + id.value() + ":released").build());
      return null;
    });
  }

  /**
   * A subject's holds; platform handlers only.
   *
   * @param caller who asks
   * @param userId the subject
   * @param activeOnly only those in force
   * @return the holds
   */
  public List<LegalHold> holds(Caller caller, UserId userId, boolean activeOnly) {
    requirePlatformHandler(caller);
    requireUserId(userId);
    return storage.privacy().listHolds(userId, activeOnly);
  }

  // ---------------------------------------------------------------- policy versions

  /**
   * Publishes a version of the privacy policy; platform handlers only.
   *
   * @param caller who publishes
   * @param version its name, such as {@code 2025-01}
   * @param effectiveAt when it takes effect
   * @param summary what changed
   * @param text the full text (only its SHA-256 is kept, to tie acknowledgments to the exact text)
   * @return the version
   * @throws NeuraSeaException {@code CONFLICT} naming {@code version} when it exists
   */
  public PolicyVersion publishPolicy(Caller caller, String version, Instant effectiveAt, String summary, String text) {
    requirePlatformHandler(caller);
    List<FieldError> errors = new ArrayList<>();
    if (version == null || !VERSION.matcher(version).matches()) {
      errors.add(new FieldError("version", "must be 1 to 64 letters, digits, '.', '_' or '-'"));
    }
    if (effectiveAt == null) {
      errors.add(new FieldError("effectiveAt", "is required"));
    }
    if (summary == null || summary.isBlank() || summary.length() > 2000) {
      errors.add(new FieldError("summary", "must be 1 to 2000 characters"));
    }
    if (text == null || text.isBlank()) {
      errors.add(new FieldError("text", "is required"));
    }
    if (!errors.isEmpty()) {
      throw new NeuraSeaException(ErrorCode.INVALID_ARGUMENT, "the policy version is invalid", errors, null);
    }
    PolicyVersion published = new PolicyVersion(version, Times.millis(effectiveAt), summary, sha256(text),
        Times.now(clock));
    storage.privacy().insertPolicyVersion(published);
    return published;
  }

  /** Every published version, by effective time. */
  public List<PolicyVersion> policyVersions() {
    return storage.privacy().listPolicyVersions();
  }

  /** The version in effect now, if any was published. */
  public Optional<PolicyVersion> currentPolicy() {
    Instant now = Times.now(clock);
    PolicyVersion current = null;
    for (PolicyVersion v : storage.privacy().listPolicyVersions()) {
      if (!v.effectiveAt().isAfter(now)) {
        current = v;
      }
    }
    return Optional.ofNullable(current);
  }

  /**
   * Records that the calling user acknowledged a policy version.
   *
   * @param caller the user
   * @param version the version
   * @param clientIp the address it was acknowledged from, or null
   * @param method how: {@code click-through}, {@code api}, {@code signed-document}, ...
   * @return the acknowledgment
   * @throws NeuraSeaException {@code NOT_FOUND} for an unknown version; {@code CONFLICT} naming
   *     {@code version} when the user acknowledged it before
   */
  public PolicyAcknowledgment acknowledge(Caller caller, String version, String clientIp, String method) {
    Objects.requireNonNull(caller, "caller");
    UserId user = caller.principal().userId();
    if (user == null) {
      throw NeuraSeaException.invalid("caller", "only a user can acknowledge the privacy policy");
    }
    if (method == null || !METHOD.matcher(method).matches()) {
      throw NeuraSeaException.invalid("method", "must be 1 to 40 lower-case letters, digits or '-'");
    }
    if (version == null || storage.privacy().findPolicyVersion(version).isEmpty()) {
      throw NeuraSeaException.notFound("policy version");
    }
    String ip = clientIp == null || clientIp.isBlank() ? null : clientIp.length() > 64 ? clientIp.substring(0, 64)
        : clientIp;
    PolicyAcknowledgment ack = new PolicyAcknowledgment(user, version, Times.now(clock), ip, method);
    storage.inTransaction(stores -> {
      stores.privacy().insertAcknowledgment(ack);
      List<String> categories = ip == null ? List.of(PRIVACY) : List.of(PRIVACY, "user.device.ip_address");
      ledger.record(stores, record(ProcessingKind.ACKNOWLEDGMENT, caller, caller.tenantId(), user, categories)
          .reference("policy:" + version).detail("user.device.ip_address", ip).build());
      return null;
    });
    return ack;
  }

  /**
   * A user's acknowledgments: their own, or any for a platform handler.
   *
   * @param caller who asks
   * @param userId the user
   * @return the acknowledgments
   */
  public List<PolicyAcknowledgment> acknowledgmentsOf(Caller caller, UserId userId) {
    Objects.requireNonNull(caller, "caller");
    requireUserId(userId);
    if (!isSelf(caller, userId)) {
      requirePlatformHandler(caller);
    }
    return storage.privacy().acknowledgmentsOf(userId);
  }

  /**
   * Who acknowledged a version; platform handlers only.
   *
   * @param caller who asks
   * @param version the version
   * @param page the page
   * @return the acknowledgments
   */
  public List<PolicyAcknowledgment> acknowledgmentsOfVersion(Caller caller, String version, PageRequest page) {
    requirePlatformHandler(caller);
    if (version == null || storage.privacy().findPolicyVersion(version).isEmpty()) {
      throw NeuraSeaException.notFound("policy version");
    }
    return storage.privacy().acknowledgmentsOfVersion(version, page);
  }

  // ---------------------------------------------------------------- minors

  /**
   * Flags or unflags an account as a minor's. Under {@link MinorRule#BLOCK} a minor's account is
   * disabled; under {@link MinorRule#GUARDIAN_CONSENT} it waits (PENDING) until a guardian's consent
   * is recorded. Platform handlers, or an administrator ({@code members:manage}) of the account's
   * tenant when it belongs to no other (the flag applies to the whole account).
   *
   * @param caller who flags it
   * @param userId the account
   * @param minor whether it belongs to a minor
   * @return the flags
   */
  public SubjectFlags markMinor(Caller caller, UserId userId, boolean minor) {
    Objects.requireNonNull(caller, "caller");
    requireUserId(userId);
    if (!isPlatformHandler(caller)) {
      requireAccountAdmin(caller, userId);
    }
    Instant now = Times.now(clock);
    SubjectFlags saved = storage.inTransaction(stores -> {
      User user = stores.tenancy().findUser(userId).orElseThrow(() -> NeuraSeaException.notFound("user"));
      SubjectFlags flags = stores.privacy().findFlags(userId).orElse(SubjectFlags.none(userId, now));
      SubjectFlags next = new SubjectFlags(userId, minor, flags.guardianConsentAt(), flags.guardianReference(),
          flags.restrictedAt(), flags.restrictionReason(), now);
      stores.privacy().saveFlags(next);
      AccountStatus status = user.status();
      if (minor && minorRule == MinorRule.BLOCK) {
        status = AccountStatus.DISABLED;
      } else if (minor && next.guardianConsentAt() == null) {
        status = AccountStatus.PENDING;
      } else if (!minor && !next.restricted() && (status == AccountStatus.PENDING || status == AccountStatus.DISABLED)
          && flags.minor()) {
        status = AccountStatus.ACTIVE;
      }
      if (status != user.status()) {
        stores.tenancy().updateUser(user.withStatus(status, now));
      }
      ledger.record(stores, record(ProcessingKind.COLLECTION, caller, caller.tenantId(), userId, List.of(PRIVACY))
          .reference(minor ? "minor:flagged" : "minor:unflagged").build());
      return next;
    });
    generations.bumpAll();
    return saved;
  }

  /**
   * Records a guardian's consent for a minor's account, which activates it under
   * {@link MinorRule#GUARDIAN_CONSENT}.
   *
   * @param caller who records it (as for {@link #markMinor})
   * @param userId the account
   * @param reference where the consent evidence is kept (no personal data)
   * @return the flags
   * @throws NeuraSeaException {@code FAILED_PRECONDITION} when the account is not a minor's, or
   *     minors are blocked
   */
  public SubjectFlags recordGuardianConsent(Caller caller, UserId userId, String reference) {
    Objects.requireNonNull(caller, "caller");
    requireUserId(userId);
    if (reference == null || reference.isBlank() || !REASON.matcher(reference).matches()) {
      throw NeuraSeaException.invalid("reference", "must be one line of 1 to 500 characters");
    }
    if (!isPlatformHandler(caller)) {
      requireAccountAdmin(caller, userId);
    }
    if (minorRule == MinorRule.BLOCK) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "this platform blocks minors' accounts");
    }
    Instant now = Times.now(clock);
    SubjectFlags saved = storage.inTransaction(stores -> {
      User user = stores.tenancy().findUser(userId).orElseThrow(() -> NeuraSeaException.notFound("user"));
      SubjectFlags flags = stores.privacy().findFlags(userId).orElse(SubjectFlags.none(userId, now));
      if (!flags.minor()) {
        throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "the account is not flagged as a minor's");
      }
      SubjectFlags next = new SubjectFlags(userId, true, now, reference, flags.restrictedAt(),
          flags.restrictionReason(), now);
      stores.privacy().saveFlags(next);
      if (user.status() == AccountStatus.PENDING && !next.restricted()) {
        stores.tenancy().updateUser(user.withStatus(AccountStatus.ACTIVE, now));
      }
      ledger.record(stores, record(ProcessingKind.ACKNOWLEDGMENT, caller, caller.tenantId(), userId, List.of(PRIVACY))
          .purpose("account_security", ledger.jurisdiction().consent()).reference("minor:guardian-consent").build());
      return next;
    });
    generations.bumpAll();
    return saved;
  }

  /**
   * A subject's privacy flags: their own, a platform handler's view, or a tenant administrator's.
   *
   * @param caller who asks
   * @param userId the subject
   * @return the flags (none set when never saved)
   */
  public SubjectFlags flags(Caller caller, UserId userId) {
    Objects.requireNonNull(caller, "caller");
    requireUserId(userId);
    if (!isSelf(caller, userId) && !isPlatformHandler(caller)) {
      requireTenantAdminOf(caller, userId);
    }
    return storage.privacy().findFlags(userId).orElse(SubjectFlags.none(userId, Times.now(clock)));
  }

  // ---------------------------------------------------------------- retention

  /**
   * Deletes or anonymizes, through every contributor, information of each category whose retention
   * period (from the taxonomy) has passed, and records what it did. Platform handlers, or the
   * platform's own background job.
   *
   * @param caller who runs it
   * @return what was removed
   */
  public RetentionReport sweep(Caller caller) {
    requirePlatformHandler(caller);
    Instant now = Times.now(clock);
    Map<String, Long> removed = new TreeMap<>();
    for (Term category : ledger.taxonomy().terms(TermKind.CATEGORY)) {
      Optional<Period> period = ledger.taxonomy().retention(category.key());
      if (period.isEmpty()) {
        continue;
      }
      Instant cutoff = now.atZone(ZoneOffset.UTC).minus(period.get()).toInstant();
      long count = 0;
      for (PersonalDataContributor contributor : contributors) {
        count += contributor.sweep(category.key(), cutoff);
      }
      if (count > 0) {
        removed.put(category.key(), count);
      }
    }
    if (!removed.isEmpty()) {
      ledger.record(ProcessingRecord.of(ProcessingKind.ERASURE).module("retention").actor(caller.principal())
          .categories(List.copyOf(removed.keySet()))
          .purpose("legal_compliance", ledger.jurisdiction().legalObligation())
          .reference("retention:sweep").build());
    }
    return new RetentionReport(now, removed);
  }

  // ---------------------------------------------------------------- internals

  private SubjectRequest closing(SubjectRequest current, String outcome) {
    Instant now = Times.now(clock);
    return new SubjectRequest(current.id(), current.userId(), current.type(), RequestStatus.FULFILLED,
        current.routedTo(), current.receivedAt(), current.dueAt(), current.extensionReason(), current.verifiedAt(),
        current.verificationMethod(), now, outcome, current.progress(), null, current.version() + 1, now);
  }

  /** Saves a closed request with its closing record, then returns the receipt with the record's proof. */
  private RequestReceipt close(SubjectRequest closed, Caller caller, String step, String export,
      Map<String, Set<String>> erased, Map<String, String> restricted) {
    long before = ledger.size();
    String reference = "dsr:" + closed.id().value() + ":" + step;
    storage.inTransaction(stores -> {
      if (!stores.privacy().updateRequest(closed)) {
        throw new NeuraSeaException(ErrorCode.CONFLICT, "the request changed in the meantime; read it again");
      }
      ledger.record(stores, record(ProcessingKind.REQUEST, caller, closed.routedTo(), closed.userId(), List.of(PRIVACY))
          .reference(reference).build());
      return null;
    });
    ledger.sequence();
    String key = ledger.subjectKey(closed.userId());
    LedgerRecord closing = null;
    for (LedgerEntry entry : storage.ledger().entriesOfSubject(key, before, PageRequest.MAX_LIMIT)) {
      LedgerRecord r = ledger.decodeEntry(entry);
      if (reference.equals(r.reference())) {
        closing = r;
      }
    }
    if (closing == null) {
      throw new NeuraSeaException(ErrorCode.INTERNAL, "the closing ledger record of request " + closed.id()
          + " was not found");
    }
    return new RequestReceipt(closed, closing, ledger.proveInclusion(closing.index()), export, erased, restricted);
  }

  private SubjectRequest save(SubjectRequest updated, Caller caller, String step) {
    storage.inTransaction(stores -> {
      if (!stores.privacy().updateRequest(updated)) {
        throw new NeuraSeaException(ErrorCode.CONFLICT, "the request changed in the meantime; read it again");
      }
      step(stores, updated, caller, step);
      return null;
    });
    return updated;
  }

  private void step(Stores stores, SubjectRequest request, Caller caller, String step) {
    ledger.record(stores, record(ProcessingKind.REQUEST, caller, request.routedTo(), request.userId(), List.of(PRIVACY))
        .reference("dsr:" + request.id().value() + ":" + step).build());
  }

  private ProcessingRecord.Builder record(ProcessingKind kind, Caller caller, TenantId tenant, UserId subject,
      List<String> categories) {
    return ProcessingRecord.of(kind).module(MODULE).tenant(tenant).subject(subject).actor(caller.principal())
        .categories(categories).purpose("legal_compliance", ledger.jurisdiction().legalObligation());
  }

  /** The request, if the caller may handle it and it is open. */
  private SubjectRequest handled(Caller caller, RequestId id) {
    Objects.requireNonNull(caller, "caller");
    if (id == null) {
      throw NeuraSeaException.invalid("requestId", "must not be null");
    }
    SubjectRequest request = storage.privacy().findRequest(id).orElseThrow(() -> NeuraSeaException.notFound("request"));
    if (!mayHandle(caller, request)) {
      if (isSelf(caller, request.userId())) {
        throw NeuraSeaException.denied(Permissions.MEMBERS_MANAGE);
      }
      throw NeuraSeaException.notFound("request");
    }
    if (!request.status().open()) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "the request is already " 
          + request.status().name().toLowerCase(java.util.Locale.ROOT));
    }
    return request;
  }

  private boolean mayHandle(Caller caller, SubjectRequest request) {
    if (isPlatformHandler(caller)) {
      return true;
    }
    return request.routedTo() != null && request.routedTo().equals(caller.tenantId())
        && permissions.check(caller, Permissions.MEMBERS_MANAGE, Scope.tenant());
  }

  private boolean isPlatformHandler(Caller caller) {
    return permissions.check(Caller.platform(caller.principal()), Permissions.PLATFORM_USERS_MANAGE, Scope.platform());
  }

  private void requirePlatformHandler(Caller caller) {
    Objects.requireNonNull(caller, "caller");
    permissions.require(Caller.platform(caller.principal()), Permissions.PLATFORM_USERS_MANAGE, Scope.platform());
  }

  /** The caller's tenant, when the caller administers members there and the user is one. */
  private TenantId requireTenantAdminOf(Caller caller, UserId userId) {
    TenantId tenant = caller.tenantId();
    if (tenant == null || storage.tenancy().findMembership(tenant, userId).isEmpty()) {
      throw NeuraSeaException.notFound("user");
    }
    permissions.require(caller, Permissions.MEMBERS_MANAGE, Scope.tenant());
    return tenant;
  }

  /** As {@link #requireTenantAdminOf}, for account-wide changes: the account must belong to no other tenant. */
  private void requireAccountAdmin(Caller caller, UserId userId) {
    requireTenantAdminOf(caller, userId);
    if (storage.tenancy().listMemberships(userId).size() > 1) {
      throw new NeuraSeaException(ErrorCode.PERMISSION_DENIED,
          "the account belongs to other tenants too; only a platform administrator may change it");
    }
  }

  /** The enterprise tenant whose administrators handle a member's requests first: the oldest membership's. */
  private TenantId enterpriseTenantOf(UserId userId) {
    List<Membership> memberships = new ArrayList<>(storage.tenancy().listMemberships(userId));
    memberships.sort(java.util.Comparator.comparing(Membership::joinedAt));
    return memberships.isEmpty() ? null : memberships.get(0).tenantId();
  }

  /** The categories a hold or a retention duty keeps, with why. */
  private Map<String, String> keptCategories(UserId userId) {
    Map<String, String> kept = new LinkedHashMap<>();
    for (LegalHold hold : storage.privacy().listHolds(userId, true)) {
      hold.categories().forEach(c -> kept.putIfAbsent(c, "legal hold " + hold.id().value() + ": " + hold.reason()));
    }
    for (Term category : ledger.taxonomy().terms(TermKind.CATEGORY)) {
      category.attribute("duty").ifPresent(duty -> kept.putIfAbsent(category.key(), "retention duty: " + duty));
    }
    return kept;
  }

  private String checkCorrections(RequestType type, Map<String, String> corrections) {
    if (type != RequestType.RECTIFICATION) {
      if (!corrections.isEmpty()) {
        throw NeuraSeaException.invalid("corrections", "are only taken with a RECTIFICATION request");
      }
      return null;
    }
    if (corrections.isEmpty()) {
      throw NeuraSeaException.invalid("corrections", "must name at least one field to correct");
    }
    Set<String> known = new TreeSet<>();
    contributors.forEach(c -> known.addAll(c.rectifiableFields()));
    List<FieldError> errors = new ArrayList<>();
    corrections.forEach((field, value) -> {
      if (!known.contains(field)) {
        errors.add(new FieldError("corrections." + field, "cannot be corrected; correctable fields: " + known));
      } else if (value == null || value.length() > 512 || value.contains("\n")) {
        errors.add(new FieldError("corrections." + field, "must be a single line of at most 512 characters"));
      }
    });
    if (!errors.isEmpty()) {
      throw new NeuraSeaException(ErrorCode.INVALID_ARGUMENT, "the corrections are invalid", errors, null);
    }
    return RecordCodec.encodeDetails(new TreeMap<>(corrections));
  }

  private static List<String> categoriesOfFields(Set<String> fields) {
    Set<String> categories = new TreeSet<>();
    for (String field : fields) {
      categories.add(switch (field) {
        case "email" -> "user.contact.email";
        case "phone" -> "user.contact.phone";
        case "displayName" -> "user.account.display_name";
        default -> "user.voluntary";
      });
    }
    return categories.isEmpty() ? List.of(PRIVACY) : List.copyOf(categories);
  }

  private static List<String> progress(SubjectRequest request) {
    return request.progress() == null || request.progress().isEmpty() ? List.of()
        : Arrays.asList(request.progress().split(","));
  }

  private DataSubject subject(UserId userId) {
    return new DataSubject(userId, ledger.subjectKey(userId));
  }

  private static boolean isSelf(Caller caller, UserId userId) {
    return userId.equals(caller.principal().userId());
  }

  private static void requireUserId(UserId userId) {
    if (userId == null) {
      throw NeuraSeaException.invalid("userId", "must not be null");
    }
  }

  private static void checkReason(String reason) {
    if (reason == null || reason.isBlank() || !REASON.matcher(reason).matches()) {
      throw NeuraSeaException.invalid("reason", "must be one line of 1 to 500 characters");
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JDK", e);
    }
  }
}
