-- NeuraSea schema, version 6: upstream channels and model aliases.
--
-- Portable across SQLite and PostgreSQL with the conventions of version 1: TEXT identifiers and
-- enum names, BIGINT epoch milliseconds, '' for "none" in columns that take part in a unique
-- constraint or primary key (here the owner: tenant_id is '' for the platform, which also sorts
-- platform rows before every tenant's), NULL elsewhere. Like the quota tables, these rows refer to
-- their tenant by id without a foreign key; a tenant's channels and aliases are deleted with it by
-- the store (deleteChannelsOf).
-- Unique constraint names contain the distinguishing column name: the store maps a violation to
-- the offending field by it.

-- An upstream channel. models and group_ids are JSON arrays of strings; model_mapping and options
-- are JSON arrays of alternating keys and values (["key1","value1","key2","value2"]), by key.
-- credential_hint is '' when the channel has no credential; sealed_credential is the credential as
-- the core sealed it (AES-GCM), NULL when there is none. version counts the changes, for
-- optimistic updates.
CREATE TABLE channels (
  id                  TEXT    NOT NULL PRIMARY KEY,
  tenant_id           TEXT    NOT NULL,
  name                TEXT    NOT NULL,
  type                TEXT    NOT NULL,
  base_url            TEXT    NOT NULL,
  models              TEXT    NOT NULL,
  model_mapping       TEXT    NOT NULL,
  priority            INTEGER NOT NULL,
  weight              INTEGER NOT NULL,
  group_ids           TEXT    NOT NULL,
  requests_per_minute INTEGER NOT NULL,
  max_concurrency     INTEGER NOT NULL,
  connect_timeout_ms  BIGINT  NOT NULL,
  read_timeout_ms     BIGINT  NOT NULL,
  options             TEXT    NOT NULL,
  status              TEXT    NOT NULL,
  status_reason       TEXT,
  credential_hint     TEXT    NOT NULL,
  sealed_credential   TEXT,
  version             BIGINT  NOT NULL,
  created_at          BIGINT  NOT NULL,
  updated_at          BIGINT  NOT NULL,
  CONSTRAINT uq_channels_name UNIQUE (tenant_id, name)
);

-- A model alias of a tenant, or of the platform (tenant_id ''). A tenant's alias hides the
-- platform's of the same name.
CREATE TABLE model_aliases (
  tenant_id  TEXT   NOT NULL,
  alias      TEXT   NOT NULL,
  model      TEXT   NOT NULL,
  created_at BIGINT NOT NULL,
  CONSTRAINT pk_model_aliases PRIMARY KEY (tenant_id, alias)
);
