package com.neurasea.quota;

import static com.neurasea.Errors.assertCode;
import static com.neurasea.Errors.thrown;
import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.Backends;
import com.neurasea.TestPlatform;
import com.neurasea.model.AccountRef;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.Caller;
import com.neurasea.model.CreateGroup;
import com.neurasea.model.CreateToken;
import com.neurasea.model.DailyUsage;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.IssuedToken;
import com.neurasea.model.Meter;
import com.neurasea.model.PageRequest;
import com.neurasea.model.Principal;
import com.neurasea.model.QuotaLevel;
import com.neurasea.model.QuotaLimits;
import com.neurasea.model.ResetPeriod;
import com.neurasea.model.Tenant;
import com.neurasea.model.UsageQuery;
import com.neurasea.model.UsageRecord;
import com.neurasea.model.UsageStatus;
import com.neurasea.model.User;
import com.neurasea.permissions.AccessCacheSettings;
import com.neurasea.tck.FreshStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"sqlite", "postgres"})
class QuotaEngineTest {
  @RegisterExtension final FreshStorage fresh;
  @TempDir Path dir;
  TestPlatform t;
  QuotaEngine engine;
  QuotaService quotas;
  Tenant acme;
  User alice;
  User tadmin;
  Caller admin;
  Chain alices;

  QuotaEngineTest(String backend) {
    this.fresh = Backends.fresh(backend);
  }

  @BeforeEach
  void setUp() {
    t = new TestPlatform(fresh.storage(), dir, AccessCacheSettings.DEFAULT);
    engine = t.platform.quotaEngine();
    quotas = t.platform.quotas();
    acme = t.tenant("acme");
    alice = t.user(acme, "alice", BuiltInRole.MEMBER);
    tadmin = t.user(acme, "tadmin", BuiltInRole.TENANT_ADMIN);
    admin = TestPlatform.as(tadmin, acme);
    alices = engine.chainOf(TestPlatform.as(alice, acme));
  }

  @AfterEach
  void tearDown() {
    t.platform.close();
  }

  AccountRef user() {
    return AccountRef.user(acme.id(), alice.id());
  }

  AccountRef tenant() {
    return AccountRef.tenant(acme.id());
  }

  long used(AccountRef ref, Meter meter) {
    engine.flush();
    return quotas.account(admin, ref).meters().stream().filter(m -> m.meter() == meter).findFirst().orElseThrow()
        .used();
  }

  @Test
  void aSettledRequestIsChargedToEveryLevelOfItsChainAndRecorded() {
    quotas.setLimits(admin, user(), QuotaLimits.budget(1000, ResetPeriod.DAILY));
    quotas.setLimits(admin, tenant(), QuotaLimits.budget(5000, ResetPeriod.MONTHLY));
    Reservation r = engine.reserve(alices, 300, "req-1");
    assertThat(r.isOpen()).isTrue();
    UsageRecord record = engine.settle(r, 120);
    assertThat(record.cost()).isEqualTo(120);
    assertThat(record.status()).isEqualTo(UsageStatus.SUCCEEDED);
    assertThat(used(user(), Meter.CREDITS)).isEqualTo(120);
    assertThat(used(tenant(), Meter.CREDITS)).isEqualTo(120);
    assertThat(quotas.usageOf(admin, "req-1")).isEqualTo(record);
    // what the host leased and does not hold is not spent
    QuotaStatus.MeterStatus credits = quotas.account(admin, user()).meters().get(0);
    assertThat(credits.used() + credits.leased() + credits.remaining()).isEqualTo(1000);
  }

  @Test
  void aChainIsChargedAllOrNothingAndTheErrorNamesTheLevelAndLimit() {
    quotas.setLimits(admin, user(), QuotaLimits.budget(1000, ResetPeriod.NONE));
    quotas.setLimits(admin, tenant(), QuotaLimits.budget(100, ResetPeriod.DAILY));
    LimitExceededException e = (LimitExceededException) thrown(() -> engine.reserve(alices, 150, "req-1"));
    assertThat(e.code()).isEqualTo(ErrorCode.QUOTA_EXCEEDED);
    assertThat(e.account()).isEqualTo(tenant());
    assertThat(e.limit()).isEqualTo(100);
    assertThat(e.getMessage()).contains("tenant " + acme.id().value()).contains("100").contains("daily");
    assertThat(e.retryAfter()).isPositive();
    // nothing held at the user level: the whole user budget can still be reserved
    quotas.setLimits(admin, tenant(), QuotaLimits.budget(5000, ResetPeriod.DAILY));
    Reservation all = engine.reserve(alices, 1000, "req-2");
    engine.release(all, null);
    assertThat(used(user(), Meter.CREDITS)).isZero();
  }

