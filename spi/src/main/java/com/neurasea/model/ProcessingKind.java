package com.neurasea.model;

/** What was done with personal information, as recorded in the privacy ledger. */
public enum ProcessingKind {
  /** Information was collected (received from the subject, a host or a third party). */
  COLLECTION,
  /** Information already held was used for a purpose. */
  USE,
  /** Information was transmitted to a third party (a recipient). */
  DISCLOSURE,
  /** Information was corrected at the subject's request or by an administrator. */
  RECTIFICATION,
  /** Information was restricted: kept, but no longer processed. */
  RESTRICTION,
  /** Information was deleted. */
  ERASURE,
  /** Information was anonymized so that it no longer relates to the subject. */
  ANONYMIZATION,
  /** A step of a data-subject request (received, verified, routed, fulfilled, refused). */
  REQUEST,
  /** The subject acknowledged a version of the privacy policy or gave or withdrew consent. */
  ACKNOWLEDGMENT
}
