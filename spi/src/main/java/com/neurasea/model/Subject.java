package com.neurasea.model;

import java.util.Objects;

/**
 * The holder of a role binding: a user or a group.
 *
 * @param kind user or group
 * @param id the user's or group's identifier value
 */
public record Subject(SubjectKind kind, String id) {
  /** Validates the components. */
  public Subject {
    Objects.requireNonNull(kind, "kind");
    Ids.check("subject.id", id);
  }

  /** A user subject. */
  public static Subject user(UserId userId) {
    return new Subject(SubjectKind.USER, userId.value());
  }

  /** A group subject. */
  public static Subject group(GroupId groupId) {
    return new Subject(SubjectKind.GROUP, groupId.value());
  }
}
