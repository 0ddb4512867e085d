package com.neurasea.quota;

import com.neurasea.model.ProcessingKind;
import com.neurasea.model.ProcessingRecord;
import com.neurasea.model.TenantId;
import com.neurasea.model.UsageRecord;
import com.neurasea.model.UserId;
import com.neurasea.privacy.PrivacyLedger;
import com.neurasea.spi.PoolCharge;
import com.neurasea.spi.Settlement;
import com.neurasea.spi.Storage;
import com.neurasea.spi.Stores;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes settlements to the store in batches, off the request path: one transaction per batch writes
 * the usage records, consumes their charges from this host's leases and stages one privacy ledger
 * record per user of the batch, so the books and the ledger never disagree with the records.
 */
final class SettlementWriter {
  /** Settlements per transaction. */
  static final int MAX_BATCH = 512;
  /**
   * Settlements that may wait in memory; beyond this a settle waits for the writer, so a host that
   * settles faster than its store can take usage records slows down instead of running out of memory.
   */
  static final int MAX_BACKLOG = 100_000;

  /**
   * A usage record and the local pools its charges came out of; the {@link Settlement} is only built
   * when it is written, so what waits in memory stays small.
   */
  record Pending(UsageRecord usage, LocalDate day, LocalPool[] pools, long[] amounts, long sequence) {
    Settlement settlement() {
      List<PoolCharge> charges = new ArrayList<>(pools.length);
      for (int i = 0; i < pools.length; i++) {
        charges.add(new PoolCharge(pools[i].key, amounts[i]));
      }
      return new Settlement(usage, day, charges);
    }
  }

  private final Storage storage;
  private final PrivacyLedger ledger;
  private final String hostId;
  private final SettlementJournal journal;
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  /** A batch whose write failed, written first next time. Guarded by this. */
  private List<Pending> carried = List.of();

  SettlementWriter(Storage storage, PrivacyLedger ledger, String hostId, SettlementJournal journal) {
    this.storage = storage;
    this.ledger = ledger;
    this.hostId = hostId;
    this.journal = journal;
  }

  /**
   * Queues a settlement; its charges are already counted in its pools' {@code unflushed}. Waits while
   * more than {@value #MAX_BACKLOG} settlements are queued.
   */
  void enqueue(UsageRecord usage, LocalDate day, LocalPool[] pools, long[] amounts) {
    long sequence = journal.append(usage, day, pools, amounts);
    queue.add(new Pending(usage, day, pools, amounts, sequence));
    if (queued.incrementAndGet() > MAX_BACKLOG) {
      awaitBacklog();
    }
  }

  private void awaitBacklog() {
    long waited = 0;
    while (queued.get() > MAX_BACKLOG && waited < java.util.concurrent.TimeUnit.SECONDS.toNanos(30)) {
      java.util.concurrent.locks.LockSupport.parkNanos(200_000);
      waited += 200_000;
    }
  }

  /** How many settlements wait to be written. */
  int backlog() {
    return queued.get() + carried.size();
  }

  /**
   * Writes everything queued when it is called (what arrives meanwhile waits for the next call, so a
   * busy host's maintenance is never starved). A batch that fails stays first in line and the failure
   * is thrown.
   *
   * @return how many usage records were written
   */
  synchronized int flush() {
    int written = 0;
    int remaining = backlog();
    while (remaining > 0) {
      List<Pending> batch = carried.isEmpty() ? drain() : carried;
      if (batch.isEmpty()) {
        return written;
      }
      carried = batch;
      written += writePending(batch);
      carried = List.of();
      remaining -= batch.size();
      for (Pending pending : batch) {
        for (int i = 0; i < pending.pools.length; i++) {
          pending.pools[i].unflushed.add(-pending.amounts[i]);
          pending.pools[i].leased.addAndGet(-pending.amounts[i]);
        }
      }
      journal.written(batch.get(batch.size() - 1).sequence);
    }
    return written;
  }

