/**
 * The KPIs' SQL, the same on SQLite and PostgreSQL: counting and grouping happen in the database; the percentiles'
 * measured values come from one pass each (./percentiles.ts ranks them, or PostgreSQL does).
 */
import type { KpiStore } from '../stores/kpis/store';

/** The UTC day (YYYY-MM-DD) of a time in milliseconds, in the store's dialect. */
export function dayOf(dialect: KpiStore['dialect'], column: string): string {
  return dialect === 'sqlite'
    ? `strftime('%Y-%m-%d', ${column} / 1000, 'unixepoch')`
    : `to_char(to_timestamp(${column} / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
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

/** The durations (`v`) of the runs that completed in the window, with their process and the day they completed. */
export function runDurations(dialect: KpiStore['dialect'], process: string | undefined, since: number, until: number): KpiQuery {
  return {
    sql:
      `SELECT process, ${dayOf(dialect, 'ended_at')} AS day, ended_at - started_at AS v FROM kpi_runs ` +
      `WHERE ${processIs(process)} AND state = 'completed' AND ended_at >= ? AND ended_at < ?`,
    params: [...processParam(process), since, until],
  };
}

/**
 * The visits of a process's steps that started in the window and have ended; not-taken branches are no work of the
 * step. The covering index kpi_steps_visits answers them without reading the table.
 */
const VISITS = `FROM kpi_steps WHERE process = ? AND started_at >= ? AND started_at < ? AND outcome <> 'not_taken' AND ended_at IS NOT NULL`;

/** Per step and mode: visits, those with an error or an escalation, their time and their wait for people. */
export function stepCounts(process: string, since: number, until: number): KpiQuery {
  return {
    sql:
      `SELECT step, mode, COUNT(*) AS runs, MIN(started_at) AS first_started, ` +
      `SUM(CASE WHEN errors > 0 THEN 1 ELSE 0 END) AS error_runs, ` +
      `SUM(CASE WHEN escalations > 0 THEN 1 ELSE 0 END) AS escalated_runs, ` +
      `SUM(person_wait_ms) AS wait_sum, SUM(ended_at - started_at) AS time_sum ` +
      `${VISITS} GROUP BY step, mode`,
    params: [process, since, until],
  };
}

/** The ended visits' time (`d`) and wait for people (`w`), with their step and mode, for the percentiles. */
export function stepMeasures(process: string, since: number, until: number): KpiQuery {
  return { sql: `SELECT step, mode, ended_at - started_at AS d, person_wait_ms AS w ${VISITS}`, params: [process, since, until] };
}

/** Approvals' latency (`v`): asked in the window and decided; those closed by an abandoned run are left out. */
export function approvalLatency(process: string, since: number, until: number): KpiQuery {
  return {
    sql:
      `SELECT closed_at - opened_at AS v FROM kpi_questions WHERE process = ? AND question_kind = 'approval' ` +
      `AND closed_at IS NOT NULL AND action <> 'cancelled' AND opened_at >= ? AND opened_at < ?`,
    params: [process, since, until],
  };
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
