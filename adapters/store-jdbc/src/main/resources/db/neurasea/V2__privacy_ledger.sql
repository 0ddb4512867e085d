-- NeuraSea schema, version 2: the privacy ledger.
--
-- Portable across SQLite and PostgreSQL with the conventions of version 1: TEXT identifiers, BIGINT
-- epoch milliseconds. Bytes are stored as TEXT because SQLite's BLOB and PostgreSQL's BYTEA bind
-- differently: hashes (leaf_hash, root) as lower-case hex of their 32 bytes, the entry content as
-- standard base64 with padding (at most 64 KiB of bytes, so at most 87,384 characters).
-- Nullable columns hold NULL for "none": tenant_id for platform-level processing, subject_key for a
-- record that concerns no one subject; neither takes part in a unique constraint.

-- idx is the entry's position, 0-based and gapless: appenders serialize and take MAX(idx) + 1.
CREATE TABLE ledger_entries (
  idx         BIGINT NOT NULL PRIMARY KEY,
  recorded_at BIGINT NOT NULL,
  tenant_id   TEXT,
  subject_key TEXT,
  content     TEXT   NOT NULL,
  leaf_hash   TEXT   NOT NULL
);
CREATE INDEX ix_ledger_entries_subject ON ledger_entries (subject_key, idx);

-- size is the number of entries the checkpoint covers; signed_text is kept verbatim.
CREATE TABLE ledger_checkpoints (
  size          BIGINT NOT NULL PRIMARY KEY,
  root          TEXT   NOT NULL,
  checkpoint_at BIGINT NOT NULL,
  key_id        TEXT   NOT NULL,
  signed_text   TEXT   NOT NULL
);
