/**
 * The KPIs' SQL, the same on SQLite and PostgreSQL (window functions, `CASE`, `UNION ALL`): counting and the
 * percentiles happen in the database, so 10,000 runs answer in milliseconds, not by reading every row into Node.
 *
 * Percentiles are nearest-rank: the p-th percentile of n values is the value at rank ceil(n * p / 100) in order
 * (p50 of 1, 2, 3, 4 is 2), computed as `(n * p + 99) / 100` in integer arithmetic on both databases.
 */
import type { KpiStore } from '../stores/kpis/store';

/** The UTC day (YYYY-MM-DD) of a time in milliseconds, in the store's dialect. */
export function dayOf(dialect: KpiStore['dialect'], column: string): string {
  return dialect === 'sqlite'
    ? `strftime('%Y-%m-%d', ${column} / 1000, 'unixepoch')`
    : `to_char(to_timestamp(${column} / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
}

/**
 * p50 and p95 (and the count n) of `v` in the rows of `source`, per group of `groups` (columns `source` selects too).
 */
export function percentilesSql(source: string, groups: readonly string[]): string {
  const partition = groups.length ? `PARTITION BY ${groups.join(', ')}` : '';
  const columns = groups.map((g) => `${g}, `).join('');
  return (
    `SELECT ${columns}MAX(n) AS n, ` +
    `MAX(CASE WHEN rn = (n * 50 + 99) / 100 THEN v END) AS p50, ` +
    `MAX(CASE WHEN rn = (n * 95 + 99) / 100 THEN v END) AS p95 ` +
    `FROM (SELECT ${columns}v, ROW_NUMBER() OVER (${partition} ORDER BY v) AS rn, COUNT(*) OVER (${partition}) AS n ` +
    `FROM (${source}) measured) ranked` +
    (groups.length ? ` GROUP BY ${groups.join(', ')}` : '')
  );
}

/** `process = ?` for one process, or every process; its parameters come first in each query's list. */
const processIs = (process: string | undefined) => (process === undefined ? '1 = 1' : 'process = ?');
const processParam = (process: string | undefined): string[] => (process === undefined ? [] : [process]);

/** A query with its parameters, ready for {@link KpiStore.query}. */
export interface KpiQuery {
  sql: string;
  params: Array<string | number>;
}

/**
 * Runs per process and day: started by the day they started, completed / failed / aborted by the day they ended
 * (failed includes compensation_failed; aborted includes rejected).
 */
export function runsPerDay(dialect: KpiStore['dialect'], process: string | undefined, since: number, until: number): KpiQuery {
  const where = processIs(process);
  return {
    sql:
      `SELECT process, day, SUM(started) AS started, SUM(completed) AS completed, SUM(failed) AS failed, SUM(aborted) AS aborted FROM (` +
      `SELECT process, ${dayOf(dialect, 'started_at')} AS day, 1 AS started, 0 AS completed, 0 AS failed, 0 AS aborted ` +
      `FROM kpi_runs WHERE ${where} AND started_at >= ? AND started_at < ? ` +
      `UNION ALL SELECT process, ${dayOf(dialect, 'ended_at')} AS day, 0 AS started, ` +
      `CASE WHEN state = 'completed' THEN 1 ELSE 0 END AS completed, ` +
      `CASE WHEN state IN ('failed', 'compensation_failed') THEN 1 ELSE 0 END AS failed, ` +
      `CASE WHEN state IN ('aborted', 'rejected') THEN 1 ELSE 0 END AS aborted ` +
      `FROM kpi_runs WHERE ${where} AND ended_at >= ? AND ended_at < ?` +
      `) counted GROUP BY process, day ORDER BY process, day`,
    params: [...processParam(process), since, until, ...processParam(process), since, until],
  };
}

/** Durations of the runs that completed in the window, per process (and per day they completed, with `byDay`). */
export function runDurations(
  dialect: KpiStore['dialect'],
  process: string | undefined,
  since: number,
  until: number,
  byDay: boolean,
): KpiQuery {
  const source =
    `SELECT process, ${dayOf(dialect, 'ended_at')} AS day, ended_at - started_at AS v FROM kpi_runs ` +
    `WHERE ${processIs(process)} AND state = 'completed' AND ended_at >= ? AND ended_at < ?`;
  return { sql: percentilesSql(source, byDay ? ['process', 'day'] : ['process']), params: [...processParam(process), since, until] };
}

/** The visits of a process's steps that started in the window; not-taken branches are no work of the step. */
const VISITS = `FROM kpi_steps WHERE process = ? AND started_at >= ? AND started_at < ? AND outcome <> 'not_taken'`;

/** Per step (and mode, with `byMode`): visits, those with an error or an escalation, time and person wait of the ended ones. */
export function stepCounts(process: string, since: number, until: number, byMode: boolean): KpiQuery {
  const groups = byMode ? 'step, mode' : 'step';
  return {
    sql:
      `SELECT ${groups}, COUNT(*) AS runs, MIN(started_at) AS first_started, ` +
      `SUM(CASE WHEN errors > 0 THEN 1 ELSE 0 END) AS error_runs, ` +
      `SUM(CASE WHEN escalations > 0 THEN 1 ELSE 0 END) AS escalated_runs, ` +
      `SUM(CASE WHEN ended_at IS NOT NULL THEN person_wait_ms ELSE 0 END) AS wait_sum, ` +
      `SUM(CASE WHEN ended_at IS NOT NULL THEN ended_at - started_at ELSE 0 END) AS time_sum ` +
      `${VISITS} GROUP BY ${groups}`,
    params: [process, since, until],
  };
}

/** Percentiles per step (and mode) of the ended visits' durations, or of their waits for people. */
export function stepPercentiles(process: string, since: number, until: number, of: 'duration' | 'personWait', byMode: boolean): KpiQuery {
  const value = of === 'duration' ? 'ended_at - started_at' : 'person_wait_ms';
  const source = `SELECT step, mode, ${value} AS v ${VISITS} AND ended_at IS NOT NULL`;
  return { sql: percentilesSql(source, byMode ? ['step', 'mode'] : ['step']), params: [process, since, until] };
}

/** Percentiles of approvals' latency (asked in the window, decided; those closed by an abandoned run are left out). */
export function approvalLatency(process: string, since: number, until: number): KpiQuery {
  const source =
    `SELECT closed_at - opened_at AS v FROM kpi_questions WHERE process = ? AND question_kind = 'approval' ` +
    `AND closed_at IS NOT NULL AND action <> 'cancelled' AND opened_at >= ? AND opened_at < ?`;
  return { sql: percentilesSql(source, []), params: [process, since, until] };
}

/** Fan-out items run in the window, and how many failed. */
export function fanOutItems(process: string, since: number, until: number): KpiQuery {
  return {
    sql:
      `SELECT COUNT(*) AS items, COALESCE(SUM(CASE WHEN outcome = 'failed' THEN 1 ELSE 0 END), 0) AS failed ` +
      `FROM kpi_items WHERE process = ? AND at >= ? AND at < ?`,
    params: [process, since, until],
  };
}
