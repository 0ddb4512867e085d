package com.neurasea.quota;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.neurasea.internal.Generations;
import com.neurasea.internal.IdGenerator;
import com.neurasea.internal.Times;
import com.neurasea.model.Caller;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.ModelPrice;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.Permissions;
import com.neurasea.model.PriceId;
import com.neurasea.model.Scope;
import com.neurasea.model.SetModelPrice;
import com.neurasea.model.TenantId;
import com.neurasea.permissions.PermissionService;
import com.neurasea.spi.Storage;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Model prices, versioned by effective time, platform-wide or per tenant.
 *
 * <p><b>Which price applies.</b> For a request at time {@code t}: the tenant's own version of the
 * model with the latest {@code effectiveFrom <= t} if the tenant has any version of the model;
 * otherwise the platform-wide one. A later version never changes what was charged before it.
 *
 * <p><b>Cost, in integer credits</b>, computed once per request:
 * {@code round((prompt × input + completion × output + cached × cachedInput) / 10^6 + perRequest) ×
 * multiplier / 10^4)}, where the multiplier (basis points) is the lowest any group of the request's
 * chain has in the price, or 1×. The division is exact on the whole sum, and the result is rounded
 * <b>half up</b> once at the end (so 0.5 credit is 1, 0.49 is 0): splitting a request never changes
 * its cost by more than one credit, and no intermediate rounding accumulates.
 */
@Singleton
public final class PriceTable {
  private static final BigInteger DIVISOR = BigInteger.valueOf(1_000_000L * ModelPrice.ONE);
  private static final long DIVISOR_LONG = 1_000_000L * ModelPrice.ONE;

  /**
   * The price a request is charged at.
   *
   * @param price the version
   * @param multiplier the group multiplier, basis points
   */
  public record Quote(ModelPrice price, long multiplier) {
    /** The cost of a request with these token counts. */
    public long cost(long promptTokens, long completionTokens, long cachedTokens) {
      return PriceTable.cost(price, multiplier, promptTokens, completionTokens, cachedTokens);
    }
  }

  private record TenantPrices(List<ModelPrice> versions, long generation) {}

  private final Storage storage;
  private final Clock clock;
  private final IdGenerator ids;
  private final PermissionService permissions;
  private final Generations generations;
  private final Cache<String, TenantPrices> cache = Caffeine.newBuilder().maximumSize(10_000)
      .expireAfterWrite(Duration.ofSeconds(10)).build();

  @Inject
  PriceTable(Storage storage, Clock clock, IdGenerator ids, PermissionService permissions, Generations generations) {
    this.storage = storage;
    this.clock = clock;
    this.ids = ids;
    this.permissions = permissions;
    this.generations = generations;
  }

  /**
   * Enters a new price version: platform-wide when the caller acts at platform level (needs
   * {@code platform:tenants:manage}), for the caller's tenant otherwise ({@code quotas:manage}).
   *
   * @param caller who sets it
   * @param command the price
   * @return the stored version
   * @throws NeuraSeaException {@code INVALID_ARGUMENT} listing every bad field, {@code CONFLICT} naming
   *     {@code effectiveFrom} when a version of the model starts at the same instant
   */
  public ModelPrice setPrice(Caller caller, SetModelPrice command) {
    Objects.requireNonNull(caller, "caller");
    Objects.requireNonNull(command, "command");
    requireManage(caller);
    Instant now = Times.now(clock);
    Instant from = command.effectiveFrom() == null ? now : Times.millis(command.effectiveFrom());
    ModelPrice price = new ModelPrice(new PriceId(ids.next(PriceId.PREFIX)), caller.tenantId(), command.model(),
        from, command.inputPerMillion(), command.outputPerMillion(), command.cachedInputPerMillion(),
        command.perRequest(), command.groupMultipliers(), now);
    storage.quota().insertPrice(price);
    if (caller.tenantId() == null) {
      generations.bumpAll();
      cache.invalidateAll();
    } else {
      generations.bumpTenant(caller.tenantId());
      cache.invalidate(caller.tenantId().value());
    }
    return price;
  }

  /**
   * The price versions the caller's tenant sees, needing {@code billing:read} or {@code usage:read}
   * in the tenant; or, at platform level, the platform-wide ones ({@code platform:tenants:manage}).
   *
   * @param caller who asks
   * @param model only this model's, or null for all
   * @return the versions, by model and effective time
   */
  public List<ModelPrice> prices(Caller caller, String model) {
    Objects.requireNonNull(caller, "caller");
    if (caller.tenantId() == null) {
      permissions.require(caller, Permissions.PLATFORM_TENANTS_MANAGE, Scope.platform());
    } else if (!permissions.check(caller, Permissions.BILLING_READ, Scope.tenant())) {
      permissions.require(caller, Permissions.USAGE_READ, Scope.tenant());
    }
    return storage.quota().listPrices(caller.tenantId(), model);
  }

