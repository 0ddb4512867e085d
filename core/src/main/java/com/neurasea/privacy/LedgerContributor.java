package com.neurasea.privacy;

import com.neurasea.model.DataSubject;
import com.neurasea.model.ErasureResult;
import com.neurasea.model.PersonalDataItem;
import com.neurasea.spi.LedgerEntry;
import com.neurasea.spi.PersonalDataContributor;
import com.neurasea.spi.Storage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The privacy ledger as a {@link PersonalDataContributor}: the subject's processing records and the
 * erasable details kept beside them (sign-in addresses and user agents). Erasure and retention
 * delete the details; the records themselves hold no raw personal data and stay as evidence.
 */
final class LedgerContributor implements PersonalDataContributor {
  static final String NAME = "privacy-ledger";
  private static final int PAGE = 1000;

  private final Storage storage;
  private final PrivacyLedger ledger;

  LedgerContributor(Storage storage, PrivacyLedger ledger) {
    this.storage = storage;
    this.ledger = ledger;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<PersonalDataItem> export(DataSubject subject) {
    ledger.sequence();
    List<PersonalDataItem> items = new ArrayList<>();
    long from = 0;
    while (true) {
      List<LedgerEntry> page = storage.ledger().entriesOfSubject(subject.subjectKey(), from, PAGE);
      for (LedgerEntry entry : page) {
        LedgerRecord r = ledger.decodeEntry(entry);
        String field = "records[" + r.index() + "]";
        String recipient = r.recipient() == null ? "" : " to " + r.recipient() + " on " + r.ground();
        items.add(new PersonalDataItem("user.privacy", field, r.recordedAt() + " " + r.kind() + " by " + r.module()
            + " for " + r.purpose() + " (" + r.legalBasis() + ")" + recipient + ": "
            + String.join(", ", r.categories())));
        r.details().forEach((category, value) ->
            items.add(new PersonalDataItem(category, field + "." + category, value)));
      }
      if (page.size() < PAGE) {
        return items;
      }
      from = page.get(page.size() - 1).index() + 1;
    }
  }

  @Override
  public Set<String> rectify(DataSubject subject, Map<String, String> corrections) {
    return Set.of();
  }

  @Override
  public ErasureResult erase(DataSubject subject, Predicate<String> keep) {
    ledger.sequence();
    if (keep.test("user.device.ip_address") || keep.test("user.device.user_agent")) {
      return new ErasureResult(Set.of(), Set.of("user.device", "user.privacy"));
    }
    storage.ledger().eraseDetails(subject.subjectKey());
    return new ErasureResult(Set.of("user.device.ip_address", "user.device.user_agent"), Set.of("user.privacy"));
  }

  @Override
  public long sweep(String category, Instant cutoff) {
    if (!category.startsWith("user.device.")) {
      return 0;
    }
    ledger.sequence();
    return storage.ledger().eraseDetailsRecordedBefore(cutoff);
  }
}
