-- NeuraSea schema, version 5: quotas, usage records and model prices.
--
-- Portable across SQLite and PostgreSQL with the conventions of version 1: TEXT identifiers and
-- enum names, BIGINT epoch milliseconds and integer amounts (credits, requests, tokens), '' for
-- "none" in columns that take part in a unique constraint or primary key, NULL elsewhere.
-- Unique constraint names contain the distinguishing column name: the store maps a violation to
-- the offending field by it.

-- A quota account: the limits of one level (TOKEN, USER, GROUP, TENANT) of a tenant. A NULL limit
-- means unlimited on that meter: budget (credits per period), rpm (requests per minute), tpm (tokens
-- per minute), concurrency (requests in flight). version counts the changes, for optimistic updates.
CREATE TABLE quota_accounts (
  tenant_id   TEXT   NOT NULL,
  level       TEXT   NOT NULL,
  subject_id  TEXT   NOT NULL,
  budget      BIGINT,
  period      TEXT   NOT NULL,
  rpm         BIGINT,
  tpm         BIGINT,
  concurrency BIGINT,
  version     BIGINT NOT NULL,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL,
  CONSTRAINT pk_quota_accounts PRIMARY KEY (tenant_id, level, subject_id)
);

-- A pool: one meter (CREDITS, REQUESTS, TOKENS, CONCURRENCY) of one account in one window (epoch
-- milliseconds). used is consumed for good, leased is held by hosts' leases and always equals the
-- sum of the pool's rows in quota_leases. The store keeps used + leased within the account's limit
-- for the meter, locking the row while it changes either. A row exists once something was leased
-- or charged in the window; per-minute rows are swept once their window is over and nothing is leased.
CREATE TABLE quota_pools (
  tenant_id    TEXT   NOT NULL,
  level        TEXT   NOT NULL,
  subject_id   TEXT   NOT NULL,
  meter        TEXT   NOT NULL,
  window_start BIGINT NOT NULL,
  used         BIGINT NOT NULL,
  leased       BIGINT NOT NULL,
  CONSTRAINT pk_quota_pools PRIMARY KEY (tenant_id, level, subject_id, meter, window_start)
);
CREATE INDEX ix_quota_pools_window ON quota_pools (window_start);

-- A host's lease on a pool: allowance it may hand out without a round trip. A lease that reaches 0
-- is deleted; one past expires_at is returned to its pool by the sweep unless renewed first.
CREATE TABLE quota_leases (
  tenant_id    TEXT   NOT NULL,
  level        TEXT   NOT NULL,
  subject_id   TEXT   NOT NULL,
  meter        TEXT   NOT NULL,
  window_start BIGINT NOT NULL,
  host_id      TEXT   NOT NULL,
  amount       BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL,
  CONSTRAINT pk_quota_leases PRIMARY KEY (tenant_id, level, subject_id, meter, window_start, host_id)
);
CREATE INDEX ix_quota_leases_host ON quota_leases (host_id);
CREATE INDEX ix_quota_leases_expires ON quota_leases (expires_at);

-- What one request used and was charged. request_id is the caller's, unique within its tenant, so a
-- replayed settlement is recognised and skipped (and one tenant's ids never collide with another's). client_ip and user_agent are personal data,
-- cleared on erasure and after the retention period; the partial index finds records that still
-- hold them.
CREATE TABLE usage_records (
  request_id        TEXT   NOT NULL,
  tenant_id         TEXT   NOT NULL,
  user_id           TEXT,
  token_id          TEXT,
  model             TEXT,
  channel           TEXT,
  prompt_tokens     BIGINT NOT NULL,
  completion_tokens BIGINT NOT NULL,
  cached_tokens     BIGINT NOT NULL,
  cost              BIGINT NOT NULL,
  uncharged         BIGINT NOT NULL,
  price_id          TEXT,
  multiplier        BIGINT NOT NULL,
  status            TEXT   NOT NULL,
  error_code        TEXT,
  latency_millis    BIGINT NOT NULL,
  started_at        BIGINT NOT NULL,
  finished_at       BIGINT NOT NULL,
  client_ip         TEXT,
  user_agent        TEXT,
  host_id           TEXT   NOT NULL,
  CONSTRAINT pk_usage_records PRIMARY KEY (request_id, tenant_id)
);
CREATE INDEX ix_usage_records_tenant_finished ON usage_records (tenant_id, finished_at, request_id);
CREATE INDEX ix_usage_records_user_finished ON usage_records (user_id, finished_at, request_id);
CREATE INDEX ix_usage_records_details_finished ON usage_records (finished_at)
  WHERE client_ip IS NOT NULL OR user_agent IS NOT NULL;

-- Daily statistics per tenant, day of the tenant's calendar ('YYYY-MM-DD'), user ('' for requests
-- without one) and model ('' for plain charges), added to by every usage record written. failed
-- counts the records whose status is not SUCCEEDED; cost sums the credits charged.
CREATE TABLE usage_daily (
  tenant_id         TEXT   NOT NULL,
  day               TEXT   NOT NULL,
  user_id           TEXT   NOT NULL,
  model             TEXT   NOT NULL,
  requests          BIGINT NOT NULL,
  failed            BIGINT NOT NULL,
  prompt_tokens     BIGINT NOT NULL,
  completion_tokens BIGINT NOT NULL,
  cached_tokens     BIGINT NOT NULL,
  cost              BIGINT NOT NULL,
  CONSTRAINT pk_usage_daily PRIMARY KEY (tenant_id, day, user_id, model)
);

-- A version of a model's price, never changed once stored. tenant_id is '' for the platform-wide
-- price, so that the platform, like each tenant, has one version per model and effective instant.
-- Prices are integer credits; group_multipliers is a JSON array of "groupId=basisPoints" strings.
CREATE TABLE model_prices (
  id                       TEXT   NOT NULL PRIMARY KEY,
  tenant_id                TEXT   NOT NULL,
  model                    TEXT   NOT NULL,
  effective_from           BIGINT NOT NULL,
  input_per_million        BIGINT NOT NULL,
  output_per_million       BIGINT NOT NULL,
  cached_input_per_million BIGINT NOT NULL,
  per_request              BIGINT NOT NULL,
  group_multipliers        TEXT   NOT NULL,
  created_at               BIGINT NOT NULL,
  CONSTRAINT uq_model_prices_effective_from UNIQUE (tenant_id, model, effective_from)
);
