-- NeuraSea schema, version 3: erasable details of ledger entries.
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
