package com.neurasea.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.FieldError;
import com.neurasea.model.NeuraSeaException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions on the platform's exceptions shared by the contracts. */
final class TckAssertions {
  private TckAssertions() {}

  /** Asserts the call fails with a {@code CONFLICT} naming the field. */
  static void assertConflict(ThrowingCallable call, String field) {
    assertThatThrownBy(call).isInstanceOfSatisfying(NeuraSeaException.class, e -> {
      assertThat(e.code()).as("error code").isEqualTo(ErrorCode.CONFLICT);
      assertThat(e.fieldErrors()).as("field errors").extracting(FieldError::field).contains(field);
    });
  }

  /** Asserts the call fails with a {@code CONFLICT}, whichever field it names. */
  static void assertConflict(ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOfSatisfying(NeuraSeaException.class,
        e -> assertThat(e.code()).as("error code").isEqualTo(ErrorCode.CONFLICT));
  }

  /** Asserts the call fails with an {@code INVALID_ARGUMENT} naming the field. */
  static void assertInvalid(ThrowingCallable call, String field) {
    assertThatThrownBy(call).isInstanceOfSatisfying(NeuraSeaException.class, e -> {
      assertThat(e.code()).as("error code").isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(e.fieldErrors()).as("field errors").extracting(FieldError::field).contains(field);
    });
  }
}
