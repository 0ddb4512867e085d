package com.neurasea.model;

/**
 * Stable, machine-readable error codes. The names are part of the public contract: hosts, HTTP
 * clients and tests match on them, so a code is never renamed or reused for another meaning.
 */
public enum ErrorCode {
  /** The request is malformed or a field failed validation; see the field errors. */
  INVALID_ARGUMENT,
  /** The credentials are missing, wrong, expired or revoked. */
  UNAUTHENTICATED,
  /** The caller is known but may not do this. */
  PERMISSION_DENIED,
  /** The thing does not exist, or exists in a tenant the caller cannot see. */
  NOT_FOUND,
  /** The change collides with existing state (a duplicate name, a concurrent change). */
  CONFLICT,
  /** The system is not in a state that allows the operation (a suspended tenant, a locked account). */
  FAILED_PRECONDITION,
  /** A budget would be overspent. */
  QUOTA_EXCEEDED,
  /** A rate limit is reached; retry later. */
  RATE_LIMITED,
  /** An upstream provider could not be reached or failed. */
  UPSTREAM_UNAVAILABLE,
  /** A backend of the platform itself (the database) is unavailable; the call may be retried. */
  UNAVAILABLE,
  /** A defect: something that should never happen happened. */
  INTERNAL
}
