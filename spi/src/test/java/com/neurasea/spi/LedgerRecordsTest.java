package com.neurasea.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import java.time.Instant;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class LedgerRecordsTest {
  private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");
  private static final byte[] HASH = new byte[32];

  @Test
  void detailsNeedASubjectAndALengthInRange() {
    assertInvalid(() -> new NewLedgerEntry(AT, null, null, new byte[] {1}, HASH, "ip"), "details");
    assertInvalid(() -> new NewLedgerEntry(AT, null, "subj_a", new byte[] {1}, HASH, ""), "details");
    assertInvalid(() -> new NewLedgerEntry(AT, null, "subj_a", new byte[] {1}, HASH,
        "x".repeat(NewLedgerEntry.MAX_DETAILS_CHARS + 1)), "details");
    assertInvalid(() -> new LedgerEntry(0, AT, null, null, new byte[] {1}, HASH, "ip"), "details");

    NewLedgerEntry entry = new NewLedgerEntry(AT, null, "subj_a", new byte[] {1}, HASH,
        "x".repeat(NewLedgerEntry.MAX_DETAILS_CHARS));
    assertThat(LedgerEntry.of(3, entry).details()).hasSize(NewLedgerEntry.MAX_DETAILS_CHARS);
    assertThat(LedgerEntry.of(3, entry).withoutDetails().details()).isNull();
  }

  @Test
  void theStringFormNeverShowsContentOrDetails() {
    NewLedgerEntry entry = new NewLedgerEntry(AT, null, "subj_a", "secret content".getBytes(), HASH, "192.0.2.1");
    assertThat(entry.toString()).doesNotContain("secret").doesNotContain("192.0.2.1").contains("9 chars");
    assertThat(LedgerEntry.of(0, entry).toString()).doesNotContain("secret").doesNotContain("192.0.2.1");
  }

  @Test
  void entriesDifferingOnlyInDetailsAreNotEqual() {
    NewLedgerEntry a = new NewLedgerEntry(AT, null, "subj_a", new byte[] {1}, HASH);
    assertThat(a.withDetails("x")).isNotEqualTo(a).isEqualTo(a.withDetails("x"));
    assertThat(a.withDetails("x").hashCode()).isEqualTo(a.withDetails("x").hashCode());
  }

  private static void assertInvalid(ThrowingCallable call, String field) {
    assertThatThrownBy(call).isInstanceOfSatisfying(NeuraSeaException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(e.fieldErrors()).anySatisfy(f -> assertThat(f.field()).isEqualTo(field));
    });
  }
}
