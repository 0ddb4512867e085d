package com.neurasea.store.jdbc.internal;

import com.neurasea.model.ErrorCode;
import com.neurasea.model.NeuraSeaException;
import java.util.List;

/**
 * A failure that goes away on retry: the database was busy. It reaches a caller, with code {@code
 * UNAVAILABLE}, only after the bounded retries ran out.
 */
public final class TransientFailure extends NeuraSeaException {
  private static final long serialVersionUID = 1L;

  TransientFailure(Throwable cause) {
    super(ErrorCode.UNAVAILABLE, "the database is busy; try again", List.of(), cause);
  }
}
