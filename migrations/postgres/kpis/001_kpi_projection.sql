-- The KPI projection (src/stores/kpis): what the worker's `kpis` sink reports of each run, upserted by key and kept
-- only when a row's seq (the run's report number) is at least the stored one, so replays never count twice.
-- Times are milliseconds since the epoch, from the runs' workflow clocks. The SQLite store has the same tables.

CREATE TABLE kpi_runs (
  workflow_id text NOT NULL,
  run_id text NOT NULL,
  process text NOT NULL,
  seq bigint NOT NULL,
  started_at bigint NOT NULL,
  ended_at bigint,
  state text NOT NULL,
  PRIMARY KEY (workflow_id, run_id)
);
CREATE INDEX kpi_runs_started ON kpi_runs (process, started_at);
-- Covering: the KPIs' counts and durations read the index alone.
CREATE INDEX kpi_runs_ended ON kpi_runs (process, ended_at, state, started_at);

-- One visit of a step (a step run again after it ended is a second visit).
CREATE TABLE kpi_steps (
  workflow_id text NOT NULL,
  run_id text NOT NULL,
  step text NOT NULL,
  visit integer NOT NULL,
  process text NOT NULL,
  seq bigint NOT NULL,
  mode text NOT NULL,
  started_at bigint NOT NULL,
  ended_at bigint,
  outcome text NOT NULL,
  attempts integer NOT NULL,
  errors integer NOT NULL,
  escalations integer NOT NULL,
  person_wait_ms bigint NOT NULL,
  PRIMARY KEY (workflow_id, run_id, step, visit)
);
-- Covering: the per-step KPIs of 10,000 runs read the index alone, not the table.
CREATE INDEX kpi_steps_visits ON kpi_steps (process, started_at, outcome, ended_at, step, mode, person_wait_ms, errors, escalations);

CREATE TABLE kpi_questions (
  workflow_id text NOT NULL,
  run_id text NOT NULL,
  question text NOT NULL,
  process text NOT NULL,
  seq bigint NOT NULL,
  question_kind text NOT NULL,
  step text NOT NULL,
  opened_at bigint NOT NULL,
  closed_at bigint,
  action text,
  automatic smallint,
  PRIMARY KEY (workflow_id, run_id, question)
);
CREATE INDEX kpi_questions_opened ON kpi_questions (process, opened_at);

CREATE TABLE kpi_items (
  workflow_id text NOT NULL,
  run_id text NOT NULL,
  step text NOT NULL,
  round integer NOT NULL,
  item text NOT NULL,
  process text NOT NULL,
  seq bigint NOT NULL,
  outcome text NOT NULL,
  at bigint NOT NULL,
  PRIMARY KEY (workflow_id, run_id, step, round, item)
);
CREATE INDEX kpi_items_at ON kpi_items (process, at);