  private List<Pending> drain() {
    List<Pending> batch = new ArrayList<>(Math.min(MAX_BATCH, Math.max(1, queued.get())));
    Pending next;
    while (batch.size() < MAX_BATCH && (next = queue.poll()) != null) {
      queued.decrementAndGet();
      batch.add(next);
    }
    return batch;
  }

  private int writePending(List<Pending> batch) {
    List<Settlement> settlements = new ArrayList<>(batch.size());
    for (Pending pending : batch) {
      settlements.add(pending.settlement());
    }
    return write(settlements).size();
  }

  /**
   * Writes settlements in one transaction with their ledger records; the store skips those it has
   * (a journal replay after a crash).
   *
   * @return the records written
   */
  List<UsageRecord> write(List<Settlement> settlements) {
    return storage.inLockingTransaction(stores -> {
      List<UsageRecord> written = stores.quota().settle(hostId, settlements);
      recordInLedger(stores, written);
      return written;
    });
  }

  private void recordInLedger(Stores stores, List<UsageRecord> written) {
    record Subject(TenantId tenant, UserId user) {}
    Map<Subject, List<UsageRecord>> bySubject = new LinkedHashMap<>();
    for (UsageRecord usage : written) {
      if (usage.userId() != null) {
        bySubject.computeIfAbsent(new Subject(usage.tenantId(), usage.userId()), s -> new ArrayList<>()).add(usage);
      }
    }
    bySubject.forEach((subject, records) -> {
      ledger.record(stores, usageRecord(subject.tenant(), subject.user(), records));
      ProcessingRecord disclosure = disclosureRecord(subject.tenant(), subject.user(), records);
      if (disclosure != null) {
        ledger.record(stores, disclosure);
      }
    });
  }

  /**
   * The disclosure of request content to model providers, for the records that went to an upstream
   * channel; null when none did. A channel named {@code local:…} runs in-process and discloses nothing.
   */
  private ProcessingRecord disclosureRecord(TenantId tenant, UserId user, List<UsageRecord> records) {
    java.util.TreeSet<String> channels = new java.util.TreeSet<>();
    int count = 0;
    for (UsageRecord usage : records) {
      if (usage.channel() != null && !usage.channel().startsWith(Usage.LOCAL_CHANNEL_PREFIX)) {
        channels.add(usage.channel());
        count++;
      }
    }
    if (channels.isEmpty()) {
      return null;
    }
    String reference = "disclosure:" + count + ":" + String.join("/", channels);
    if (reference.length() > 200) {
      reference = "disclosure:" + count + ":" + channels.size() + "-channels";
    }
    return ProcessingRecord.of(ProcessingKind.DISCLOSURE).module("routing").tenant(tenant).subject(user)
        .categories("user.usage.request_content").purpose("service_delivery", ledger.jurisdiction().contract())
        .disclosedTo("model_provider", "selected_service", false).reference(reference).build();
  }

  private ProcessingRecord usageRecord(TenantId tenant, UserId user, List<UsageRecord> records) {
    List<String> categories = new ArrayList<>(List.of("user.usage.request_time", "user.usage.model_and_node",
        "user.usage.task_status", "user.usage.consumed_quota"));
    boolean errors = false;
    boolean ip = false;
    boolean agent = false;
    for (UsageRecord usage : records) {
      errors |= usage.errorCode() != null;
      ip |= usage.clientIp() != null;
      agent |= usage.userAgent() != null;
    }
    if (errors) {
      categories.add("user.usage.error_codes");
    }
    if (ip) {
      categories.add("user.device.ip_address");
    }
    if (agent) {
      categories.add("user.device.user_agent");
    }
    return ProcessingRecord.of(ProcessingKind.COLLECTION).module("quota").tenant(tenant).subject(user)
        .categories(categories).purpose("service_delivery", ledger.jurisdiction().contract())
        .reference("usage:" + records.size() + ":" + records.get(0).requestId()).build();
  }
}