  @Test
  void settleAndReleaseAreIdempotentAndExclusive() {
    quotas.setLimits(admin, user(), QuotaLimits.budget(1000, ResetPeriod.NONE));
    Reservation r = engine.reserve(alices, 100, "req-1");
    assertThat(engine.reserve(alices, 100, "req-1")).isSameAs(r);
    assertCode(() -> engine.reserve(alices, 50, "req-1"), ErrorCode.CONFLICT);
    UsageRecord first = engine.settle(r, 60);
    assertThat(engine.settle(r, 99)).isEqualTo(first);
    assertThat(engine.settle(acme.id(), "req-1", Usage.ofCost(99))).isEqualTo(first);
    assertCode(() -> engine.release(r, null), ErrorCode.FAILED_PRECONDITION);
    assertCode(() -> engine.reserve(alices, 100, "req-1"), ErrorCode.CONFLICT);
    Reservation second = engine.reserve(alices, 100, "req-2");
    UsageRecord released = engine.release(second, "upstream_down");
    assertThat(released.status()).isEqualTo(UsageStatus.RELEASED);
    assertThat(released.cost()).isZero();
    assertThat(engine.release(second, null)).isEqualTo(released);
    assertCode(() -> engine.settle(second, 10), ErrorCode.FAILED_PRECONDITION);
    assertCode(() -> engine.settle(acme.id(), "never-reserved", Usage.ofCost(1)), ErrorCode.NOT_FOUND);
    assertThat(used(user(), Meter.CREDITS)).isEqualTo(60);
    engine.flush();
    assertThat(quotas.usage(admin, UsageQuery.of(acme.id()), PageRequest.firstPage())).hasSize(2);
  }

  @Test
  void requestIdsBelongToTheirTenant() {
    Tenant globex = t.tenant("globex");
    User gus = t.user(globex, "gus", BuiltInRole.TENANT_ADMIN);
    Chain gusChain = engine.chainOf(TestPlatform.as(gus, globex));
    Reservation ours = engine.reserve(alices, 10, "req-1");
    Reservation theirs = engine.reserve(gusChain, 99, "req-1");
    assertThat(theirs).isNotSameAs(ours);
    engine.settle(ours, 4);
    assertThat(engine.settle(globex.id(), "req-1", Usage.ofCost(9)).cost()).isEqualTo(9);
    engine.flush();
    assertThat(quotas.usageOf(admin, "req-1").cost()).isEqualTo(4);
    assertThat(quotas.usageOf(TestPlatform.as(gus, globex), "req-1").cost()).isEqualTo(9);
    assertThat(engine.find(acme.id(), "req-1")).containsSame(ours);
  }

  @Test
  void badAmountsAndIdsAreRefusedWithNothingHeld() {
    quotas.setLimits(admin, user(), QuotaLimits.budget(1000, ResetPeriod.NONE));
    assertCode(() -> engine.reserve(alices, -1, "req-1"), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> engine.reserve(alices, QuotaLimits.MAX_CREDITS + 1, "req-1"), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> engine.reserve(alices, 1, 0, "has space"), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> engine.reserve(alices, 1, -5, "req-1"), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> engine.reserve(alices, 1, 0, "x".repeat(129)), ErrorCode.INVALID_ARGUMENT);
    Reservation r = engine.reserve(alices, 10, "req-1");
    assertCode(() -> engine.settle(r, -3), ErrorCode.INVALID_ARGUMENT);
    assertThat(r.isOpen()).isTrue();
    assertCode(() -> engine.settle(r, Usage.ofTokens("no-such-model", 1, 1, 0)), ErrorCode.FAILED_PRECONDITION);
    assertThat(r.isOpen()).isTrue();
    engine.release(r, null);
    // a request larger than the whole budget is refused at once
    assertCode(() -> engine.reserve(alices, 1001, "req-2"), ErrorCode.QUOTA_EXCEEDED);
    assertThat(engine.reserve(alices, 1000, "req-3").maxCost()).isEqualTo(1000);
  }

