package com.neurasea.store.jdbc.internal;

import static com.neurasea.store.jdbc.internal.Rows.millis;

import com.neurasea.model.ModelPrice;
import com.neurasea.model.TenantId;
import java.util.List;

/**
 * Price versions, for {@link JdbcQuotaStore}, which checks the arguments. A platform-wide version
 * holds '' as its tenant, so that the unique key allows one platform version per model and instant,
 * as it does per tenant, and so that it sorts before every tenant's.
 */
final class ModelPrices {
  private static final Conflicts PRICE = Conflicts.fallback("id", "a price with this id already exists")
      .on("effective_from", "effectiveFrom", "a version of this model's price is already effective at this instant");

  private final Session session;

  ModelPrices(Session session) {
    this.session = session;
  }

  void insert(ModelPrice price) {
    session.call(h -> h.createUpdate("INSERT INTO model_prices (" + QuotaRows.PRICE_COLUMNS + ") VALUES (:id, "
            + ":tenantId, :model, :effectiveFrom, :inputPerMillion, :outputPerMillion, :cachedInputPerMillion, "
            + ":perRequest, :groupMultipliers, :createdAt)")
        .bind("id", price.id().value())
        .bind("tenantId", price.tenantId() == null ? Rows.NONE : price.tenantId().value())
        .bind("model", price.model())
        .bind("effectiveFrom", millis(price.effectiveFrom()))
        .bind("inputPerMillion", price.inputPerMillion())
        .bind("outputPerMillion", price.outputPerMillion())
        .bind("cachedInputPerMillion", price.cachedInputPerMillion())
        .bind("perRequest", price.perRequest())
        .bind("groupMultipliers", QuotaRows.encodeMultipliers(price.groupMultipliers()))
        .bind("createdAt", millis(price.createdAt()))
        .execute(), PRICE);
  }

  List<ModelPrice> list(TenantId tenantId, String model) {
    String tenants = tenantId == null ? "tenant_id = :platform" : "tenant_id IN (:platform, :tenantId)";
    String filter = model == null ? "" : " AND model = :model";
    return session.read(h -> {
      var select = h.createQuery("SELECT " + QuotaRows.PRICE_COLUMNS + " FROM model_prices WHERE " + tenants
              + filter + " ORDER BY model, effective_from, tenant_id")
          .bind("platform", Rows.NONE);
      if (tenantId != null) {
        select.bind("tenantId", tenantId.value());
      }
      if (model != null) {
        select.bind("model", model);
      }
      return select.map((rs, ctx) -> QuotaRows.price(rs)).list();
    });
  }
}
