-- The downstream systems' health and pauses (src/postgres/system-health.ts), shared by every worker host.
-- Times are milliseconds since the epoch from the database's clock, so hosts whose clocks disagree still agree on
-- how long an outage has lasted.

-- A system failing without a success in between; at most one open (ended_at IS NULL) outage per system.
CREATE TABLE system_outages (
  id bigserial PRIMARY KEY,
  system text NOT NULL,
  started_at bigint NOT NULL,
  last_failure_at bigint NOT NULL,
  failures integer NOT NULL,
  last_error text NOT NULL,
  alerted_at bigint,
  ended_at bigint
);
CREATE UNIQUE INDEX one_open_outage_per_system ON system_outages (system) WHERE ended_at IS NULL;

-- A paused system's sends are refused on every host until it is resumed.
CREATE TABLE system_pauses (
  system text PRIMARY KEY,
  paused_by text NOT NULL,
  role text NOT NULL,
  paused_at bigint NOT NULL,
  reason text
);

-- Every pause and resume, for the record.
CREATE TABLE system_pause_log (
  id bigserial PRIMARY KEY,
  system text NOT NULL,
  action text NOT NULL CHECK (action IN ('pause', 'resume')),
  by_operator text NOT NULL,
  role text NOT NULL,
  at bigint NOT NULL,
  reason text
);
CREATE INDEX system_pause_log_by_system ON system_pause_log (system, id DESC);

-- The runs a pause refused, woken (once) by the resume.
CREATE TABLE system_paused_runs (
  system text NOT NULL,
  workflow_id text NOT NULL,
  refused_at bigint NOT NULL,
  PRIMARY KEY (system, workflow_id)
);
