/**
 * The downstream systems' health and pauses on the PostgreSQL every worker host shares (SYSTEMS_URL): the SQLite
 * store's guarantees (src/stores/system-health/sqlite-health.ts) across hosts.
 *
 * Every change of a system's records runs in one transaction that first takes a transaction-level advisory lock
 * on the system, so the reports of all hosts about one system are serialised: exactly one failure report claims an
 * outage's "degraded" alert, the first success ends the outage once (one "recovered" note in total), and a resume
 * returns the runs refused on any host once. Times come from the database's clock (unless a test passes `now`),
 * so hosts whose clocks disagree still agree on how long an outage has lasted.
 */
import type pg from 'pg';
import { MAX_ERROR_CHARS, type Outage, type Pause, type PauseRecord, type SystemHealthRecords } from './sqlite-health';
import { endPool, openPool } from '../postgres/connection';
import { migrate } from '../postgres/migrate';

// "OVRS": the systems' locks (two-integer form: never the ledger's bigint holder locks, nor the migrators' key).
const LOCK_CLASS = 0x4f565253;
/** Connections per process: a report holds one for a few milliseconds. */
const POOL_SIZE = 5;

interface OutageRow {
  id: string;
  system: string;
  started_at: string;
  last_failure_at: string;
  failures: number;
  last_error: string;
  alerted_at: string | null;
  ended_at: string | null;
}

const outageOf = (row: OutageRow): Outage => ({
  id: Number(row.id),
  system: row.system,
  startedAt: Number(row.started_at),
  lastFailureAt: Number(row.last_failure_at),
  failures: row.failures,
  lastError: row.last_error,
  ...(row.alerted_at !== null ? { alertedAt: Number(row.alerted_at) } : {}),
  ...(row.ended_at !== null ? { endedAt: Number(row.ended_at) } : {}),
});

const OPEN_OUTAGE_SQL = 'SELECT * FROM system_outages WHERE system = $1 AND ended_at IS NULL';

export interface PostgresSystemHealthOptions {
  log?: (line: string) => void;
}

/** The systems' health and pauses on PostgreSQL, one record for every host. */
export class PostgresSystemHealthStore implements SystemHealthRecords {
  private constructor(private readonly pool: pg.Pool) {}

  /** Brings the database at `url` to the systems' schema (creating it when missing) and opens a pool on it. */
  static async open(url: string, opts: PostgresSystemHealthOptions = {}): Promise<PostgresSystemHealthStore> {
    await migrate(url, 'systems', { log: opts.log });
    return new PostgresSystemHealthStore(openPool(url, 'overture-systems', POOL_SIZE));
  }

