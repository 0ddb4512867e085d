-- NeuraSea schema, version 4: data-subject rights.
--
-- Portable across SQLite and PostgreSQL with the conventions of version 1: TEXT identifiers and
-- enum names, BIGINT epoch milliseconds, INTEGER 0/1 booleans, NULL for "none" in columns that take
-- part in no unique constraint.
-- No foreign keys to users: an erasure anonymizes the account, but its requests and policy
-- acknowledgments are kept as evidence of what was asked and agreed.

-- A data-subject request. is_open is 1 while the status still needs work (RECEIVED, VERIFIED,
-- ROUTED, IN_PROGRESS) and 0 once FULFILLED or REFUSED; the store derives it from the status on
-- every write. It, not closed_at, decides openness: a request reopened keeps its earlier closed_at.
-- version counts the changes, for optimistic concurrency. payload may hold personal data (what a
-- rectification asks to change) and is cleared once the request closes.
CREATE TABLE privacy_requests (
  id                  TEXT    NOT NULL PRIMARY KEY,
  user_id             TEXT    NOT NULL,
  type                TEXT    NOT NULL,
  status              TEXT    NOT NULL,
  is_open             INTEGER NOT NULL,
  routed_to           TEXT,
  received_at         BIGINT  NOT NULL,
  due_at              BIGINT  NOT NULL,
  extension_reason    TEXT,
  verified_at         BIGINT,
  verification_method TEXT,
  closed_at           BIGINT,
  outcome             TEXT,
  progress            TEXT,
  payload             TEXT,
  version             BIGINT  NOT NULL,
  updated_at          BIGINT  NOT NULL
);
-- One open request per subject and type. The name contains "type": the store maps a violation to
-- that field by it (SQLite names the columns instead, which contain it too). It also serves the
-- lookup of a subject's open request of a type.
CREATE UNIQUE INDEX uq_privacy_requests_open_type ON privacy_requests (user_id, type) WHERE is_open = 1;
-- Listings by receipt, everyone's and one subject's; overdue open requests by deadline.
CREATE INDEX ix_privacy_requests_received ON privacy_requests (received_at, id);
CREATE INDEX ix_privacy_requests_user_received ON privacy_requests (user_id, received_at, id);
CREATE INDEX ix_privacy_requests_open_due ON privacy_requests (due_at, id) WHERE is_open = 1;

-- A legal hold. categories holds the category keys joined with commas (keys never contain one);
-- released_at is NULL while the hold is active.
CREATE TABLE legal_holds (
  id          TEXT   NOT NULL PRIMARY KEY,
  user_id     TEXT   NOT NULL,
  categories  TEXT   NOT NULL,
  reason      TEXT   NOT NULL,
  created_at  BIGINT NOT NULL,
  released_at BIGINT
);
CREATE INDEX ix_legal_holds_user_created ON legal_holds (user_id, created_at, id);

-- Published versions of the privacy policy; document_sha256 is the lower-case hex of the text's hash.
CREATE TABLE policy_versions (
  version         TEXT   NOT NULL PRIMARY KEY,
  effective_at    BIGINT NOT NULL,
  summary         TEXT   NOT NULL,
  document_sha256 TEXT   NOT NULL,
  published_at    BIGINT NOT NULL
);
CREATE INDEX ix_policy_versions_effective ON policy_versions (effective_at, version);

-- A user's acknowledgment of a policy version, once per user and version.
CREATE TABLE policy_acknowledgments (
  user_id         TEXT   NOT NULL,
  version         TEXT   NOT NULL,
  acknowledged_at BIGINT NOT NULL,
  client_ip       TEXT,
  method          TEXT   NOT NULL,
  CONSTRAINT pk_policy_acknowledgments PRIMARY KEY (user_id, version)
);
CREATE INDEX ix_policy_acknowledgments_version ON policy_acknowledgments (version, acknowledged_at, user_id);

-- Privacy facts about a subject, one row per subject, replaced as a whole.
CREATE TABLE subject_flags (
  user_id             TEXT    NOT NULL PRIMARY KEY,
  minor               INTEGER NOT NULL,
  guardian_consent_at BIGINT,
  guardian_reference  TEXT,
  restricted_at       BIGINT,
  restriction_reason  TEXT,
  updated_at          BIGINT  NOT NULL
);
