package com.neurasea.privacy;

import com.neurasea.internal.AccessChecks;
import com.neurasea.internal.IdGenerator;
import com.neurasea.internal.Times;
import com.neurasea.ledger.verify.Checkpoint;
import com.neurasea.ledger.verify.CheckpointExport;
import com.neurasea.ledger.verify.CompactRange;
import com.neurasea.ledger.verify.Ed25519Keys;
import com.neurasea.ledger.verify.EntryExport;
import com.neurasea.ledger.verify.MerkleHashes;
import com.neurasea.ledger.verify.MerkleTree;
import com.neurasea.ledger.verify.SignedCheckpoint;
import com.neurasea.model.Caller;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.FieldError;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.Permissions;
import com.neurasea.model.Principal;
import com.neurasea.model.ProcessingKind;
import com.neurasea.model.ProcessingRecord;
import com.neurasea.model.Scope;
import com.neurasea.model.TenantId;
import com.neurasea.model.UserId;
import com.neurasea.privacy.VerificationReport.Problem;
import com.neurasea.spi.KeyProvider;
import com.neurasea.spi.LedgerEntry;
import com.neurasea.spi.LedgerStore;
import com.neurasea.spi.NewLedgerEntry;
import com.neurasea.spi.StagedLedgerRecord;
import com.neurasea.spi.Storage;
import com.neurasea.spi.StoredCheckpoint;
import com.neurasea.spi.Stores;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The privacy ledger: a tamper-evident, append-only record of every collection, use, disclosure
 * and deletion of personal information.
 *
 * <p>Each {@link ProcessingRecord} is checked against the {@link Taxonomy}, its subject replaced by
 * a pseudonymous key, and appended as an RFC 6962 leaf that commits to its index and its
 * predecessor; erasable personal data ({@code details}) is kept beside the leaf. Signed checkpoints
 * (Ed25519, key from the {@link KeyProvider} purpose {@value #SIGNING_KEY_PURPOSE}) fix the log's
 * root at a size; inclusion and consistency proofs and {@link #exportCheckpoints()} let anyone
 * check the log offline with {@code neurasea-ledger-verifier}.
 *
 * <p>Services record in the same unit of work as the change with {@link #record(Stores,
 * ProcessingRecord)}, which stages the record (a plain insert, so concurrent units of work never
 * contend for the end of the log); {@link #sequence()} then moves staged records into the log, on
 * whichever host runs it first. {@link #record(ProcessingRecord)} appends on its own, batching
 * concurrent callers into one append.
 */
@Singleton
public final class PrivacyLedger {
  /** The key purpose of the checkpoint signing key (its first 32 bytes are the Ed25519 seed). */
  public static final String SIGNING_KEY_PURPOSE = "ledger-signing";
  /** The key purpose of the subject pseudonymization key. */
  public static final String SUBJECT_KEY_PURPOSE = "ledger-subject";
  /** The origin line of this ledger's checkpoints. */
  public static final String ORIGIN = "neurasea-privacy-ledger";
  private static final Pattern MODULE = Pattern.compile("[a-z][a-z0-9_-]{0,39}");
  private static final Pattern REFERENCE = Pattern.compile("[A-Za-z0-9_.:/#-]{1,200}");
  private static final int MAX_DETAIL_CHARS = 2_048;
  private static final int MAX_BATCH = 512;
  private static final int READ_PAGE = 2_000;
  private static final HexFormat HEX = HexFormat.of();

  private final Storage storage;
  private final Clock clock;
  private final Taxonomy taxonomy;
  private final Jurisdiction jurisdiction;
  private final AccessChecks permissions;
  private final byte[] subjectKeySecret;
  /** A Mac per thread: creating and keying one costs more than the hash itself. */
  private final ThreadLocal<Mac> subjectMac = ThreadLocal.withInitial(this::newSubjectMac);
  private final KeyPair signingKeys;
  private final String keyId;
  private final Object treeLock = new Object();
  private final LedgerTree tree;
  private final String instance;
  private long lastStagedMillis;
  private long stagedCounter;
  private final ReentrantLock sequenceLock = new ReentrantLock();
  private final ReentrantLock queueLock = new ReentrantLock();
  private final Condition flushed = queueLock.newCondition();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private boolean flushing;

  @Inject
  PrivacyLedger(Storage storage, Clock clock, Taxonomy taxonomy, Jurisdiction jurisdiction, KeyProvider keys,
      AccessChecks permissions, IdGenerator ids) {
    this.instance = ids.next("").substring(10);
    this.storage = storage;
    this.clock = clock;
    this.taxonomy = taxonomy;
    this.jurisdiction = jurisdiction;
    this.permissions = permissions;
    this.subjectKeySecret = keys.key(SUBJECT_KEY_PURPOSE);
    byte[] signing = keys.key(SIGNING_KEY_PURPOSE);
    if (signing.length < Ed25519Keys.KEY_SIZE || subjectKeySecret.length < 32) {
      throw new IllegalStateException("the key provider must supply at least 32 bytes per purpose");
    }
    this.signingKeys = Ed25519Keys.fromSeed(Arrays.copyOf(signing, Ed25519Keys.KEY_SIZE));
    Arrays.fill(signing, (byte) 0);
    this.keyId = Ed25519Keys.keyId(signingKeys.getPublic());
    this.tree = new LedgerTree(storage.ledger());
  }

  private Mac newSubjectMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(subjectKeySecret, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required by every JDK", e);
    }
  }

  /** The vocabulary records are checked against. */
  public Taxonomy taxonomy() {
    return taxonomy;
  }

  /** The law whose legal bases the platform's own records cite. */
  public Jurisdiction jurisdiction() {
    return jurisdiction;
  }

  /**
   * The pseudonymous key that stands for a user in the ledger: a keyed hash of the user id, stable
   * for the life of the deployment and meaningless without the key.
   *
   * @param userId the user
   * @return {@code sk_} and 22 base64url characters
   */
  public String subjectKey(UserId userId) {
    Objects.requireNonNull(userId, "userId");
    byte[] digest = subjectMac.get().doFinal(("user:" + userId.value()).getBytes(StandardCharsets.UTF_8));
    return "sk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 16));
  }

  // ---------------------------------------------------------------- recording

  /**
   * Records processing as part of a unit of work: the entry lands with the change it records or
   * not at all.
   *
   * @param stores the stores of the unit of work ({@link Storage#inTransaction})
   * @param record what was done
   * @return the id the record is staged under until it is sequenced
   * @throws NeuraSeaException {@code INVALID_ARGUMENT} listing every field that breaks the rules:
   *     unknown taxonomy keys, a disclosure without recipient, ground or consent, details of a
   *     category the record does not name, and so on
   */
  public String record(Stores stores, ProcessingRecord record) {
    Objects.requireNonNull(stores, "stores");
    Prepared prepared = prepare(record, "");
    String id = nextStagedId();
    stores.ledger().stage(new StagedLedgerRecord(id, prepared.at(), prepared.tenantId(), prepared.subjectKey(),
        prepared.body(), prepared.details()));
    return id;
  }

  /**
   * A staged record's id: time, then a per-instance counter, then the instance. Staged records are
   * sequenced in id order, so one instance's records join the log in the order they were made even
   * within one millisecond (or under a clock that stands still or steps back).
   */
  private synchronized String nextStagedId() {
    lastStagedMillis = Math.max(lastStagedMillis, clock.millis());
    return String.format("stg_%013d_%012d_%s", lastStagedMillis, ++stagedCounter, instance);
  }

  /**
   * Moves the records staged by units of work (on any host) into the log now. Runs in the
   * background every second; every read of the ledger runs it first, so readers see every record
   * whose unit of work has committed.
   *
   * @return the number of records moved
   */
  public long sequence() {
    LedgerStore store = storage.ledger();
    // Every read sequences first: a plain read when nothing is staged, not a locked write transaction.
    if (!store.hasStaged()) {
      return 0;
    }
    sequenceLock.lock();
    try {
      long moved = 0;
      int batch;
      do {
        batch = store.sequenceStaged(MAX_BATCH, (first, previous, staged) -> {
          List<NewLedgerEntry> entries = new ArrayList<>(staged.size());
          byte[] prev = previous;
          for (int i = 0; i < staged.size(); i++) {
            StagedLedgerRecord s = staged.get(i);
            byte[] content = RecordCodec.content(first + i, prev, s.body());
            NewLedgerEntry entry = new NewLedgerEntry(s.recordedAt(), s.tenantId(), s.subjectKey(), content,
                MerkleHashes.leafHash(content), s.details());
            entries.add(entry);
            prev = entry.leafHash();
          }
          return entries;
        });
        moved += batch;
      } while (batch == MAX_BATCH);
      return moved;
    } finally {
      sequenceLock.unlock();
    }
  }

  /**
   * Records processing in its own unit of work. Concurrent callers are batched into one append.
   *
   * @param record what was done
   * @return the record as stored
   * @throws NeuraSeaException {@code INVALID_ARGUMENT} as for {@link #record(Stores, ProcessingRecord)};
   *     {@code UNAVAILABLE} when the store cannot be reached (nothing is recorded)
   */
  public LedgerRecord record(ProcessingRecord record) {
    Pending pending = new Pending(prepare(record, ""));
    queueLock.lock();
    try {
      queue.add(pending);
      while (!pending.done) {
        if (flushing) {
          flushed.awaitUninterruptibly();
          continue;
        }
        flushing = true;
        List<Pending> batch = new ArrayList<>();
        while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
          batch.add(queue.poll());
        }
        queueLock.unlock();
        try {
          appendBatch(batch);
        } finally {
          queueLock.lock();
          flushing = false;
          flushed.signalAll();
        }
      }
    } finally {
      queueLock.unlock();
    }
    if (pending.error != null) {
      throw pending.error;
    }
    return pending.result;
  }

  /**
   * Records several processings in one append, in order, all or none.
   *
   * @param records what was done
   * @return the records as stored
   * @throws NeuraSeaException {@code INVALID_ARGUMENT} naming {@code records[i].field} for the
   *     first bad record; nothing is recorded then
   */
  public List<LedgerRecord> recordAll(List<ProcessingRecord> records) {
    if (records == null) {
      throw NeuraSeaException.invalid("records", "is required");
    }
    List<Pending> batch = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      batch.add(new Pending(prepare(records.get(i), "records[" + i + "].")));
    }
    appendBatch(batch);
    List<LedgerRecord> stored = new ArrayList<>();
    for (Pending pending : batch) {
      if (pending.error != null) {
        throw pending.error;
      }
      stored.add(pending.result);
    }
    return stored;
  }

  private void appendBatch(List<Pending> batch) {
    if (batch.isEmpty()) {
      return;
    }
    List<NewLedgerEntry> built = new ArrayList<>();
    try {
      long first = storage.ledger().append((firstIndex, previous) -> {
        built.clear();
        byte[] prev = previous;
        for (int i = 0; i < batch.size(); i++) {
          NewLedgerEntry entry = batch.get(i).prepared.entry(firstIndex + i, prev);
          built.add(entry);
          prev = entry.leafHash();
        }
        return built;
      });
      for (int i = 0; i < batch.size(); i++) {
        NewLedgerEntry entry = built.get(i);
        batch.get(i).complete(batch.get(i).prepared.stored(first + i, entry.leafHash()), null);
      }
    } catch (NeuraSeaException e) {
      batch.forEach(p -> p.complete(null, e));
    } catch (RuntimeException e) {
      NeuraSeaException failure = new NeuraSeaException(ErrorCode.INTERNAL, "recording in the privacy ledger failed",
          List.of(), e);
      batch.forEach(p -> p.complete(null, failure));
    }
  }

  private static final class Pending {
    final Prepared prepared;
    boolean done;
    LedgerRecord result;
    NeuraSeaException error;

    Pending(Prepared prepared) {
      this.prepared = prepared;
    }

    void complete(LedgerRecord result, NeuraSeaException error) {
      this.result = result;
      this.error = error;
      this.done = true;
    }
  }

  /** A validated record, waiting for its position. */
  private record Prepared(Instant at, ProcessingKind kind, TenantId tenantId, String subjectKey, String actor,
      String module, List<String> categories, String purpose, String basis, String recipient, String ground,
      Boolean consent, String reference, List<String> detailCategories, String details) {
    String body() {
      return RecordCodec.body(new RecordCodec.Fields(0, null, at, kind, tenantId, subjectKey, actor, module,
          categories, purpose, basis, recipient, ground, consent, reference, detailCategories));
    }

    /** The record as stored at an index, without parsing back what was just encoded. */
    LedgerRecord stored(long index, byte[] leafHash) {
      return new LedgerRecord(index, at, kind, tenantId, subjectKey, actor, module, categories, purpose, basis,
          recipient, ground, consent, reference, detailCategories, RecordCodec.decodeDetails(details),
          HEX.formatHex(leafHash));
    }

    NewLedgerEntry entry(long index, byte[] previous) {
      byte[] content = RecordCodec.content(index, previous, body());
      return new NewLedgerEntry(at, tenantId, subjectKey, content, MerkleHashes.leafHash(content), details);
    }
  }

  private Prepared prepare(ProcessingRecord record, String prefix) {
    if (record == null) {
      throw NeuraSeaException.invalid(prefix.isEmpty() ? "record" : prefix.substring(0, prefix.length() - 1),
          "is required");
    }
    List<FieldError> errors = new ArrayList<>();
    if (record.kind() == null) {
      errors.add(new FieldError(prefix + "kind", "is required"));
    }
    if (record.module() == null || !MODULE.matcher(record.module()).matches()) {
      errors.add(new FieldError(prefix + "module", "must be 1 to 40 lower-case letters, digits, '_' or '-'"));
    }
    if (record.categories().isEmpty()) {
      errors.add(new FieldError(prefix + "categories", "must name at least one category"));
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < record.categories().size(); i++) {
      String category = record.categories().get(i);
      checkTerm(TermKind.CATEGORY, category, prefix + "categories[" + i + "]", errors);
      if (category != null && !seen.add(category)) {
        errors.add(new FieldError(prefix + "categories[" + i + "]", "'" + category + "' is named twice"));
      }
    }
    checkTerm(TermKind.PURPOSE, record.purpose(), prefix + "purpose", errors);
    checkTerm(TermKind.BASIS, record.legalBasis(), prefix + "legalBasis", errors);
    if (record.kind() == ProcessingKind.DISCLOSURE) {
      checkTerm(TermKind.RECIPIENT, record.recipient(), prefix + "recipient", errors);
      checkTerm(TermKind.GROUND, record.ground(), prefix + "ground", errors);
      if (record.separateConsent() == null) {
        errors.add(new FieldError(prefix + "separateConsent", "is required for a disclosure"));
      }
    } else {
      for (String[] field : new String[][] {{"recipient", record.recipient()}, {"ground", record.ground()},
          {"separateConsent", record.separateConsent() == null ? null : "x"}}) {
        if (field[1] != null) {
          errors.add(new FieldError(prefix + field[0], "is only recorded for a DISCLOSURE"));
        }
      }
    }
    if (record.reference() != null && !REFERENCE.matcher(record.reference()).matches()) {
      errors.add(new FieldError(prefix + "reference",
          "must be 1 to 200 letters, digits or _.:/#- (a non-personal reference)"));
    }
    if (!record.details().isEmpty() && record.subject() == null) {
      errors.add(new FieldError(prefix + "details", "need a subject, since details are erased by subject"));
    }
    record.details().forEach((category, value) -> {
      if (!record.categories().contains(category)) {
        errors.add(new FieldError(prefix + "details." + category, "is not one of the record's categories"));
      } else if (value == null || value.isEmpty() || value.length() > MAX_DETAIL_CHARS) {
        errors.add(new FieldError(prefix + "details." + category, "must be 1 to " + MAX_DETAIL_CHARS
            + " characters"));
      }
    });
    if (!errors.isEmpty()) {
      throw new NeuraSeaException(ErrorCode.INVALID_ARGUMENT, "the processing record is invalid: "
          + errors.get(0).field() + " " + errors.get(0).message(), errors, null);
    }
    String details = record.details().isEmpty() ? null : RecordCodec.encodeDetails(record.details());
    if (details != null && details.length() > NewLedgerEntry.MAX_DETAILS_CHARS) {
      throw NeuraSeaException.invalid(prefix + "details", "are too long together");
    }
    return new Prepared(Times.now(clock), record.kind(), record.tenantId(),
        record.subject() == null ? null : subjectKey(record.subject()), actor(record.actor()), record.module(),
        record.categories(), record.purpose(), record.legalBasis(), record.recipient(), record.ground(),
        record.separateConsent(), record.reference(), List.copyOf(record.details().keySet()), details);
  }

  private void checkTerm(TermKind kind, String key, String field, List<FieldError> errors) {
    if (key == null || key.isEmpty()) {
      errors.add(new FieldError(field, "is required"));
    } else if (taxonomy.find(kind, key).isEmpty()) {
      String shown = key.length() > 80 ? key.substring(0, 80) + "…" : key;
      errors.add(new FieldError(field, "'" + shown + "' is not a " + kind.word() + " of the privacy taxonomy"));
    }
  }

  private String actor(Principal actor) {
    if (actor == null || actor.userId() == null) {
      return "system";
    }
    return switch (actor.kind()) {
      case USER -> "user:" + subjectKey(actor.userId());
      case API_TOKEN -> "token:" + subjectKey(actor.userId());
      case SYSTEM -> "system";
    };
  }

  // ---------------------------------------------------------------- reading

  /**
   * The records about one person, oldest first: the person's own, every record for a platform
   * administrator, and the records made in the caller's tenant for a member's tenant administrator
   * ({@code ledger:read}).
   *
   * @param caller who asks
   * @param subject the person
   * @param fromIndex the first ledger index to consider
   * @param limit at most this many records
   * @return the records, with their erasable details unless erased
   * @throws NeuraSeaException {@code NOT_FOUND} for a person who is neither the caller nor a member
   *     of the caller's tenant; {@code PERMISSION_DENIED} without {@code ledger:read}
   */
  public List<LedgerRecord> recordsOf(Caller caller, UserId subject, long fromIndex, int limit) {
    Objects.requireNonNull(caller, "caller");
    if (subject == null) {
      throw NeuraSeaException.invalid("userId", "must not be null");
    }
    checkPage(fromIndex, limit);
    sequence();
    TenantId onlyTenant = null;
    boolean self = subject.equals(caller.principal().userId());
    if (!self && !permissions.check(Caller.platform(caller.principal()), Permissions.PLATFORM_LEDGER_READ,
        Scope.platform())) {
      TenantId tenant = caller.tenantId();
      if (tenant == null || storage.tenancy().findMembership(tenant, subject).isEmpty()) {
        throw NeuraSeaException.notFound("user");
      }
      permissions.require(caller, Permissions.LEDGER_READ, Scope.tenant());
      onlyTenant = tenant;
    }
    List<LedgerRecord> records = new ArrayList<>();
    String key = subjectKey(subject);
    long from = fromIndex;
    while (records.size() < limit) {
      // A tenant administrator sees only the tenant's records: keep reading past the others.
      List<LedgerEntry> page = storage.ledger().entriesOfSubject(key, from, limit);
      for (LedgerEntry entry : page) {
        if ((onlyTenant == null || onlyTenant.equals(entry.tenantId())) && records.size() < limit) {
          records.add(decode(entry));
        }
      }
      if (page.size() < limit) {
        break;
      }
      from = page.get(page.size() - 1).index() + 1;
    }
    return records;
  }

  /**
   * Records in index order, whoever they concern; a platform operation ({@code platform:ledger:read}).
   *
   * @param caller who asks
   * @param fromIndex the first index
   * @param limit at most this many records
   * @return the records
   */
  public List<LedgerRecord> records(Caller caller, long fromIndex, int limit) {
    requirePlatformRead(caller);
    checkPage(fromIndex, limit);
    sequence();
    return storage.ledger().read(fromIndex, limit).stream().map(this::decode).toList();
  }

  /** The number of entries in the ledger. */
  public long size() {
    sequence();
    return storage.ledger().size();
  }

  private void requirePlatformRead(Caller caller) {
    Objects.requireNonNull(caller, "caller");
    permissions.require(Caller.platform(caller.principal()), Permissions.PLATFORM_LEDGER_READ, Scope.platform());
  }

  private static void checkPage(long fromIndex, int limit) {
    if (fromIndex < 0) {
      throw NeuraSeaException.invalid("fromIndex", "must be 0 or more");
    }
    if (limit < 1 || limit > 1000) {
      throw NeuraSeaException.invalid("limit", "must be 1 to 1000");
    }
  }

  /** Decodes a stored entry; for the ledger's own contributor. */
  LedgerRecord decodeEntry(LedgerEntry entry) {
    return decode(entry);
  }

  private LedgerRecord decode(LedgerEntry entry) {
    RecordCodec.Fields f;
    try {
      f = RecordCodec.decode(entry.content());
    } catch (IllegalArgumentException e) {
      throw new NeuraSeaException(ErrorCode.INTERNAL, "ledger entry " + entry.index()
          + " is not a processing record; run verify()", List.of(), e);
    }
    return new LedgerRecord(entry.index(), entry.recordedAt(), f.kind(), f.tenantId(), f.subjectKey(), f.actor(),
        f.module(), f.categories(), f.purpose(), f.legalBasis(), f.recipient(), f.ground(), f.separateConsent(),
        f.reference(), f.detailCategories(), RecordCodec.decodeDetails(entry.details()),
        HEX.formatHex(entry.leafHash()));
  }

  /**
   * The records of processing activities (GDPR Art. 30(1)) from the taxonomy and every ledger
   * record; a platform operation ({@code platform:ledger:read}). Reads the whole ledger.
   *
   * @param caller who asks
   * @return the report, with {@link ProcessingActivities#toJson()} and {@link ProcessingActivities#toText()}
   */
  public ProcessingActivities processingActivities(Caller caller) {
    requirePlatformRead(caller);
    sequence();
    ActivitiesReport report = new ActivitiesReport(taxonomy);
    LedgerStore store = storage.ledger();
    long next = 0;
    while (true) {
      List<LedgerEntry> page = store.read(next, READ_PAGE);
      for (LedgerEntry entry : page) {
        try {
          report.add(RecordCodec.decode(entry.content()));
        } catch (IllegalArgumentException e) {
          throw new NeuraSeaException(ErrorCode.INTERNAL, "ledger entry " + entry.index()
              + " is not a processing record; run verify()", List.of(), e);
        }
      }
      if (page.size() < READ_PAGE) {
        break;
      }
      next += page.size();
    }
    return report.build(Times.now(clock));
  }

  // ---------------------------------------------------------------- checkpoints and proofs

  /** The public key that verifies this ledger's checkpoints. */
  public PublicKey publicKey() {
    return signingKeys.getPublic();
  }

  /** The public key in the offline verifier's text form ({@code ed25519 <base64>}). */
  public String publicKeyText() {
    return Ed25519Keys.formatPublicKey(signingKeys.getPublic());
  }

  /**
   * Signs a checkpoint of the ledger as it is now, unless the latest stored checkpoint already
   * covers every entry, in which case that one is returned. Before signing it checks that the
   * entries, as this instance read them, still produce the latest checkpoint's root, so a log
   * tampered with before this instance read it never gets a fresh signature (entries this instance
   * read before they were tampered with are signed as they were read, which {@link #verify(Caller)} then
   * holds against the tampered rows). Safe to call from several hosts at once.
   *
   * @param caller who asks: the platform itself, or a holder of {@code platform:ledger:read}
   * @return the latest checkpoint
   * @throws NeuraSeaException {@code FAILED_PRECONDITION} when the stored entries no longer match
   *     the latest checkpoint
   */
  public SignedCheckpoint checkpoint(Caller caller) {
    requirePlatformRead(caller);
    return checkpoint();
  }

  private SignedCheckpoint checkpoint() {
    LedgerStore store = storage.ledger();
    sequence();
    synchronized (treeLock) {
      long size = tree.sync();
      Optional<StoredCheckpoint> latest = store.latestCheckpoint();
      if (latest.isPresent() && latest.get().size() >= size) {
        return SignedCheckpoint.parse(latest.get().signedText());
      }
      if (latest.isPresent()) {
        byte[] expected = latest.get().root();
        if (!Arrays.equals(MerkleTree.root(tree, latest.get().size()), expected)) {
          throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "the ledger's entries no longer match its "
              + "checkpoint at size " + latest.get().size() + "; run verify() to find the first bad entry");
        }
      }
      byte[] root = MerkleTree.root(tree, size);
      Instant now = Times.now(clock);
      SignedCheckpoint signed = SignedCheckpoint.sign(new Checkpoint(ORIGIN, size, root, now.toEpochMilli()),
          signingKeys);
      try {
        store.saveCheckpoint(new StoredCheckpoint(size, root, now, keyId, signed.serialize()));
        return signed;
      } catch (NeuraSeaException e) {
        if (e.code() != ErrorCode.CONFLICT) {
          throw e;
        }
        // Another host signed this size first; its checkpoint stands.
        return store.checkpoints(size, 1).stream().filter(c -> c.size() == size).findFirst()
            .map(c -> SignedCheckpoint.parse(c.signedText())).orElseThrow(() -> e);
      }
    }
  }

  /** The latest stored checkpoint, if any. */
  public Optional<SignedCheckpoint> latestCheckpoint() {
    return storage.ledger().latestCheckpoint().map(c -> SignedCheckpoint.parse(c.signedText()));
  }

  /**
   * Stored checkpoints from a size on, oldest first.
   *
   * @param fromSize the smallest size
   * @param limit at most this many, 1 to 1000
   * @return the checkpoints
   */
  public List<SignedCheckpoint> checkpoints(long fromSize, int limit) {
    if (fromSize < 0) {
      throw NeuraSeaException.invalid("fromSize", "must be 0 or more");
    }
    if (limit < 1 || limit > 1000) {
      throw NeuraSeaException.invalid("limit", "must be 1 to 1000");
    }
    return storage.ledger().checkpoints(fromSize, limit).stream().map(c -> SignedCheckpoint.parse(c.signedText()))
        .toList();
  }

  /**
   * Proves that an entry is in the ledger, against the latest checkpoint (signing a new one when
   * none covers the entry yet).
   *
   * @param index the entry's index
   * @return the proof
   * @throws NeuraSeaException {@code INVALID_ARGUMENT} naming {@code index} when it is negative;
   *     {@code NOT_FOUND} when there is no such entry
   */
  public InclusionProof proveInclusion(long index) {
    if (index < 0) {
      throw NeuraSeaException.invalid("index", "must be 0 or more");
    }
    SignedCheckpoint checkpoint = latestCheckpoint().filter(c -> c.checkpoint().size() > index)
        .orElseGet(this::checkpoint);
    long size = checkpoint.checkpoint().size();
    if (index >= size) {
      throw NeuraSeaException.notFound("ledger entry");
    }
    synchronized (treeLock) {
      tree.sync();
      List<byte[]> path = MerkleTree.inclusionProof(tree, index, size);
      return new InclusionProof(index, HEX.formatHex(tree.leafHash(index)), size,
          path.stream().map(HEX::formatHex).toList(), checkpoint);
    }
  }

  /**
   * Proves that the ledger at {@code newSize} extends the ledger at {@code oldSize}.
   *
   * @param oldSize the older size
   * @param newSize the newer size, at most the latest checkpoint's size
   * @return the proof
   * @throws NeuraSeaException {@code INVALID_ARGUMENT} naming {@code oldSize} or {@code newSize}
   *     when they are negative, out of order or beyond the latest checkpoint
   */
  public ConsistencyProof proveConsistency(long oldSize, long newSize) {
    long signedSize = latestCheckpoint().map(c -> c.checkpoint().size()).orElse(0L);
    if (oldSize < 0 || oldSize > newSize) {
      throw NeuraSeaException.invalid("oldSize", "must be 0 to newSize");
    }
    if (newSize > signedSize) {
      throw NeuraSeaException.invalid("newSize", "must be at most the latest checkpoint's size, " + signedSize);
    }
    synchronized (treeLock) {
      tree.sync();
      List<byte[]> path = MerkleTree.consistencyProof(tree, oldSize, newSize);
      return new ConsistencyProof(oldSize, HEX.formatHex(MerkleTree.root(tree, oldSize)), newSize,
          HEX.formatHex(MerkleTree.root(tree, newSize)), path.stream().map(HEX::formatHex).toList());
    }
  }

  /**
   * Every stored checkpoint with the consistency proof from the one before it, in the offline
   * verifier's format; a platform operation ({@code platform:ledger:read}).
   *
   * @param caller who asks
   * @return the export text
   */
  public String exportCheckpoints(Caller caller) {
    requirePlatformRead(caller);
    List<SignedCheckpoint> all = new ArrayList<>();
    long from = 0;
    while (true) {
      List<StoredCheckpoint> page = storage.ledger().checkpoints(from, 1000);
      page.forEach(c -> all.add(SignedCheckpoint.parse(c.signedText())));
      if (page.size() < 1000) {
        break;
      }
      from = page.get(page.size() - 1).size() + 1;
    }
    synchronized (treeLock) {
      tree.sync();
      return CheckpointExport.fromLog(all, tree).format();
    }
  }

  /**
   * Writes every entry's content in the offline verifier's entry format, so an auditor can
   * recompute the roots; a platform operation ({@code platform:ledger:read}). Entries hold no raw
   * personal data; details are not exported.
   *
   * @param caller who asks
   * @param out where to write
   */
  public void exportEntries(Caller caller, Writer out) {
    requirePlatformRead(caller);
    sequence();
    Iterable<byte[]> contents = () -> new Iterator<>() {
      private final LedgerStore store = storage.ledger();
      private List<LedgerEntry> page = List.of();
      private int position;
      private long next;
      private boolean exhausted;

      @Override
      public boolean hasNext() {
        if (position < page.size()) {
          return true;
        }
        if (exhausted) {
          return false;
        }
        page = store.read(next, READ_PAGE);
        position = 0;
        next += page.size();
        exhausted = page.size() < READ_PAGE;
        return !page.isEmpty();
      }

      @Override
      public byte[] next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return page.get(position++).content();
      }
    };
    try {
      EntryExport.write(out, contents);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------- verification

  /**
   * Reads the whole stored ledger and checks it: every index present, every leaf hash the hash of
   * its content, every entry at the position it commits to and linked to its predecessor, every
   * row's columns equal to its hashed content, and every checkpoint's signature and root. Stops at
   * the first problem.
   *
   * @param caller who asks: the platform itself, or a holder of {@code platform:ledger:read}
   * @return the report, naming the first bad entry when there is one
   */
  public VerificationReport verify(Caller caller) {
    requirePlatformRead(caller);
    sequence();
    LedgerStore store = storage.ledger();
    CompactRange range = new CompactRange();
    CheckpointCursor checkpoints = new CheckpointCursor(store);
    long[] checkpointsChecked = {0};
    long[] lastGoodCheckpoint = {0};
    byte[] previous = null;
    long expected = 0;
    while (true) {
      List<LedgerEntry> page = store.read(expected, READ_PAGE);
      for (LedgerEntry entry : page) {
        VerificationReport bad = checkDueCheckpoints(checkpoints, expected, range, checkpointsChecked,
            lastGoodCheckpoint);
        if (bad == null) {
          bad = checkEntry(entry, expected, previous, expected, checkpointsChecked[0]);
        }
        if (bad != null) {
          return bad;
        }
        range.append(entry.leafHash());
        previous = entry.leafHash();
        expected++;
      }
      if (page.size() < READ_PAGE) {
        break;
      }
    }
    VerificationReport bad = checkDueCheckpoints(checkpoints, expected, range, checkpointsChecked,
        lastGoodCheckpoint);
    if (bad != null) {
      return bad;
    }
    long checked = expected;
    long total = store.size();
    if (total > expected) {
      // read() stopped at a gap: the entry at `expected` is missing.
      return new VerificationReport(checked, checkpointsChecked[0], expected, Problem.MISSING_ENTRY,
          "entry " + expected + " is missing (the ledger has entries up to " + (total - 1) + ")");
    }
    StoredCheckpoint beyond = checkpoints.peek();
    if (beyond != null) {
      return new VerificationReport(checked, checkpointsChecked[0], expected, Problem.MISSING_ENTRY,
          "the checkpoint at size " + beyond.size() + " covers entries the ledger no longer has, from " + expected);
    }
    return new VerificationReport(checked, checkpointsChecked[0], -1, null, null);
  }

  /** Checks the checkpoints that cover exactly the {@code size} entries read so far. */
  private VerificationReport checkDueCheckpoints(CheckpointCursor checkpoints, long size, CompactRange range,
      long[] checkedCount, long[] lastGood) {
    while (checkpoints.dueAt(size)) {
      StoredCheckpoint checkpoint = checkpoints.poll();
      VerificationReport bad = checkCheckpoint(checkpoint, range.root(), size, checkedCount[0], lastGood[0]);
      if (bad != null) {
        return bad;
      }
      checkedCount[0]++;
      lastGood[0] = checkpoint.size();
    }
    return null;
  }

  /** The stored checkpoints in increasing size, read a page at a time. */
  private static final class CheckpointCursor {
    private static final int PAGE = 1000;
    private final LedgerStore store;
    private final ArrayDeque<StoredCheckpoint> page = new ArrayDeque<>();
    private long nextSize;
    private boolean exhausted;

    CheckpointCursor(LedgerStore store) {
      this.store = store;
    }

    /** The next checkpoint, or null when there are no more. */
    StoredCheckpoint peek() {
      if (page.isEmpty() && !exhausted) {
        List<StoredCheckpoint> read = store.checkpoints(nextSize, PAGE);
        page.addAll(read);
        exhausted = read.size() < PAGE;
        if (!read.isEmpty()) {
          nextSize = read.get(read.size() - 1).size() + 1;
        }
      }
      return page.peek();
    }

    StoredCheckpoint poll() {
      peek();
      return page.poll();
    }

    /** Whether the next checkpoint covers exactly {@code size} entries. */
    boolean dueAt(long size) {
      StoredCheckpoint next = peek();
      return next != null && next.size() == size;
    }
  }

  private VerificationReport checkEntry(LedgerEntry entry, long expected, byte[] previous, long checked,
      long checkpointsChecked) {
    if (entry.index() != expected) {
      return new VerificationReport(checked, checkpointsChecked, expected, Problem.MISSING_ENTRY,
          "entry " + expected + " is missing; the next stored entry is " + entry.index());
    }
    byte[] content = entry.content();
    if (!Arrays.equals(MerkleHashes.leafHash(content), entry.leafHash())) {
      return new VerificationReport(checked, checkpointsChecked, expected, Problem.HASH_MISMATCH,
          "entry " + expected + "'s content does not hash to its stored leaf hash");
    }
    RecordCodec.Fields fields;
    try {
      fields = RecordCodec.decode(content);
    } catch (IllegalArgumentException e) {
      return new VerificationReport(checked, checkpointsChecked, expected, Problem.MALFORMED_ENTRY,
          "entry " + expected + " is not a processing record: " + e.getMessage());
    }
    if (fields.index() != expected) {
      // An entry that names an earlier index follows an inserted one: the insertion is the first bad
      // entry. One that names a later index stands where another was deleted or moved away.
      long bad = Math.min(expected, fields.index());
      return new VerificationReport(checked, checkpointsChecked, bad, Problem.WRONG_POSITION,
          "the entry stored at " + expected + " was recorded at index " + fields.index());
    }
    if (!Arrays.equals(fields.previous(), previous)) {
      long bad = Math.max(0, expected - 1);
      return new VerificationReport(checked, checkpointsChecked, bad, Problem.BROKEN_LINK,
          "entry " + expected + " follows a different entry than the stored entry " + bad);
    }
    if (!Objects.equals(fields.tenantId(), entry.tenantId()) || !Objects.equals(fields.subjectKey(),
        entry.subjectKey()) || !fields.at().equals(entry.recordedAt())) {
      return new VerificationReport(checked, checkpointsChecked, expected, Problem.COLUMN_MISMATCH,
          "entry " + expected + "'s tenant, subject or time columns differ from its hashed content");
    }
    return null;
  }

  private VerificationReport checkCheckpoint(StoredCheckpoint stored, byte[] root, long checked,
      long checkpointsChecked, long lastGood) {
    SignedCheckpoint signed;
    try {
      signed = SignedCheckpoint.parse(stored.signedText());
      if (!signed.keyId().equals(keyId)) {
        throw new IllegalArgumentException("signed by unknown key " + signed.keyId());
      }
      signed.verify(signingKeys.getPublic());
    } catch (Exception e) {
      return new VerificationReport(checked, checkpointsChecked, lastGood, Problem.BAD_SIGNATURE,
          "the checkpoint at size " + stored.size() + " does not verify: " + e.getMessage());
    }
    if (signed.checkpoint().size() != stored.size() || !Arrays.equals(signed.checkpoint().root(), stored.root())
        || !Arrays.equals(root, stored.root())) {
      return new VerificationReport(checked, checkpointsChecked, lastGood, Problem.ROOT_MISMATCH,
          "the entries do not produce the signed root of the checkpoint at size " + stored.size()
              + "; an entry from index " + lastGood + " on was changed");
    }
    return null;
  }
}
