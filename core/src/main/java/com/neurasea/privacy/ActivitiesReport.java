package com.neurasea.privacy;

import com.neurasea.model.ProcessingKind;
import com.neurasea.privacy.ProcessingActivities.Activity;
import com.neurasea.privacy.ProcessingActivities.DataCategory;
import com.neurasea.privacy.ProcessingActivities.Recipient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Aggregates ledger records into {@link ProcessingActivities}, one record at a time. */
final class ActivitiesReport {
  private final Taxonomy taxonomy;
  private final Map<String, Totals> byPurpose = new LinkedHashMap<>();
  private long entries;

  ActivitiesReport(Taxonomy taxonomy) {
    this.taxonomy = taxonomy;
    taxonomy.terms(TermKind.PURPOSE).forEach(p -> byPurpose.put(p.key(), new Totals()));
  }

  void add(RecordCodec.Fields record) {
    entries++;
    Totals totals = byPurpose.computeIfAbsent(record.purpose() == null ? "(none)" : record.purpose(),
        k -> new Totals());
    totals.count++;
    if (totals.first == null || record.at().isBefore(totals.first)) {
      totals.first = record.at();
    }
    if (totals.last == null || record.at().isAfter(totals.last)) {
      totals.last = record.at();
    }
    if (record.legalBasis() != null) {
      totals.bases.add(record.legalBasis());
    }
    totals.categories.addAll(record.categories());
    totals.modules.add(record.module());
    if (record.kind() == ProcessingKind.DISCLOSURE && record.recipient() != null) {
      Disclosures d = totals.recipients.computeIfAbsent(record.recipient(), k -> new Disclosures());
      d.count++;
      if (record.ground() != null) {
        d.grounds.add(record.ground());
      }
    }
  }

  ProcessingActivities build(Instant now) {
    Term controller = taxonomy.controller();
    List<Activity> activities = new ArrayList<>();
    byPurpose.forEach((purpose, t) -> {
      String description = taxonomy.find(TermKind.PURPOSE, purpose).map(Term::label).orElse(purpose);
      List<String> bases = t.bases.stream().map(b -> label(TermKind.BASIS, b)).toList();
      Set<String> subjects = new LinkedHashSet<>();
      List<DataCategory> categories = new ArrayList<>();
      for (String key : t.categories) {
        Term term = taxonomy.find(TermKind.CATEGORY, key).orElse(null);
        if (term == null) {
          categories.add(new DataCategory(key, key, "not in the taxonomy"));
          continue;
        }
        term.attribute("subjects").ifPresent(subjects::add);
        String retention = term.attribute("retention").orElse("not stated");
        categories.add(new DataCategory(key, term.label(), retention.equals("account")
            ? "when the account is erased" : retention + " after collection"));
      }
      List<Recipient> recipients = new ArrayList<>();
      t.recipients.forEach((key, d) -> {
        Term term = taxonomy.find(TermKind.RECIPIENT, key).orElse(null);
        recipients.add(new Recipient(key, term == null ? key : term.label(),
            term == null ? "not stated" : term.attribute("transfers").orElse("not stated"),
            d.grounds.stream().map(g -> label(TermKind.GROUND, g)).toList(), d.count));
      });
      activities.add(new Activity(purpose, description, bases, List.copyOf(subjects), categories, recipients,
          List.copyOf(t.modules), t.count, t.first, t.last));
    });
    List<String> measures = taxonomy.terms(TermKind.MEASURE).stream().map(Term::label).toList();
    return new ProcessingActivities(controller.label(), controller.attribute("contact").orElse(null), now, entries,
        activities, measures);
  }

  private String label(TermKind kind, String key) {
    return taxonomy.find(kind, key).map(Term::label).orElse(key);
  }

  private static final class Totals {
    long count;
    Instant first;
    Instant last;
    final Set<String> bases = new TreeSet<>();
    final Set<String> categories = new TreeSet<>();
    final Set<String> modules = new TreeSet<>();
    final Map<String, Disclosures> recipients = new TreeMap<>();
  }

  private static final class Disclosures {
    long count;
    final Set<String> grounds = new TreeSet<>();
  }
}
