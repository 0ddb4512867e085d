package com.neurasea;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions on the platform's error codes. */
public final class Errors {
  private Errors() {}

  public static void assertCode(ThrowingCallable call, ErrorCode code) {
    assertThatThrownBy(call).isInstanceOf(NeuraSeaException.class)
        .satisfies(e -> assertThat(((NeuraSeaException) e).code()).as(e.getMessage()).isEqualTo(code));
  }

  public static NeuraSeaException thrown(ThrowingCallable call) {
    try {
      call.call();
    } catch (NeuraSeaException e) {
      return e;
    } catch (Throwable e) {
      throw new AssertionError("expected NeuraSeaException, got " + e, e);
    }
    throw new AssertionError("expected NeuraSeaException, nothing thrown");
  }
}
