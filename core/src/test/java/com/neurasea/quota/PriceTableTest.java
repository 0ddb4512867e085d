package com.neurasea.quota;

import static com.neurasea.Errors.assertCode;
import static org.assertj.core.api.Assertions.assertThat;

import com.neurasea.TestPlatform;
import com.neurasea.model.BuiltInRole;
import com.neurasea.model.Caller;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.GroupId;
import com.neurasea.model.ModelPrice;
import com.neurasea.model.PriceId;
import com.neurasea.model.QuotaLimits;
import com.neurasea.model.ResetPeriod;
import com.neurasea.model.SetModelPrice;
import com.neurasea.model.Tenant;
import com.neurasea.model.UsageRecord;
import com.neurasea.model.User;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PriceTableTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;
  TestPlatform t;

  @AfterEach
  void tearDown() {
    if (t != null) {
      t.close();
    }
  }

  static ModelPrice price(long in, long out, long cached, long perRequest, Map<String, Long> multipliers) {
    return new ModelPrice(new PriceId("prc_test"), null, "gpt-test", T0, in, out, cached, perRequest, multipliers, T0);
  }

  @Test
  void costIsTheExactSumRoundedHalfUpOnce() {
    ModelPrice p = price(150, 600, 75, 0, Map.of());
    // 1000 x 150 + 500 x 600 = 450,000 millionths: 0.45 credit rounds to 0
    assertThat(PriceTable.cost(p, ModelPrice.ONE, 1000, 500, 0)).isZero();
    // 2.7 credits round to 3
    assertThat(PriceTable.cost(p, ModelPrice.ONE, 10_000, 2_000, 0)).isEqualTo(3);
    // exactly half rounds up; just below half rounds down
    assertThat(PriceTable.cost(price(1, 0, 0, 0, Map.of()), ModelPrice.ONE, 2_500_000, 0, 0)).isEqualTo(3);
    assertThat(PriceTable.cost(price(1, 0, 0, 0, Map.of()), ModelPrice.ONE, 2_499_999, 0, 0)).isEqualTo(2);
    // cached tokens at their own price: 4000 x 75 = 0.3
    assertThat(PriceTable.cost(p, ModelPrice.ONE, 10_000, 2_000, 4_000)).isEqualTo(3);
    // multipliers apply to the whole sum: 2.7 x 0.5 = 1.35 -> 1, x 1.5 = 4.05 -> 4
    assertThat(PriceTable.cost(p, 5_000, 10_000, 2_000, 0)).isEqualTo(1);
    assertThat(PriceTable.cost(p, 15_000, 10_000, 2_000, 0)).isEqualTo(4);
    // per-request price: (2.7 + 2) x 0.5 = 2.35 -> 2
    assertThat(PriceTable.cost(price(150, 600, 75, 2, Map.of()), 5_000, 10_000, 2_000, 0)).isEqualTo(2);
    // 1.5 + 3.0 = 4.5 credits round up to 5
    assertThat(PriceTable.cost(p, ModelPrice.ONE, 10_000, 5_000, 0)).isEqualTo(5);
    // beyond long arithmetic: 10^9 tokens at 10^12 per million = 10^15 credits, exactly
    assertThat(PriceTable.cost(price(ModelPrice.MAX_PRICE, 0, 0, 0, Map.of()), ModelPrice.ONE, 1_000_000_000L, 0, 0))
        .isEqualTo(1_000_000_000_000_000L);
  }

  @Test
  void theLowestGroupMultiplierOfTheChainApplies() {
    ModelPrice p = price(1, 1, 1, 0, Map.of("grp_a", 8_000L, "grp_b", 12_000L));
    assertThat(p.multiplierFor(List.of(new GroupId("grp_b"), new GroupId("grp_a")))).isEqualTo(8_000);
    assertThat(p.multiplierFor(List.of(new GroupId("grp_b")))).isEqualTo(12_000);
    assertThat(p.multiplierFor(List.of(new GroupId("grp_c")))).isEqualTo(ModelPrice.ONE);
  }

  @Test
  void badPricesAreRefusedListingEveryField() {
    var e = com.neurasea.Errors.thrown(() -> new ModelPrice(new PriceId("prc_x"), null, "has space", T0, -1, 0,
        ModelPrice.MAX_PRICE + 1, 0, Map.of("not a group", 1L, "grp_ok", -5L), T0));
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.fieldErrors()).extracting(f -> f.field()).contains("model", "inputPerMillion",
        "cachedInputPerMillion", "groupMultipliers");
  }

  @Test
  void versionsTakeEffectAtTheirTimeAndATenantsOwnPricesReplaceThePlatforms() {
    t = new TestPlatform(dir);
    Tenant acme = t.tenant("acme");
    User alice = t.user(acme, "alice", BuiltInRole.MEMBER);
    User tadmin = t.user(acme, "tadmin", BuiltInRole.TENANT_ADMIN);
    Caller admin = TestPlatform.as(tadmin, acme);
    PriceTable prices = t.platform.prices();
    ModelPrice v1 = prices.setPrice(t.admin, new SetModelPrice("gpt-test", null, 1_000_000, 2_000_000, 0, 0, null));
    ModelPrice v2 = prices.setPrice(t.admin, new SetModelPrice("gpt-test", T0.plus(Duration.ofDays(1)), 3_000_000,
        6_000_000, 0, 0, null));
    assertCode(() -> prices.setPrice(t.admin, new SetModelPrice("gpt-test", T0.plus(Duration.ofDays(1)), 1, 1, 0, 0,
        null)), ErrorCode.CONFLICT);
    assertCode(() -> prices.setPrice(TestPlatform.as(alice, acme), new SetModelPrice("gpt-test", null, 1, 1, 0, 0,
        null)), ErrorCode.PERMISSION_DENIED);
    assertCode(() -> prices.setPrice(admin, new SetModelPrice("gpt-test", null, -1, 1, 0, 0, null)),
        ErrorCode.INVALID_ARGUMENT);
    assertThat(prices.priceAt(acme.id(), "gpt-test", T0)).isEqualTo(v1);
    assertThat(prices.priceAt(acme.id(), "gpt-test", T0.plus(Duration.ofDays(2)))).isEqualTo(v2);
    assertThat(prices.priceAt(acme.id(), "gpt-test", T0.minusSeconds(1))).isNull();

    QuotaEngine engine = t.platform.quotaEngine();
    t.platform.quotas().setLimits(admin, com.neurasea.model.AccountRef.user(acme.id(), alice.id()),
        QuotaLimits.budget(1_000_000, ResetPeriod.NONE));
    Chain chain = engine.chainOf(TestPlatform.as(alice, acme));
    UsageRecord atV1 = engine.settle(engine.reserve(chain, 1000, "r1"), Usage.ofTokens("gpt-test", 100, 50, 0));
    assertThat(atV1.cost()).isEqualTo(200);
    assertThat(atV1.priceId()).isEqualTo(v1.id());
    t.clock.advance(Duration.ofDays(1));
    UsageRecord atV2 = engine.settle(engine.reserve(chain, 1000, "r2"), Usage.ofTokens("gpt-test", 100, 50, 0));
    assertThat(atV2.cost()).isEqualTo(600);
    assertThat(atV2.priceId()).isEqualTo(v2.id());

    ModelPrice own = prices.setPrice(admin, new SetModelPrice("gpt-test", null, 500_000, 500_000, 0, 0, null));
    assertThat(prices.priceAt(acme.id(), "gpt-test", t.clock.instant())).isEqualTo(own);
    UsageRecord atOwn = engine.settle(engine.reserve(chain, 1000, "r3"), Usage.ofTokens("gpt-test", 100, 50, 0));
    assertThat(atOwn.cost()).isEqualTo(75);
    assertThat(prices.prices(admin, "gpt-test")).extracting(ModelPrice::id).containsExactly(v1.id(), v2.id(), own.id());
  }
}
