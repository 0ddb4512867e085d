package com.neurasea.http;

import com.neurasea.NeuraSea;
import com.neurasea.http.AdminRoutes.CsvText;
import com.neurasea.http.ApiBodies.Items;
import com.neurasea.http.ApiBodies.Page;
import com.neurasea.http.QuotaBodies.AccountStatusBody;
import com.neurasea.http.QuotaBodies.ModelPriceBody;
import com.neurasea.http.QuotaBodies.NewModelPrice;
import com.neurasea.http.QuotaBodies.QuotaAccountBody;
import com.neurasea.model.AccountRef;
import com.neurasea.model.Caller;
import com.neurasea.model.ModelPrice;
import com.neurasea.model.PageRequest;
import com.neurasea.model.QuotaLevel;
import com.neurasea.model.QuotaLimits;
import com.neurasea.model.UsageQuery;
import com.neurasea.model.UsageStatus;
import com.neurasea.model.UserId;
import com.neurasea.quota.PriceTable;
import com.neurasea.quota.QuotaService;
import java.time.LocalDate;
import java.util.List;

/**
 * Routes of quota administration and reporting ({@link QuotaService}, {@link PriceTable}): a
 * tenant's quota accounts under {@code /tenants/{tenantId}/quotas/{level}/{subjectId}}, its usage
 * records and daily statistics (JSON or CSV) under {@code .../usage}, and model prices for a tenant
 * ({@code .../prices}) or platform-wide ({@code /prices}). Who may do what is the services'
 * decision. Usage is written a moment after a request is settled, so listings are eventually
 * consistent with the reservation routes.
 */
final class QuotaRoutes {
  private QuotaRoutes() {}

  static List<Route> all(NeuraSea platform) {
    QuotaService quotas = platform.quotas();
    PriceTable prices = platform.prices();
    String accounts = AdminRoutes.TENANT + "/quotas";
    String account = accounts + "/{level}/{subjectId}";
    String usage = AdminRoutes.TENANT + "/usage";
    String tenantPrices = AdminRoutes.TENANT + "/prices";
    String platformPrices = AdminRoutes.PREFIX + "/prices";
    return List.of(
        Route.get(accounts, call -> {
          PageRequest page = call.page();
          return Page.of(quotas.accounts(call.tenantCaller(), page).stream().map(QuotaAccountBody::of).toList(), page);
        }),
        Route.put(account, 200, QuotaLimits.class, call -> QuotaAccountBody.of(
            quotas.setLimits(call.tenantCaller(), accountRef(call), call.body(QuotaLimits.class)))),
        Route.get(account, call -> AccountStatusBody.of(quotas.account(call.tenantCaller(), accountRef(call)))),
        Route.delete(account, 204, call -> {
          quotas.deleteAccount(call.tenantCaller(), accountRef(call));
          return null;
        }),
        Route.get(usage, call -> {
          UsageQuery query = new UsageQuery(call.tenantId(), call.queryUserId("userId"), call.queryTokenId("tokenId"),
              call.queryModel("model"), call.queryKey("status", UsageStatus.class), call.queryInstant("from"),
              call.queryInstant("to"));
          PageRequest page = call.page();
          return Page.of(quotas.usage(call.tenantCaller(), query, page), page);
        }),
        // Before {requestId}: the literal path wins.
        Route.get(usage + "/daily", call -> daily(quotas, call)),
        Route.get(usage + "/{requestId}", call -> quotas.usageOf(call.tenantCaller(), call.path("requestId"))),
        Route.post(tenantPrices, 201, NewModelPrice.class, call -> setPrice(prices, call.tenantCaller(), call)),
        Route.get(tenantPrices, call -> prices(prices, call.tenantCaller(), call)),
        Route.post(platformPrices, 201, NewModelPrice.class, call -> setPrice(prices, call.platformCaller(), call)),
        Route.get(platformPrices, call -> prices(prices, call.platformCaller(), call)));
  }

  /** The account named by the path; a bad level or subject fails with 400 naming it. */
  private static AccountRef accountRef(ApiCall call) {
    return new AccountRef(call.tenantId(), QuotaLevel.parse(call.path("level")), call.path("subjectId"));
  }

  private static Object daily(QuotaService quotas, ApiCall call) {
    String format = call.query("format");
    if (format != null && !format.equals("json") && !format.equals("csv")) {
      throw ApiFailure.invalid("format", "must be json or csv");
    }
    LocalDate from = call.queryDate("from");
    LocalDate to = call.queryDate("to");
    UserId userId = call.queryUserId("userId");
    String model = call.queryModel("model");
    Caller caller = call.tenantCaller();
    if ("csv".equals(format)) {
      String filename = "usage-" + call.tenantId().value() + "-" + from + "-" + to + ".csv";
      return new CsvText(quotas.dailyCsv(caller, from, to, userId, model), filename);
    }
    return Items.of(quotas.daily(caller, from, to, userId, model));
  }

  private static ModelPriceBody setPrice(PriceTable prices, Caller caller, ApiCall call) {
    return ModelPriceBody.of(prices.setPrice(caller, call.body(NewModelPrice.class).command()));
  }

  private static Items<ModelPriceBody> prices(PriceTable prices, Caller caller, ApiCall call) {
    List<ModelPrice> versions = prices.prices(caller, call.queryModel("model"));
    return Items.of(versions.stream().map(ModelPriceBody::of).toList());
  }
}