  /**
   * The quote a chain's request for a model gets now, or null when the model has no price in effect.
   *
   * @param chain who is charged (its tenant's versions and its groups' multipliers apply)
   * @param model the model as the caller names it
   * @return the quote, or null
   */
  public Quote quoteNow(Chain chain, String model) {
    ModelPrice price = priceAt(chain.tenantId(), model, clock.millis());
    return price == null ? null : new Quote(price, price.multiplierFor(chain.groupIds()));
  }

  /**
   * The quote for a request, as {@link #cost} explains.
   *
   * @throws NeuraSeaException {@code FAILED_PRECONDITION} naming the model when it has no price then
   */
  Quote quote(Chain chain, String model, long atMillis) {
    if (model == null) {
      throw NeuraSeaException.invalid("model", "a usage without a cost must name a priced model");
    }
    ModelPrice price = priceAt(chain.tenantId(), model, atMillis);
    if (price == null) {
      throw new NeuraSeaException(ErrorCode.FAILED_PRECONDITION, "model " + model + " has no price");
    }
    return new Quote(price, price.multiplierFor(chain.groupIds()));
  }

  /**
   * The version in effect for a tenant at a time.
   *
   * @param tenantId the tenant
   * @param model the model
   * @param at the time
   * @return the version, or null when the model has none in effect
   */
  public ModelPrice priceAt(TenantId tenantId, String model, Instant at) {
    return priceAt(tenantId, model, at.toEpochMilli());
  }

  private ModelPrice priceAt(TenantId tenantId, String model, long atMillis) {
    List<ModelPrice> versions = versions(tenantId);
    ModelPrice own = null;
    ModelPrice platform = null;
    boolean tenantHasModel = false;
    for (ModelPrice price : versions) {
      if (!price.model().equals(model)) {
        continue;
      }
      boolean tenants = price.tenantId() != null;
      tenantHasModel |= tenants;
      if (price.effectiveFrom().toEpochMilli() > atMillis) {
        continue;
      }
      if (tenants) {
        own = later(own, price);
      } else {
        platform = later(platform, price);
      }
    }
    return tenantHasModel ? own : platform;
  }

  private static ModelPrice later(ModelPrice current, ModelPrice candidate) {
    return current == null || candidate.effectiveFrom().isAfter(current.effectiveFrom()) ? candidate : current;
  }

  private List<ModelPrice> versions(TenantId tenantId) {
    long generation = generations.tenant(tenantId) + generations.global();
    TenantPrices cached = cache.getIfPresent(tenantId.value());
    if (cached == null || cached.generation != generation) {
      cached = new TenantPrices(new ArrayList<>(storage.quota().listPrices(tenantId, null)), generation);
      cache.put(tenantId.value(), cached);
    }
    return cached.versions;
  }

  private void requireManage(Caller caller) {
    if (caller.tenantId() == null) {
      permissions.require(caller, Permissions.PLATFORM_TENANTS_MANAGE, Scope.platform());
    } else {
      permissions.require(caller, Permissions.QUOTAS_MANAGE, Scope.tenant());
    }
  }

  /**
   * The cost of a request at a price, as the class documentation states.
   *
   * @param price the price version
   * @param multiplier basis points
   * @param promptTokens prompt tokens not served from cache
   * @param completionTokens completion tokens
   * @param cachedTokens cached prompt tokens
   * @return credits, rounded half up
   */
  public static long cost(ModelPrice price, long multiplier, long promptTokens, long completionTokens,
      long cachedTokens) {
    try {
      long micro = Math.addExact(Math.addExact(Math.multiplyExact(promptTokens, price.inputPerMillion()),
          Math.multiplyExact(completionTokens, price.outputPerMillion())), Math.addExact(
          Math.multiplyExact(cachedTokens, price.cachedInputPerMillion()),
          Math.multiplyExact(price.perRequest(), 1_000_000L)));
      long scaled = Math.multiplyExact(micro, multiplier);
      return Math.addExact(scaled, DIVISOR_LONG / 2) / DIVISOR_LONG;
    } catch (ArithmeticException overflow) {
      BigInteger micro = BigInteger.valueOf(promptTokens).multiply(BigInteger.valueOf(price.inputPerMillion()))
          .add(BigInteger.valueOf(completionTokens).multiply(BigInteger.valueOf(price.outputPerMillion())))
          .add(BigInteger.valueOf(cachedTokens).multiply(BigInteger.valueOf(price.cachedInputPerMillion())))
          .add(BigInteger.valueOf(price.perRequest()).multiply(BigInteger.valueOf(1_000_000L)));
      BigInteger cost = new java.math.BigDecimal(micro.multiply(BigInteger.valueOf(multiplier)))
          .divide(new java.math.BigDecimal(DIVISOR), 0, RoundingMode.HALF_UP).toBigIntegerExact();
      if (cost.bitLength() > 62) {
        throw NeuraSeaException.invalid("tokens", "the cost of this usage is beyond any budget");
      }
      return cost.longValueExact();
    }
  }
}