  @Test
  void limitsAreCheckedAndABudgetCannotDropBelowWhatWasSpent() {
    assertCode(() -> quotas.setLimits(admin, user(), new QuotaLimits(-1L, null, null, null, null)),
        ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> quotas.setLimits(admin, user(),
        new QuotaLimits(QuotaLimits.MAX_CREDITS + 1, null, 0L, null, null)), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> quotas.setLimits(admin, AccountRef.user(acme.id(), new com.neurasea.model.UserId("usr_nobody")),
        QuotaLimits.budget(10, ResetPeriod.NONE)), ErrorCode.NOT_FOUND);
    assertCode(() -> quotas.setLimits(TestPlatform.as(alice, acme), user(), QuotaLimits.budget(10, ResetPeriod.NONE)),
        ErrorCode.PERMISSION_DENIED);
    quotas.setLimits(admin, user(), QuotaLimits.budget(1000, ResetPeriod.NONE));
    engine.settle(engine.reserve(alices, 500, "req-1"), 400);
    engine.flush();
    com.neurasea.model.NeuraSeaException e = thrown(() -> quotas.setLimits(admin, user(),
        QuotaLimits.budget(300, ResetPeriod.NONE)));
    assertThat(e.code()).isEqualTo(ErrorCode.FAILED_PRECONDITION);
    assertThat(e.getMessage()).contains("400");
    assertThat(quotas.account(admin, user()).account().limits().budget()).isEqualTo(1000);
    // lowering to exactly what was spent is fine (this host returns what it leased first)
    quotas.setLimits(admin, user(), QuotaLimits.budget(400, ResetPeriod.NONE));
    assertCode(() -> engine.reserve(alices, 1, "req-2"), ErrorCode.QUOTA_EXCEEDED);
  }

  @Test
  void requestsPerMinuteAdmitAtMostTheLimitPerClockMinute() {
    quotas.setLimits(admin, user(), new QuotaLimits(null, null, 5L, null, null));
    t.clock.advance(Duration.ofSeconds(60 - t.clock.instant().getEpochSecond() % 60));
    for (int i = 0; i < 5; i++) {
      engine.release(engine.reserve(alices, 0, "req-" + i), null);
    }
    LimitExceededException e = (LimitExceededException) thrown(() -> engine.reserve(alices, 0, "req-5"));
    assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
    assertThat(e.meter()).isEqualTo(Meter.REQUESTS);
    assertThat(e.retryAfter()).isEqualTo(Duration.ofMinutes(1));
    t.clock.advance(Duration.ofMinutes(1));
    engine.settle(engine.reserve(alices, 0, "req-6"), 0);
  }

  @Test
  void tokensPerMinuteHoldTheEstimateAndCountWhatWasUsed() {
    quotas.setLimits(admin, user(), new QuotaLimits(null, null, null, 1000L, null));
    t.clock.advance(Duration.ofSeconds(60 - t.clock.instant().getEpochSecond() % 60));
    Reservation big = engine.reserve(alices, 0, 800, "req-1");
    assertCode(() -> engine.reserve(alices, 0, 300, "req-2"), ErrorCode.RATE_LIMITED);
    engine.settle(big, new Usage(null, null, 100, 100, 0, 0, null, null, null, null));
    engine.release(engine.reserve(alices, 0, 800, "req-3"), null);
    assertThat(used(user(), Meter.TOKENS)).isEqualTo(200);
  }

  @Test
  void concurrencyIsHeldUntilTheRequestEnds() {
    quotas.setLimits(admin, user(), new QuotaLimits(null, null, null, null, 2L));
    Reservation a = engine.reserve(alices, 0, "req-1");
    Reservation b = engine.reserve(alices, 0, "req-2");
    LimitExceededException e = (LimitExceededException) thrown(() -> engine.reserve(alices, 0, "req-3"));
    assertThat(e.meter()).isEqualTo(Meter.CONCURRENCY);
    assertThat(e.retryAfter()).isNull();
    engine.settle(a, 0);
    engine.release(engine.reserve(alices, 0, "req-4"), null);
    engine.release(b, null);
  }

  @Test
  void aCostAboveTheReservationIsTakenWhenLeftAndRecordedAsUnchargedWhenNot() {
    quotas.setLimits(admin, user(), QuotaLimits.budget(1000, ResetPeriod.NONE));
    UsageRecord more = engine.settle(engine.reserve(alices, 100, "req-1"), 250);
    assertThat(more.cost()).isEqualTo(250);
    assertThat(more.uncharged()).isZero();
    Reservation rest = engine.reserve(alices, 700, "req-2");
    UsageRecord capped = engine.settle(rest, 900);
    assertThat(capped.cost()).isEqualTo(700);
    assertThat(capped.uncharged()).isEqualTo(200);
    assertThat(used(user(), Meter.CREDITS)).isEqualTo(950);
  }

