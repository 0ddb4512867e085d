package com.neurasea.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.neurasea.model.AccountRef;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.Meter;
import com.neurasea.model.NeuraSeaException;
import com.neurasea.model.PoolKey;
import com.neurasea.model.PriceId;
import com.neurasea.model.TenantId;
import com.neurasea.model.TokenId;
import com.neurasea.model.UsageRecord;
import com.neurasea.model.UsageStatus;
import com.neurasea.model.UserId;
import com.neurasea.spi.PoolCharge;
import com.neurasea.spi.Settlement;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MappedJournalTest {
  private static final TenantId TENANT = new TenantId("tnt_1");
  private static final UserId USER = new UserId("usr_1");
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @TempDir Path dir;

  static UsageRecord record(String requestId, String userAgent) {
    return new UsageRecord(requestId, TENANT, USER, new TokenId("tok_1"), "vendor/model:1", "chan-1", 1200, 300, 40,
        360, 5, new PriceId("prc_1"), 12_500, UsageStatus.FAILED, "upstream_timeout", 812, T0, T0.plusMillis(812),
        "2001:db8::1", userAgent, "host-a");
  }

  static LocalPool pool(Meter meter, long window) {
    return new LocalPool(new PoolKey(AccountRef.user(TENANT, USER), meter, window), Long.MAX_VALUE, 1000);
  }

  @Test
  void whatWasAppendedIsReadBackByTheNextOpenerExactly() {
    LocalPool credits = pool(Meter.CREDITS, 0);
    LocalPool requests = pool(Meter.REQUESTS, T0.toEpochMilli());
    UsageRecord settled = record("req-1", "Mozilla/5.0 — 中文 ✓");
    Reservation open = new Reservation("req-2", new Chain(TENANT, USER, null, List.of()), 50, 0, T0.toEpochMilli(),
        T0.toEpochMilli() + 1000, ZoneOffset.UTC, new LocalPool[0], new long[0]);
    MappedJournal journal = MappedJournal.open(dir, "host-a", 1 << 16);
    journal.append(settled, LocalDate.of(2026, 3, 1), new LocalPool[] {credits, requests}, new long[] {360, 1});
    journal.opened(open);
    // no close: as if the process died here

    MappedJournal next = reopenAfterCrash(journal);
    assertThat(next.hostId()).isEqualTo("host-a");
    assertThat(next.recovered()).containsExactly(
        new Settlement(settled, LocalDate.of(2026, 3, 1), List.of(new PoolCharge(credits.key, 360),
            new PoolCharge(requests.key, 1))),
        new SettlementCodec.Opened("req-2", TENANT, USER, null, T0.toEpochMilli()));
    next.close();
  }

  @Test
  void segmentsRollAndAreDeletedOnceWrittenAndATornEntryEndsRecovery() throws IOException {
    MappedJournal journal = MappedJournal.open(dir, null, 4096);
    long last = 0;
    for (int i = 0; i < 120; i++) {
      last = journal.append(record("req-" + i, "ua"), LocalDate.of(2026, 3, 1), new LocalPool[0], new long[0]);
    }
    assertThat(segments()).hasSizeGreaterThan(2);
    journal.written(last - 1);
    assertThat(segments()).hasSize(1); // only the segment still being written stays

    // tear the last entry: recovery keeps what came before it and stops there
    Path segment = segments().get(0);
    MappedJournal next = reopenAfterCrash(journal);
    int before = next.recovered().size();
    next.close();
    try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
      file.seek(8 + 20);
      file.write(0x5a);
    }
    MappedJournal torn = MappedJournal.open(dir, null, 4096);
    assertThat(torn.recovered()).hasSizeLessThan(before);
    torn.close(true); // a clean stop with everything written leaves no segment behind
    assertThat(segments()).isEmpty();
  }

  @Test
  void aJournalIsUsedByOneInstanceAndBelongsToOneHost() {
    MappedJournal journal = MappedJournal.open(dir, "host-a", 4096);
    NeuraSeaException busy = catchThrowable(() -> MappedJournal.open(dir, "host-a", 4096));
    assertThat(busy.code()).isEqualTo(ErrorCode.FAILED_PRECONDITION);
    assertThat(busy.getMessage()).contains("in use by another instance");
    journal.close();
    NeuraSeaException other = catchThrowable(() -> MappedJournal.open(dir, "host-b", 4096));
    assertThat(other.getMessage()).contains("belongs to host host-a");
    assertThatThrownBy(() -> MappedJournal.open(dir, null, 4096).append(record("x".repeat(100), "u".repeat(5000)),
        LocalDate.of(2026, 3, 1), new LocalPool[0], new long[0])).isInstanceOf(IllegalArgumentException.class);
  }

  private static NeuraSeaException catchThrowable(Runnable call) {
    try {
      call.run();
    } catch (NeuraSeaException e) {
      return e;
    }
    throw new AssertionError("expected a NeuraSeaException");
  }

  /** Releases the lock the way a dead process's would be, without the clean close's clearing. */
  private MappedJournal reopenAfterCrash(MappedJournal journal) {
    journal.close();
    return MappedJournal.open(dir, null, 1 << 16);
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().startsWith("seg-")).sorted().toList();
    }
  }
}