  /** Runs `work` in one transaction holding the system's lock, with the time it is (the database's unless given). */
  private async locked<T>(system: string, now: number | undefined, work: (client: pg.PoolClient, now: number) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, system]);
        const at =
          now ??
          Number(
            (await client.query<{ now: string }>('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now')).rows[0]!.now,
          );
        const result = await work(client, at);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
    } finally {
      client.release();
    }
  }

  /** Counts a transient failure; `claimed` goes to the one report (on any host) that claims the outage's alert. */
  async recordFailure(system: string, error: string, alertAfterMs: number, now?: number): Promise<{ outage: Outage; claimed: boolean }> {
    const message = error.slice(0, MAX_ERROR_CHARS);
    return this.locked(system, now, async (client, at) => {
      let row = (await client.query<OutageRow>(OPEN_OUTAGE_SQL, [system])).rows[0];
      // A failure long after the previous unalerted one (no traffic between) starts afresh.
      if (row && row.alerted_at === null && at - Number(row.last_failure_at) > alertAfterMs) {
        await client.query('DELETE FROM system_outages WHERE id = $1', [row.id]);
        row = undefined;
      }
      row = row
        ? (
            await client.query<OutageRow>(
              'UPDATE system_outages SET failures = failures + 1, last_failure_at = $2, last_error = $3 WHERE id = $1 RETURNING *',
              [row.id, at, message],
            )
          ).rows[0]!
        : (
            await client.query<OutageRow>(
              'INSERT INTO system_outages (system, started_at, last_failure_at, failures, last_error) VALUES ($1, $2, $2, 1, $3) RETURNING *',
              [system, at, message],
            )
          ).rows[0]!;
      const claimed = row.alerted_at === null && at - Number(row.started_at) >= alertAfterMs;
      if (claimed)
        row = (await client.query<OutageRow>('UPDATE system_outages SET alerted_at = $2 WHERE id = $1 RETURNING *', [row.id, at])).rows[0]!;
      return { outage: outageOf(row), claimed };
    });
  }

  /** Gives an alert claim back (its delivery failed), so that the next failure report, on any host, tries again. */
  async releaseAlert(outageId: number): Promise<void> {
    await this.pool.query('UPDATE system_outages SET alerted_at = NULL WHERE id = $1 AND ended_at IS NULL', [outageId]);
  }

  /** Counts a success: ends the open outage; returns it to the one report that ended it, when it was alerted. */
  async recordSuccess(system: string, now?: number): Promise<Outage | undefined> {
    // The common case, a healthy system, takes no lock.
    if (!(await this.currentOutage(system))) return undefined;
    return this.locked(system, now, async (client, at) => {
      const row = (await client.query<OutageRow>(OPEN_OUTAGE_SQL, [system])).rows[0];
      if (!row) return undefined;
      if (row.alerted_at === null) {
        await client.query('DELETE FROM system_outages WHERE id = $1', [row.id]);
        return undefined;
      }
      return outageOf(
        (await client.query<OutageRow>('UPDATE system_outages SET ended_at = $2 WHERE id = $1 RETURNING *', [row.id, at])).rows[0]!,
      );
    });
  }

  /** The system's open outage (failing now), if any. */
  async currentOutage(system: string): Promise<Outage | undefined> {
    const row = (await this.pool.query<OutageRow>(OPEN_OUTAGE_SQL, [system])).rows[0];
    return row ? outageOf(row) : undefined;
  }

  /** The system's outages that were alerted, newest first. */
  async outages(system: string, limit = 20): Promise<Outage[]> {
    const { rows } = await this.pool.query<OutageRow>(
      'SELECT * FROM system_outages WHERE system = $1 AND alerted_at IS NOT NULL ORDER BY id DESC LIMIT $2',
      [system, limit],
    );
    return rows.map(outageOf);
  }

  /** The system's pause, if it is paused (by an operator on any host). */
  async pauseOf(system: string): Promise<Pause | undefined> {
    const row = (
      await this.pool.query<{ system: string; paused_by: string; role: string; paused_at: string; reason: string | null }>(
        'SELECT system, paused_by, role, paused_at, reason FROM system_pauses WHERE system = $1',
        [system],
      )
    ).rows[0];
    if (!row) return undefined;
    return {
      system: row.system,
      pausedBy: row.paused_by,
      role: row.role,
      pausedAt: Number(row.paused_at),
      ...(row.reason ? { reason: row.reason } : {}),
    };
  }

  /** Pauses a system for every host (again: the newest pause's who and why win); false when it was already paused. */
  async pause(system: string, by: { operator: string; role: string }, reason?: string, now?: number): Promise<boolean> {
    return this.locked(system, now, async (client, at) => {
      const before = await client.query('SELECT 1 FROM system_pauses WHERE system = $1', [system]);
      await client.query(
        'INSERT INTO system_pauses (system, paused_by, role, paused_at, reason) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (system) DO UPDATE SET paused_by = excluded.paused_by, role = excluded.role, paused_at = excluded.paused_at, reason = excluded.reason',
        [system, by.operator, by.role, at, reason ?? null],
      );
      await this.log(client, system, 'pause', by, at, reason);
      return before.rowCount === 0;
    });
  }

  /** Resumes a system; returns whether it was paused and the runs refused on any host (once), forgetting them. */
  async resume(
    system: string,
    by: { operator: string; role: string },
    reason?: string,
    now?: number,
  ): Promise<{ wasPaused: boolean; refusedRuns: string[] }> {
    return this.locked(system, now, async (client, at) => {
      const wasPaused = ((await client.query('DELETE FROM system_pauses WHERE system = $1', [system])).rowCount ?? 0) > 0;
      const refused = (
        await client.query<{ workflow_id: string }>('DELETE FROM system_paused_runs WHERE system = $1 RETURNING workflow_id, refused_at', [
          system,
        ])
      ).rows as Array<{
        workflow_id: string;
        refused_at: string;
      }>;
      await this.log(client, system, 'resume', by, at, reason);
      const refusedRuns = refused
        .sort((a, b) => Number(a.refused_at) - Number(b.refused_at) || a.workflow_id.localeCompare(b.workflow_id))
        .map((r) => r.workflow_id);
      return { wasPaused, refusedRuns };
    });
  }

  /** Remembers that the pause refused a step of this run, so that `resume` (on any host) wakes it. */
  async noteRefusedRun(system: string, workflowId: string, now?: number): Promise<void> {
    await this.pool.query(
      'INSERT INTO system_paused_runs (system, workflow_id, refused_at) VALUES ($1, $2, COALESCE($3::bigint, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)) ON CONFLICT DO NOTHING',
      [system, workflowId, now ?? null],
    );
  }

  /** Pauses and resumes of a system, newest first. */
  async pauseHistory(system: string, limit = 20): Promise<PauseRecord[]> {
    const { rows } = await this.pool.query<{
      system: string;
      action: 'pause' | 'resume';
      by_operator: string;
      role: string;
      at: string;
      reason: string | null;
    }>('SELECT system, action, by_operator, role, at, reason FROM system_pause_log WHERE system = $1 ORDER BY id DESC LIMIT $2', [
      system,
      limit,
    ]);
    return rows.map((r) => ({
      system: r.system,
      action: r.action,
      by: r.by_operator,
      role: r.role,
      at: Number(r.at),
      ...(r.reason ? { reason: r.reason } : {}),
    }));
  }

  /** Ends the pool once its connections in use are back. */
  async close(): Promise<void> {
    await endPool(this.pool);
  }

  private async log(
    client: pg.PoolClient,
    system: string,
    action: 'pause' | 'resume',
    by: { operator: string; role: string },
    at: number,
    reason: string | undefined,
  ): Promise<void> {
    await client.query('INSERT INTO system_pause_log (system, action, by_operator, role, at, reason) VALUES ($1, $2, $3, $4, $5, $6)', [
      system,
      action,
      by.operator,
      by.role,
      at,
      reason ?? null,
    ]);
  }
}
