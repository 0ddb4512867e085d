-- NeuraSea schema, version 1: tenancy, credentials and permissions.
--
-- Portable across SQLite and PostgreSQL: TEXT identifiers, BIGINT epoch milliseconds, INTEGER 0/1
-- booleans. Columns that take part in a unique constraint and may mean "none" hold '' instead of
-- NULL, because NULLs never collide in a UNIQUE constraint (a top-level group's parent, a built-in
-- role's tenant, a platform-scope binding's tenant, a non-group scope's group).
-- Unique constraint names contain the distinguishing column name: the store maps a violation to
-- the offending field by it.

CREATE TABLE tenants (
  id         TEXT   NOT NULL PRIMARY KEY,
  slug       TEXT   NOT NULL,
  name       TEXT   NOT NULL,
  status     TEXT   NOT NULL,
  time_zone  TEXT   NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  CONSTRAINT uq_tenants_slug UNIQUE (slug)
);
CREATE INDEX ix_tenants_created ON tenants (created_at, id);

-- username_key is the lower-cased username: usernames are unique ignoring case.
CREATE TABLE users (
  id                TEXT   NOT NULL PRIMARY KEY,
  username          TEXT   NOT NULL,
  username_key      TEXT   NOT NULL,
  display_name      TEXT,
  email             TEXT,
  phone             TEXT,
  login_method      TEXT   NOT NULL,
  email_verified_at BIGINT,
  phone_verified_at BIGINT,
  status            TEXT   NOT NULL,
  created_at        BIGINT NOT NULL,
  updated_at        BIGINT NOT NULL,
  CONSTRAINT uq_users_username_key UNIQUE (username_key)
);

CREATE TABLE memberships (
  tenant_id TEXT   NOT NULL,
  user_id   TEXT   NOT NULL,
  joined_at BIGINT NOT NULL,
  CONSTRAINT pk_memberships PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX ix_memberships_tenant_joined ON memberships (tenant_id, joined_at, user_id);
CREATE INDEX ix_memberships_user ON memberships (user_id, joined_at);

-- parent_id is '' for a top-level group.
CREATE TABLE tenant_groups (
  id         TEXT   NOT NULL PRIMARY KEY,
  tenant_id  TEXT   NOT NULL,
  name       TEXT   NOT NULL,
  parent_id  TEXT   NOT NULL,
  created_at BIGINT NOT NULL,
  CONSTRAINT uq_tenant_groups_sibling_name UNIQUE (tenant_id, parent_id, name)
);
CREATE INDEX ix_tenant_groups_created ON tenant_groups (tenant_id, created_at, id);

CREATE TABLE group_members (
  tenant_id TEXT NOT NULL,
  group_id  TEXT NOT NULL,
  user_id   TEXT NOT NULL,
  CONSTRAINT pk_group_members PRIMARY KEY (group_id, user_id)
);
CREATE INDEX ix_group_members_user ON group_members (tenant_id, user_id, group_id);

-- hash is the encoded password hash, never a password.
CREATE TABLE passwords (
  user_id         TEXT    NOT NULL PRIMARY KEY,
  hash            TEXT    NOT NULL,
  failed_attempts INTEGER NOT NULL,
  locked_until    BIGINT,
  last_login_at   BIGINT
);

-- secret_hash is the lower-case hex of the keyed hash of the secret; the allow lists are JSON
-- arrays of strings.
CREATE TABLE api_tokens (
  id               TEXT   NOT NULL PRIMARY KEY,
  tenant_id        TEXT   NOT NULL,
  user_id          TEXT   NOT NULL,
  name             TEXT   NOT NULL,
  prefix           TEXT   NOT NULL,
  secret_hash      TEXT   NOT NULL,
  created_at       BIGINT NOT NULL,
  expires_at       BIGINT,
  revoked_at       BIGINT,
  last_used_at     BIGINT,
  ip_allow_list    TEXT   NOT NULL,
  model_allow_list TEXT   NOT NULL,
  CONSTRAINT uq_api_tokens_secret_hash UNIQUE (secret_hash)
);
CREATE INDEX ix_api_tokens_tenant_created ON api_tokens (tenant_id, created_at, id);
CREATE INDEX ix_api_tokens_tenant_user ON api_tokens (tenant_id, user_id, created_at, id);

-- tenant_id is '' for a built-in role. permission_list holds the role's permissions as a JSON array
-- of strings: a copy of its role_permissions rows, written in the same transaction, so that grant
-- resolution reads one row per binding instead of one per permission (the hot path of every
-- uncached permission check). role_permissions stays the normalized, queryable form.
CREATE TABLE roles (
  id              TEXT    NOT NULL PRIMARY KEY,
  tenant_id       TEXT    NOT NULL,
  name            TEXT    NOT NULL,
  description     TEXT    NOT NULL,
  built_in        INTEGER NOT NULL,
  created_at      BIGINT  NOT NULL,
  permission_list TEXT    NOT NULL,
  CONSTRAINT uq_roles_tenant_name UNIQUE (tenant_id, name)
);
CREATE INDEX ix_roles_tenant_created ON roles (tenant_id, created_at, id);

CREATE TABLE role_permissions (
  role_id    TEXT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  permission TEXT NOT NULL,
  CONSTRAINT pk_role_permissions PRIMARY KEY (role_id, permission)
);

-- tenant_id is '' for a platform-scope binding; scope_group_id is '' unless scope_kind is GROUP.
-- The unique constraint's leading columns serve the grant resolution query as a covering index.
CREATE TABLE role_bindings (
  id             TEXT   NOT NULL PRIMARY KEY,
  tenant_id      TEXT   NOT NULL,
  subject_kind   TEXT   NOT NULL,
  subject_id     TEXT   NOT NULL,
  role_id        TEXT   NOT NULL,
  scope_kind     TEXT   NOT NULL,
  scope_group_id TEXT   NOT NULL,
  created_at     BIGINT NOT NULL,
  CONSTRAINT uq_role_bindings_subject_role_scope
    UNIQUE (tenant_id, subject_kind, subject_id, role_id, scope_kind, scope_group_id)
);
CREATE INDEX ix_role_bindings_tenant_created ON role_bindings (tenant_id, created_at, id);
CREATE INDEX ix_role_bindings_role ON role_bindings (role_id);
CREATE INDEX ix_role_bindings_scope_group ON role_bindings (tenant_id, scope_group_id);