  @Test
  void groupsAndTokensAreLevelsOfTheChain() {
    var group = t.platform.groups().createGroup(admin, new CreateGroup("research", null));
    t.platform.groups().addGroupMember(admin, group.id(), alice.id());
    IssuedToken token = t.platform.identity().createToken(TestPlatform.as(alice, acme),
        new CreateToken("ci", null, List.of(), List.of()));
    Chain chain = engine.chainOf(Caller.in(Principal.token(alice.id(), token.token().id(), acme.id()), acme.id()));
    assertThat(chain.accounts()).extracting(AccountRef::level)
        .containsExactly(QuotaLevel.TOKEN, QuotaLevel.USER, QuotaLevel.GROUP, QuotaLevel.TENANT);
    AccountRef groupRef = AccountRef.group(acme.id(), group.id());
    AccountRef tokenRef = AccountRef.token(acme.id(), token.token().id());
    quotas.setLimits(admin, groupRef, QuotaLimits.budget(50, ResetPeriod.NONE));
    quotas.setLimits(admin, tokenRef, QuotaLimits.budget(500, ResetPeriod.NONE));
    LimitExceededException e = (LimitExceededException) thrown(() -> engine.reserve(chain, 60, "req-1"));
    assertThat(e.account()).isEqualTo(groupRef);
    engine.settle(engine.reserve(chain, 50, "req-2"), 40);
    assertThat(used(groupRef, Meter.CREDITS)).isEqualTo(40);
    assertThat(used(tokenRef, Meter.CREDITS)).isEqualTo(40);
  }

  @Test
  void anAbandonedReservationExpiresAtNoCharge() throws Exception {
    quotas.setLimits(admin, user(), QuotaLimits.budget(100, ResetPeriod.NONE));
    Reservation r = engine.reserve(alices, 100, "req-1");
    t.clock.advance(Duration.ofMinutes(11));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (r.isOpen() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(r.outcome()).get().extracting(UsageRecord::status).isEqualTo(UsageStatus.EXPIRED);
    assertCode(() -> engine.settle(r, 10), ErrorCode.FAILED_PRECONDITION);
    engine.settle(engine.reserve(alices, 100, "req-2"), 100);
    assertThat(used(user(), Meter.CREDITS)).isEqualTo(100);
    assertThat(quotas.usageOf(admin, "req-1").status()).isEqualTo(UsageStatus.EXPIRED);
  }

  @Test
  void usageRecordsAreInTheSubjectsExportAndErasureClearsTheirAddressesButKeepsTheBilling() {
    engine.settle(engine.reserve(alices, 10, "req-1"), Usage.ofCost(7).from("chan-a", "198.51.100.23", "curl/8.1"));
    String export = t.platform.dataSubjects().exportPersonalData(TestPlatform.as(alice, acme), alice.id());
    assertThat(export).contains("\"name\": \"usage\"").contains("198.51.100.23").contains("curl/8.1")
        .contains("usage[req-1]");
    assertThat(t.platform.privacy().recordsOf(t.admin, alice.id(), 0, 1000))
        .anySatisfy(r -> assertThat(r.categories()).contains("user.usage.consumed_quota", "user.device.ip_address"));

    var request = t.platform.dataSubjects().submit(TestPlatform.as(alice, acme), alice.id(),
        com.neurasea.model.RequestType.ERASURE, null);
    var receipt = t.platform.dataSubjects().fulfil(admin, request.id());
    assertThat(receipt.request().status()).isEqualTo(com.neurasea.model.RequestStatus.FULFILLED);
    UsageRecord kept = t.storage.quota().findUsage(acme.id(), "req-1").orElseThrow();
    assertThat(kept.clientIp()).isNull();
    assertThat(kept.userAgent()).isNull();
    assertThat(kept.cost()).isEqualTo(7);
  }

  @Test
  void dailyStatisticsAndCsvFollowTheTenantCalendar() {
    engine.settle(engine.reserve(alices, 10, "req-1"), Usage.ofCost(7).from("chan-a", "10.0.0.1", "curl/8"));
    engine.release(engine.reserve(alices, 10, "req-2"), "bad_gateway");
    engine.flush();
    LocalDate day = LocalDate.parse("2026-01-01");
    List<DailyUsage> daily = quotas.daily(admin, day, day, null, null);
    assertThat(daily).hasSize(1);
    assertThat(daily.get(0).requests()).isEqualTo(2);
    assertThat(daily.get(0).failed()).isEqualTo(1);
    assertThat(daily.get(0).cost()).isEqualTo(7);
    String csv = quotas.dailyCsv(admin, day, day, null, null);
    assertThat(csv).startsWith("day,user_id,model,requests,failed,prompt_tokens,completion_tokens,cached_tokens,cost\r\n")
        .contains("2026-01-01," + alice.id().value() + ",,2,1,0,0,0,7\r\n");
    assertCode(() -> quotas.daily(admin, day, day.minusDays(1), null, null), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> quotas.daily(admin, day, day.plusDays(400), null, null), ErrorCode.INVALID_ARGUMENT);
    // a member reads their own, not others'
    Caller member = TestPlatform.as(alice, acme);
    assertThat(quotas.daily(member, day, day, alice.id(), null)).hasSize(1);
    assertCode(() -> quotas.daily(member, day, day, null, null), ErrorCode.PERMISSION_DENIED);
  }
}
