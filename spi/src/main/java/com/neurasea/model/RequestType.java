package com.neurasea.model;

/** The rights a data subject exercises with a request (privacy policy section 6). */
public enum RequestType {
  /** A copy of everything the platform holds on the subject. */
  ACCESS,
  /** Correction of inaccurate information. */
  RECTIFICATION,
  /** Deletion, except what a legal hold or retention duty keeps (which is restricted instead). */
  ERASURE,
  /** Keeping the information but no longer processing it. */
  RESTRICTION
}
