package com.neurasea.quota;

import com.neurasea.model.DataSubject;
import com.neurasea.model.ErasureResult;
import com.neurasea.model.PageRequest;
import com.neurasea.model.PersonalDataItem;
import com.neurasea.model.UsageRecord;
import com.neurasea.spi.PersonalDataContributor;
import com.neurasea.spi.Storage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Usage records as personal data: exported in full; on erasure and after 180 days the client IP
 * address and user agent are cleared, while the records themselves (consumed quota) are kept and
 * restricted because billing records are kept for commercial and tax law.
 */
final class UsageContributor implements PersonalDataContributor {
  static final String NAME = "usage";
  private static final int PAGE = 1000;

  private final Storage storage;
  private final QuotaEngine engine;

  UsageContributor(Storage storage, QuotaEngine engine) {
    this.storage = storage;
    this.engine = engine;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<PersonalDataItem> export(DataSubject subject) {
    engine.flush();
    List<PersonalDataItem> items = new ArrayList<>();
    for (int offset = 0; ; offset += PAGE) {
      List<UsageRecord> page = storage.quota().usageOfUser(subject.userId(), new PageRequest(offset, PAGE));
      for (UsageRecord usage : page) {
        String field = "usage[" + usage.requestId() + "]";
        items.add(new PersonalDataItem("user.usage", field, usage.finishedAt() + " " + usage.status().key()
            + (usage.model() == null ? "" : " model " + usage.model()) + " tokens " + usage.promptTokens() + "/"
            + usage.completionTokens() + "/" + usage.cachedTokens() + " cost " + usage.cost()
            + (usage.errorCode() == null ? "" : " error " + usage.errorCode()) + " tenant " + usage.tenantId()));
        if (usage.clientIp() != null) {
          items.add(new PersonalDataItem("user.device.ip_address", field + ".clientIp", usage.clientIp()));
        }
        if (usage.userAgent() != null) {
          items.add(new PersonalDataItem("user.device.user_agent", field + ".userAgent", usage.userAgent()));
        }
      }
      if (page.size() < PAGE) {
        return items;
      }
    }
  }

  @Override
  public Set<String> rectify(DataSubject subject, Map<String, String> corrections) {
    return Set.of();
  }

  @Override
  public ErasureResult erase(DataSubject subject, Predicate<String> keep) {
    engine.flush();
    if (keep.test("user.device.ip_address") || keep.test("user.device.user_agent")) {
      return new ErasureResult(Set.of(), Set.of("user.device", "user.usage"));
    }
    storage.quota().eraseUsageDetails(subject.userId());
    return new ErasureResult(Set.of("user.device.ip_address", "user.device.user_agent"), Set.of("user.usage"));
  }

  @Override
  public long sweep(String category, Instant cutoff) {
    if (!category.startsWith("user.device.")) {
      return 0;
    }
    return storage.quota().eraseUsageDetailsBefore(cutoff);
  }
}
