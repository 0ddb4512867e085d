package com.neurasea.privacy;

import com.neurasea.internal.JsonWriter;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The records of processing activities (GDPR Art. 30(1)), generated from the taxonomy and the
 * ledger: the controller; per purpose, the legal bases, the categories of data subjects and of
 * personal data, the recipients with their transfers, the time limits for erasure and how often
 * and when the processing was recorded; and the security measures.
 *
 * @param controller the controller's name
 * @param controllerContact how to reach the controller, or null
 * @param generatedAt when the report was made
 * @param entriesCovered the number of ledger entries the figures come from
 * @param activities one per purpose of the taxonomy, in its order
 * @param securityMeasures the technical and organizational measures (Art. 30(1)(g))
 */
public record ProcessingActivities(String controller, String controllerContact, Instant generatedAt,
    long entriesCovered, List<Activity> activities, List<String> securityMeasures) {
  /** Copies the lists. */
  public ProcessingActivities {
    Objects.requireNonNull(controller, "controller");
    activities = List.copyOf(activities);
    securityMeasures = List.copyOf(securityMeasures);
  }

  /**
   * One processing activity: everything done for one purpose.
   *
   * @param purpose the purpose key
   * @param description the purpose as the policy words it
   * @param legalBases the legal bases the records cite, as labels
   * @param subjectCategories the categories of data subjects
   * @param dataCategories the categories of personal data recorded
   * @param recipients the recipients information was disclosed to
   * @param modules the modules that did the processing
   * @param recordCount how many ledger records there are for it
   * @param firstRecordedAt the earliest of them, or null
   * @param lastRecordedAt the latest of them, or null
   */
  public record Activity(String purpose, String description, List<String> legalBases, List<String> subjectCategories,
      List<DataCategory> dataCategories, List<Recipient> recipients, List<String> modules, long recordCount,
      Instant firstRecordedAt, Instant lastRecordedAt) {
    /** Copies the lists. */
    public Activity {
      legalBases = List.copyOf(legalBases);
      subjectCategories = List.copyOf(subjectCategories);
      dataCategories = List.copyOf(dataCategories);
      recipients = List.copyOf(recipients);
      modules = List.copyOf(modules);
    }
  }

  /**
   * A category of personal data and its erasure time limit (Art. 30(1)(c), (f)).
   *
   * @param key the category key
   * @param label its label
   * @param erasure when it is erased: an ISO-8601 period after collection, or while the account exists
   */
  public record DataCategory(String key, String label, String erasure) {}

  /**
   * A recipient and the transfers disclosures to it involve (Art. 30(1)(d), (e)).
   *
   * @param key the recipient key
   * @param label its label
   * @param transfers where the information goes
   * @param grounds the disclosure grounds the records cite
   * @param disclosures how many disclosures were recorded
   */
  public record Recipient(String key, String label, String transfers, List<String> grounds, long disclosures) {
    /** Copies the list. */
    public Recipient {
      grounds = List.copyOf(grounds);
    }
  }

  /** The report as a JSON document. */
  public String toJson() {
    JsonWriter json = new JsonWriter().beginObject()
        .name("controller").beginObject().member("name", controller).member("contact", controllerContact).endObject()
        .member("generatedAt", generatedAt.toString())
        .member("entriesCovered", entriesCovered)
        .name("activities").beginArray();
    for (Activity a : activities) {
      json.beginObject()
          .member("purpose", a.purpose())
          .member("description", a.description())
          .member("legalBases", a.legalBases())
          .member("dataSubjectCategories", a.subjectCategories())
          .name("dataCategories").beginArray();
      for (DataCategory c : a.dataCategories()) {
        json.beginObject().member("key", c.key()).member("label", c.label()).member("erasure", c.erasure())
            .endObject();
      }
      json.endArray().name("recipients").beginArray();
      for (Recipient r : a.recipients()) {
        json.beginObject().member("key", r.key()).member("label", r.label()).member("transfers", r.transfers())
            .member("grounds", r.grounds()).member("disclosures", r.disclosures()).endObject();
      }
      json.endArray()
          .member("modules", a.modules())
          .member("recordCount", a.recordCount())
          .member("firstRecordedAt", a.firstRecordedAt() == null ? null : a.firstRecordedAt().toString())
          .member("lastRecordedAt", a.lastRecordedAt() == null ? null : a.lastRecordedAt().toString())
          .endObject();
    }
    return json.endArray().member("securityMeasures", securityMeasures).endObject().toString();
  }

  /** The report as plain text for people. */
  public String toText() {
    StringBuilder out = new StringBuilder();
    out.append("RECORDS OF PROCESSING ACTIVITIES (GDPR Art. 30)\n");
    out.append("Controller: ").append(controller);
    if (controllerContact != null) {
      out.append(" <").append(controllerContact).append('>');
    }
    out.append("\nGenerated: ").append(generatedAt).append(" from ").append(entriesCovered)
        .append(" privacy ledger entries\n");
    int n = 1;
    for (Activity a : activities) {
      out.append("\n").append(n++).append(". ").append(a.description()).append(" [").append(a.purpose()).append("]\n");
      out.append("   Legal bases: ").append(list(a.legalBases())).append('\n');
      out.append("   Data subjects: ").append(list(a.subjectCategories())).append('\n');
      out.append("   Personal data:\n");
      if (a.dataCategories().isEmpty()) {
        out.append("     (none recorded)\n");
      }
      for (DataCategory c : a.dataCategories()) {
        out.append("     - ").append(c.label()).append(" [").append(c.key()).append("], erased: ").append(c.erasure())
            .append('\n');
      }
      out.append("   Recipients:\n");
      if (a.recipients().isEmpty()) {
        out.append("     (no disclosures recorded)\n");
      }
      for (Recipient r : a.recipients()) {
        out.append("     - ").append(r.label()).append(" [").append(r.key()).append("], ").append(r.disclosures())
            .append(" disclosures on ").append(list(r.grounds())).append("; transfers: ").append(r.transfers())
            .append('\n');
      }
      out.append("   Modules: ").append(list(a.modules())).append('\n');
      out.append("   Records: ").append(a.recordCount());
      if (a.firstRecordedAt() != null) {
        out.append(", from ").append(a.firstRecordedAt()).append(" to ").append(a.lastRecordedAt());
      }
      out.append('\n');
    }
    out.append("\nSecurity measures:\n");
    securityMeasures.forEach(m -> out.append("  - ").append(m).append('\n'));
    return out.toString();
  }

  private static String list(List<String> items) {
    return items.isEmpty() ? "(none recorded)" : String.join("; ", items);
  }
}
