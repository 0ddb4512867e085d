package com.neurasea.model;

import java.util.Objects;

/**
 * The person a data-subject request or retention step concerns: the account id, and the
 * pseudonymous key that stands for it in the privacy ledger.
 *
 * @param userId the account
 * @param subjectKey the pseudonymous ledger key
 */
public record DataSubject(UserId userId, String subjectKey) {
  /** Checks that both are present. */
  public DataSubject {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(subjectKey, "subjectKey");
  }
}
