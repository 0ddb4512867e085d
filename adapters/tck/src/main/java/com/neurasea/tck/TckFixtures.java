package com.neurasea.tck;

import com.neurasea.model.AccountRef;
import com.neurasea.model.AccountStatus;
import com.neurasea.model.ApiToken;
import com.neurasea.model.BindingId;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.Group;
import com.neurasea.model.GroupId;
import com.neurasea.model.HoldId;
import com.neurasea.model.LegalHold;
import com.neurasea.model.LoginMethod;
import com.neurasea.model.Membership;
import com.neurasea.model.ModelPrice;
import com.neurasea.model.PolicyAcknowledgment;
import com.neurasea.model.PolicyVersion;
import com.neurasea.model.PriceId;
import com.neurasea.model.QuotaAccount;
import com.neurasea.model.QuotaLimits;
import com.neurasea.model.RequestId;
import com.neurasea.model.RequestStatus;
import com.neurasea.model.RequestType;
import com.neurasea.model.Role;
import com.neurasea.model.RoleBinding;
import com.neurasea.model.RoleId;
import com.neurasea.model.Scope;
import com.neurasea.model.Subject;
import com.neurasea.model.SubjectRequest;
import com.neurasea.model.Tenant;
import com.neurasea.model.TenantId;
import com.neurasea.model.TenantStatus;
import com.neurasea.model.TokenId;
import com.neurasea.model.UsageRecord;
import com.neurasea.model.UsageStatus;
import com.neurasea.model.User;
import com.neurasea.model.UserId;
import com.neurasea.spi.NewLedgerEntry;
import com.neurasea.spi.StagedLedgerRecord;
import com.neurasea.spi.StoredCheckpoint;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test data for the storage contracts, public so adapter authors can reuse it in their own tests.
 *
 * <p>Every factory returns a new, valid record with random identifiers ({@code tnt_}, {@code usr_},
 * {@code grp_}, {@code rol_}, {@code rbd_}, {@code tok_}, {@code dsr_}, {@code hld_}, {@code prc_},
 * {@code req_} followed by random lowercase alphanumerics)
 * and instants of millisecond precision taken from {@link #nextInstant()}, so records created one after
 * another are ordered by creation time. Safe to call from several threads.
 */
public final class TckFixtures {
  private static final String ALPHANUMERICS = "abcdefghijklmnopqrstuvwxyz0123456789";
  private static final int RANDOM_LENGTH = 24;
  // 2025-01-01T00:00:00.123Z: a non-zero millisecond part shows whether a store drops it.
  private static final long FIRST_INSTANT_MILLIS = 1_735_689_600_123L;
  // A step with a millisecond part keeps every instant's milliseconds distinct from its neighbours'.
  private static final long STEP_MILLIS = 1_001L;
  private static final AtomicLong CLOCK = new AtomicLong(FIRST_INSTANT_MILLIS);
  private static final SecureRandom RANDOM = new SecureRandom();

  private TckFixtures() {}

  /** An instant of millisecond precision, later than every instant this class returned before. */
  public static Instant nextInstant() {
    return Instant.ofEpochMilli(CLOCK.getAndAdd(STEP_MILLIS));
  }

  /** A random identifier value: the prefix followed by 24 random lowercase letters and digits. */
  public static String randomId(String prefix) {
    return prefix + randomAlphanumerics(RANDOM_LENGTH);
  }

  /** A random, valid tenant slug. */
  public static String slug() {
    return "t-" + randomAlphanumerics(12);
  }

  /** A random, valid username. */
  public static String username() {
    return "user-" + randomAlphanumerics(12);
  }

  /** An active tenant with a random slug in the UTC time zone. */
  public static Tenant tenant() {
    return tenant(slug());
  }

  /** An active tenant with the given slug in the UTC time zone. */
  public static Tenant tenant(String slug) {
    Instant at = nextInstant();
    return new Tenant(new TenantId(randomId(TenantId.PREFIX)), slug, "Tenant " + slug, TenantStatus.ACTIVE, "UTC",
        at, at);
  }

  /** An active password user with a random username. */
  public static User user() {
    return user(username());
  }

  /** An active password user with the given username, a display name and an unverified e-mail address. */
  public static User user(String username) {
    Instant at = nextInstant();
    return new User(new UserId(randomId(UserId.PREFIX)), username, "Display " + username,
        username.toLowerCase(Locale.ROOT) + "@example.com", null, LoginMethod.PASSWORD, null, null,
        AccountStatus.ACTIVE, at, at);
  }

  /** The user's membership of the tenant, joined now. */
  public static Membership membership(Tenant tenant, User user) {
    return new Membership(tenant.id(), user.id(), nextInstant());
  }

  /** A top-level group of the tenant. */
  public static Group group(Tenant tenant, String name) {
    return new Group(new GroupId(randomId(GroupId.PREFIX)), tenant.id(), name, null, nextInstant());
  }

  /** A child group of {@code parent} in the tenant. */
  public static Group group(Tenant tenant, String name, Group parent) {
    return new Group(new GroupId(randomId(GroupId.PREFIX)), tenant.id(), name, parent.id(), nextInstant());
  }

  /** A custom role of the tenant granting the given permission patterns. */
  public static Role customRole(Tenant tenant, String name, String... permissions) {
    return new Role(new RoleId(randomId(RoleId.PREFIX)), tenant.id(), name, "Custom role " + name,
        Set.of(permissions), false, nextInstant());
  }

  /** Every built-in role as the library defines it. */
  public static List<Role> builtInRoles() {
    return Arrays.stream(BuiltInRole.values()).map(BuiltInRole::toRole).toList();
  }

  /** A binding of the role to the subject at a tenant or group scope of the tenant. */
  public static RoleBinding binding(Tenant tenant, Subject subject, RoleId roleId, Scope scope) {
    return new RoleBinding(new BindingId(randomId(BindingId.PREFIX)), tenant.id(), subject, roleId, scope,
        nextInstant());
  }

  /** A binding of the role to the user for the whole tenant. */
  public static RoleBinding userBinding(Tenant tenant, User user, RoleId roleId) {
    return binding(tenant, Subject.user(user.id()), roleId, Scope.tenant());
  }

  /** A binding of the role to the group's members for the whole tenant. */
  public static RoleBinding groupBinding(Tenant tenant, Group group, RoleId roleId) {
    return binding(tenant, Subject.group(group.id()), roleId, Scope.tenant());
  }

  /** A platform-scope binding of the role to the user. */
  public static RoleBinding platformBinding(User user, RoleId roleId) {
    return new RoleBinding(new BindingId(randomId(BindingId.PREFIX)), null, Subject.user(user.id()), roleId,
        Scope.platform(), nextInstant());
  }

  /** A fresh token of the user in the tenant: never expiring, not revoked, never used, no allow lists. */
  public static ApiToken token(Tenant tenant, User user) {
    return token(tenant, user, "token " + randomAlphanumerics(6));
  }

  /** A fresh named token of the user in the tenant: never expiring, not revoked, never used, no allow lists. */
  public static ApiToken token(Tenant tenant, User user, String name) {
    return new ApiToken(new TokenId(randomId(TokenId.PREFIX)), tenant.id(), user.id(), name,
        "nsk_" + randomAlphanumerics(4), nextInstant(), null, null, null, List.of(), List.of());
  }

  /** 32 random bytes standing in for the keyed hash of a token secret. */
  public static byte[] secretHash() {
    byte[] hash = new byte[32];
    RANDOM.nextBytes(hash);
    return hash;
  }

  /**
   * A ledger entry recorded now with random content of the given length and its RFC 6962 leaf hash.
   *
   * @param tenantId the tenant, or null for platform level
   * @param subjectKey the pseudonymous subject key, or null
   * @param contentLength 1 to 65536
   * @return the entry
   */
  public static NewLedgerEntry ledgerEntry(TenantId tenantId, String subjectKey, int contentLength) {
    byte[] content = new byte[contentLength];
    RANDOM.nextBytes(content);
    return ledgerEntry(tenantId, subjectKey, content);
  }

  /** A ledger entry recorded now with the given content and its RFC 6962 leaf hash. */
  public static NewLedgerEntry ledgerEntry(TenantId tenantId, String subjectKey, byte[] content) {
    return new NewLedgerEntry(nextInstant(), tenantId, subjectKey, content, leafHash(content));
  }

  /** The ledger entry a staged record becomes when its body is taken as the content verbatim. */
  public static NewLedgerEntry entryOf(StagedLedgerRecord staged) {
    byte[] content = staged.body().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return new NewLedgerEntry(staged.recordedAt(), staged.tenantId(), staged.subjectKey(), content, leafHash(content),
        staged.details());
  }

  /** A platform-level ledger entry of no subject recorded now, with 64 random bytes of content. */
  public static NewLedgerEntry ledgerEntry() {
    return ledgerEntry(null, null, 64);
  }

  /** The RFC 6962 leaf hash of the content: SHA-256 of a zero byte followed by the content. */
  public static byte[] leafHash(byte[] content) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update((byte) 0);
      return sha256.digest(content);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing", e);
    }
  }

  /** Work done by one of the threads of {@link #concurrently}. */
  @FunctionalInterface
  public interface ThreadWork {
    /**
     * Does the work.
     *
     * @param thread the thread's number, from 0
     * @throws Exception to fail the test
     */
    void run(int thread) throws Exception;
  }

  /**
   * Runs the same work on several threads started at once and waits for all of them; the first
   * failure fails the caller.
   *
   * @param threads how many threads
   * @param work what each does
   * @throws Exception the first failure, or a timeout after two minutes
   */
  public static void concurrently(int threads, ThreadWork work) throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
    try {
      List<java.util.concurrent.Future<?>> workers = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        workers.add(pool.submit(() -> {
          start.await();
          work.run(thread);
          return null;
        }));
      }
      start.countDown();
      for (java.util.concurrent.Future<?> worker : workers) {
        try {
          worker.get(2, java.util.concurrent.TimeUnit.MINUTES);
        } catch (java.util.concurrent.ExecutionException e) {
          throw e.getCause() instanceof Exception cause ? cause : e;
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** A random pseudonymous subject key. */
  public static String subjectKey() {
    return "subj_" + randomAlphanumerics(RANDOM_LENGTH);
  }

  /** A checkpoint of the given size with a random root, signed now by key {@code key-1}. */
  public static StoredCheckpoint checkpoint(long size) {
    byte[] root = new byte[32];
    RANDOM.nextBytes(root);
    return new StoredCheckpoint(size, root, nextInstant(), "key-1",
        "neurasea.ledger\n" + size + "\n" + HexFormat.of().formatHex(root) + "\n\n— key-1 signature\n");
  }

  /** How long after receipt a request built here is due. */
  public static final Duration REQUEST_DEADLINE = Duration.ofDays(30);

  /**
   * A new data-subject request of the subject: received now, due {@link #REQUEST_DEADLINE} later,
   * status {@code RECEIVED}, version 0, every optional component null.
   */
  public static SubjectRequest subjectRequest(UserId userId, RequestType type) {
    Instant at = nextInstant();
    return subjectRequest(userId, type, at, at.plus(REQUEST_DEADLINE));
  }

  /** A new data-subject request of the subject as above, received and due at the given times. */
  public static SubjectRequest subjectRequest(UserId userId, RequestType type, Instant receivedAt, Instant dueAt) {
    return new SubjectRequest(new RequestId(randomId(RequestId.PREFIX)), userId, type, RequestStatus.RECEIVED, null,
        receivedAt, dueAt, null, null, null, null, null, null, null, 0, receivedAt);
  }

  /** An active legal hold of the subject placed now, covering the given categories. */
  public static LegalHold legalHold(UserId userId, String... categories) {
    return new LegalHold(new HoldId(randomId(HoldId.PREFIX)), userId, List.of(categories),
        "litigation hold " + randomAlphanumerics(6), nextInstant(), null);
  }

  /** A random, unique privacy policy version name. */
  public static String policyVersionName() {
    return "pv-" + randomAlphanumerics(12);
  }

  /** A privacy policy version with the given name, effective and published now, with a random document hash. */
  public static PolicyVersion policyVersion(String version) {
    Instant at = nextInstant();
    return policyVersion(version, at);
  }

  /** A privacy policy version with the given name effective at the given time, published now. */
  public static PolicyVersion policyVersion(String version, Instant effectiveAt) {
    byte[] document = new byte[32];
    RANDOM.nextBytes(document);
    return new PolicyVersion(version, effectiveAt, "Changes in " + version, HexFormat.of().formatHex(document),
        nextInstant());
  }

  /** The user's click-through acknowledgment of the version, now, from a documentation address. */
  public static PolicyAcknowledgment acknowledgment(UserId userId, String version) {
    return new PolicyAcknowledgment(userId, version, nextInstant(), "192.0.2.10", "click-through");
  }

  /** A new quota account (version 0) with the given limits, created now. */
  public static QuotaAccount quotaAccount(AccountRef ref, QuotaLimits limits) {
    Instant at = nextInstant();
    return new QuotaAccount(ref, limits, 0, at, at);
  }

  /** A random request id, as a caller would send. */
  public static String requestId() {
    return randomId("req_");
  }

  /**
   * A succeeded request of the user with the model, reserved and finished now, settled by host
   * {@code host-a}: 120 prompt, 80 completion and 20 cached tokens, a client IP address and user
   * agent, no token, price or error.
   *
   * @param tenantId the tenant
   * @param userId the user, or null
   * @param model the model, or null for a plain charge
   * @param cost the credits charged
   * @return the record
   */
  public static UsageRecord usageRecord(TenantId tenantId, UserId userId, String model, long cost) {
    Instant startedAt = nextInstant();
    return new UsageRecord(requestId(), tenantId, userId, null, model, model == null ? null : "channel-1", 120, 80,
        20, cost, 0, null, ModelPrice.ONE, UsageStatus.SUCCEEDED, null, 1_500, startedAt, nextInstant(),
        "192.0.2.10", "example-client/1.0", "host-a");
  }

  /** A price version of the model (platform-wide when {@code tenantId} is null) without multipliers, entered now. */
  public static ModelPrice modelPrice(TenantId tenantId, String model, Instant effectiveFrom) {
    return new ModelPrice(new PriceId(randomId(PriceId.PREFIX)), tenantId, model, effectiveFrom, 3_000_000,
        15_000_000, 300_000, 0, Map.of(), nextInstant());
  }

  private static String randomAlphanumerics(int length) {
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append(ALPHANUMERICS.charAt(RANDOM.nextInt(ALPHANUMERICS.length())));
    }
    return text.toString();
  }
}
