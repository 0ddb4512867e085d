package com.neurasea.http;

import com.neurasea.NeuraSea;
import com.neurasea.http.AdminRoutes.PlainText;
import com.neurasea.http.AdminRoutes.TextStream;
import com.neurasea.http.ApiBodies.CheckpointBody;
import com.neurasea.http.ApiBodies.ConsistencyProofBody;
import com.neurasea.http.ApiBodies.InclusionProofBody;
import com.neurasea.http.ApiBodies.LedgerPage;
import com.neurasea.http.ApiBodies.TermBody;
import com.neurasea.http.ApiBodies.VerificationBody;
import com.neurasea.model.Caller;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.Permissions;
import com.neurasea.model.Scope;
import com.neurasea.model.UserId;
import com.neurasea.permissions.PermissionService;
import com.neurasea.privacy.PrivacyLedger;
import com.neurasea.privacy.ProcessingActivities;
import com.neurasea.privacy.Taxonomy;
import com.neurasea.privacy.TermKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Routes of the privacy ledger: {@code /privacy/...}. A person reads the records about them;
 * tenant administrators ({@code ledger:read}) read their members' records under
 * {@code /tenants/{tenantId}/privacy/records}; platform operators ({@code platform:ledger:read})
 * read the whole ledger, sign checkpoints, verify it and export it for the offline verifier.
 * Checkpoints, proofs, the public key and the taxonomy hold no personal data and are open to any
 * authenticated caller.
 */
final class PrivacyRoutes {
  /** Where the ledger lives. */
  static final String PRIVACY = AdminRoutes.PREFIX + "/privacy";

  private PrivacyRoutes() {}

  static List<Route> all(NeuraSea platform) {
    PrivacyLedger ledger = platform.privacy();
    PermissionService permissions = platform.permissions();
    String checkpoints = PRIVACY + "/checkpoints";
    String proofs = PRIVACY + "/proofs";
    String export = PRIVACY + "/export";
    return List.of(
        Route.get(PRIVACY + "/records", call -> recordsOf(ledger, call.platformCaller(), call)),
        Route.get(AdminRoutes.TENANT + "/privacy/records", call -> {
          Caller caller = call.tenantCaller();
          // A tenant the caller cannot see answers like an unknown one, even for one's own records.
          permissions.requireTenantAccess(caller);
          return recordsOf(ledger, caller, call);
        }),
        Route.get(PRIVACY + "/ledger", call -> {
          long fromIndex = call.index("fromIndex", 0L);
          int limit = call.limit();
          return LedgerPage.of(ledger.records(call.platformCaller(), fromIndex, limit), fromIndex, limit);
        }),
        Route.get(checkpoints + "/latest", call -> CheckpointBody.of(ledger.latestCheckpoint()
            .orElseThrow(() -> NeuraSeaException.notFound("checkpoint")))),
        Route.post(checkpoints, 200, null, call -> CheckpointBody.of(ledger.checkpoint(call.platformCaller()))),
        Route.get(proofs + "/inclusion", call -> {
          long index = call.index("index", null);
          // proveInclusion() signs a checkpoint when none covers the index yet; an index beyond
          // the ledger must not make it sign one just to answer 404.
          if (index >= ledger.size()) {
            throw NeuraSeaException.notFound("ledger entry");
          }
          return InclusionProofBody.of(ledger.proveInclusion(index));
        }),
        Route.get(proofs + "/consistency", call -> {
          long oldSize = call.index("oldSize", null);
          long newSize = call.index("newSize", null);
          if (oldSize > newSize) {
            throw ApiFailure.invalid("oldSize", "must be at most newSize");
          }
          return ConsistencyProofBody.of(ledger.proveConsistency(oldSize, newSize));
        }),
        Route.post(PRIVACY + "/verify", 200, null, call -> VerificationBody.of(ledger.verify(call.platformCaller()))),
        Route.get(export + "/checkpoints", call -> new PlainText(ledger.exportCheckpoints(call.platformCaller()))),
        Route.get(export + "/entries", call -> {
          // Checked before the answer starts, so a refusal is still a JSON error.
          requirePlatformRead(permissions, call);
          Caller caller = call.platformCaller();
          return new TextStream(out -> ledger.exportEntries(caller, out));
        }),
        Route.get(PRIVACY + "/public-key", call -> new PlainText(ledger.publicKeyText() + "\n")),
        Route.get(PRIVACY + "/taxonomy", call -> taxonomy(ledger.taxonomy())),
        Route.get(PRIVACY + "/processing-activities", call -> {
          String format = call.query("format");
          if (format != null && !format.equals("json") && !format.equals("text")) {
            throw ApiFailure.invalid("format", "must be json or text");
          }
          ProcessingActivities report = ledger.processingActivities(call.platformCaller());
          return "text".equals(format) ? new PlainText(report.toText()) : report;
        }));
  }

  private static LedgerPage recordsOf(PrivacyLedger ledger, Caller caller, ApiCall call) {
    UserId requested = call.queryUserId("userId");
    long fromIndex = call.index("fromIndex", 0L);
    int limit = call.limit();
    UserId subject = requested == null ? caller.principal().userId() : requested;
    if (subject == null) {
      throw ApiFailure.invalid("userId", "is required");
    }
    return LedgerPage.of(ledger.recordsOf(caller, subject, fromIndex, limit), fromIndex, limit);
  }

  private static void requirePlatformRead(PermissionService permissions, ApiCall call) {
    permissions.require(call.platformCaller(), Permissions.PLATFORM_LEDGER_READ, Scope.platform());
  }

  /** Every term, grouped by kind in the enum's order; kinds without terms answer an empty list. */
  private static Map<String, List<TermBody>> taxonomy(Taxonomy taxonomy) {
    Map<String, List<TermBody>> grouped = new LinkedHashMap<>();
    for (TermKind kind : TermKind.values()) {
      grouped.put(kind.name(), taxonomy.terms(kind).stream().map(TermBody::of).toList());
    }
    return grouped;
  }
}
