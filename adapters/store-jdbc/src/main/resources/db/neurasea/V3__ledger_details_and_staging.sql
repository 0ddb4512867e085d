-- NeuraSea schema, version 3: erasable details of ledger entries, and staged records.
--
-- Personal data that belongs with a processing record (the IP address and user agent of a sign-in,
-- say) is kept here, beside the entry and outside its hash, so that erasing it never changes a
-- leaf. Rows are deleted by subject (a data-subject erasure) or by age (a retention sweep).
CREATE TABLE ledger_details (
  idx         BIGINT NOT NULL PRIMARY KEY,
  subject_key TEXT   NOT NULL,
  recorded_at BIGINT NOT NULL,
  details     TEXT   NOT NULL
);
CREATE INDEX ix_ledger_details_subject ON ledger_details (subject_key);
CREATE INDEX ix_ledger_details_recorded ON ledger_details (recorded_at);

-- Processing records staged by a unit of work, waiting to be sequenced into the log. A unit of
-- work only inserts here (so concurrent writers never contend for the log's tail); a sequencer
-- moves staged rows into ledger_entries in id order, under the ledger's append lock, and deletes
-- them in the same transaction. body is the record's canonical text without its position.
CREATE TABLE ledger_staged (
  id          TEXT   NOT NULL PRIMARY KEY,
  recorded_at BIGINT NOT NULL,
  tenant_id   TEXT,
  subject_key TEXT,
  body        TEXT   NOT NULL,
  details     TEXT
);
