package com.neurasea.privacy;

import com.neurasea.model.DataSubject;
import com.neurasea.model.ErasureResult;
import com.neurasea.model.LegalHold;
import com.neurasea.model.PageRequest;
import com.neurasea.model.PersonalDataItem;
import com.neurasea.model.PolicyAcknowledgment;
import com.neurasea.model.SubjectRequest;
import com.neurasea.spi.PersonalDataContributor;
import com.neurasea.spi.Storage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The subject's privacy choices as a {@link PersonalDataContributor}: data-subject requests, policy
 * acknowledgments, legal holds and flags. They are evidence that rights and consents were honoured,
 * kept under a legal duty: an erasure restricts them and never deletes them.
 */
final class PrivacyRecordsContributor implements PersonalDataContributor {
  static final String NAME = "privacy-records";

  private final Storage storage;

  PrivacyRecordsContributor(Storage storage) {
    this.storage = storage;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<PersonalDataItem> export(DataSubject subject) {
    List<PersonalDataItem> items = new ArrayList<>();
    int i = 0;
    for (SubjectRequest r : storage.privacy().listRequests(subject.userId(), Set.of(),
        PageRequest.first(PageRequest.MAX_LIMIT))) {
      items.add(new PersonalDataItem("user.privacy", "requests[" + i++ + "]", r.id() + " " + r.type() + " "
          + r.status() + ", received " + r.receivedAt() + ", due " + r.dueAt()
          + (r.closedAt() == null ? "" : ", closed " + r.closedAt())));
    }
    i = 0;
    for (PolicyAcknowledgment a : storage.privacy().acknowledgmentsOf(subject.userId())) {
      String field = "policyAcknowledgments[" + i++ + "]";
      items.add(new PersonalDataItem("user.privacy", field, "version " + a.version() + " at " + a.acknowledgedAt()
          + " by " + a.method()));
      if (a.clientIp() != null) {
        items.add(new PersonalDataItem("user.device.ip_address", field + ".clientIp", a.clientIp()));
      }
    }
    i = 0;
    for (LegalHold h : storage.privacy().listHolds(subject.userId(), false)) {
      items.add(new PersonalDataItem("user.privacy", "legalHolds[" + i++ + "]", String.join(",", h.categories())
          + ": " + h.reason() + (h.active() ? " (active)" : " (released " + h.releasedAt() + ")")));
    }
    storage.privacy().findFlags(subject.userId()).ifPresent(f -> {
      items.add(new PersonalDataItem("user.privacy", "minor", Boolean.toString(f.minor())));
      if (f.guardianConsentAt() != null) {
        items.add(new PersonalDataItem("user.privacy", "guardianConsentAt", f.guardianConsentAt().toString()));
      }
      if (f.restrictedAt() != null) {
        items.add(new PersonalDataItem("user.privacy", "restrictedAt", f.restrictedAt().toString()));
      }
    });
    return items;
  }

  @Override
  public Set<String> rectify(DataSubject subject, Map<String, String> corrections) {
    return Set.of();
  }

  @Override
  public ErasureResult erase(DataSubject subject, Predicate<String> keep) {
    return new ErasureResult(Set.of(), Set.of("user.privacy"));
  }
}
