/**
 * The health and the pauses of the downstream systems (email, chat), in one SQLite file every worker and the CLI
 * share (`<dataDir>/systems.db`).
 *
 * Workers report each transient failure and each success of a send. A system that keeps failing becomes an
 * **outage**: one open row per system. Whichever report first finds the outage old enough claims its alert, in the
 * same IMMEDIATE transaction that counts the failure, so however many workers and runs fail at once, exactly one
 * of them sends the "degraded" alert. The first success closes the outage; the report that closes it sends the one
 * "recovered" note. A blip that ends before it was alerted leaves no row behind.
 *
 * A paused system refuses its sends before they happen; which runs were refused is kept so that `resume` can wake
 * exactly those (their backstop timer wakes any other). Pauses and resumes are kept with who, when and why.
 */
import type Database from 'better-sqlite3';
import { openDatabase, retryWhileBusy } from '../sqlite';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS outages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  system TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  last_failure_at INTEGER NOT NULL,
  failures INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  alerted_at INTEGER,
  ended_at INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS one_open_outage_per_system ON outages (system) WHERE ended_at IS NULL;
CREATE TABLE IF NOT EXISTS pauses (
  system TEXT PRIMARY KEY,
  paused_by TEXT NOT NULL,
  role TEXT NOT NULL,
  paused_at INTEGER NOT NULL,
  reason TEXT
);
CREATE TABLE IF NOT EXISTS pause_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  system TEXT NOT NULL,
  action TEXT NOT NULL,
  by TEXT NOT NULL,
  role TEXT NOT NULL,
  at INTEGER NOT NULL,
  reason TEXT
);
CREATE TABLE IF NOT EXISTS paused_runs (
  system TEXT NOT NULL,
  workflow_id TEXT NOT NULL,
  refused_at INTEGER NOT NULL,
  PRIMARY KEY (system, workflow_id)
);
`;

/** A system failing without a success in between: from its first failure to its first success. */
export interface Outage {
  id: number;
  system: string;
  startedAt: number;
  lastFailureAt: number;
  failures: number;
  lastError: string;
  alertedAt?: number;
  endedAt?: number;
}

/** A system an operator paused: its sends are refused (before they happen) until it is resumed. */
export interface Pause {
  system: string;
  pausedBy: string;
  role: string;
  pausedAt: number;
  reason?: string;
}

/** One pause or resume, for the record. */
export interface PauseRecord {
  system: string;
  action: 'pause' | 'resume';
  by: string;
  role: string;
  at: number;
  reason?: string;
}

/** A value now (SQLite) or later (PostgreSQL): callers await either. */
type Eventually<T> = T | Promise<T>;

/**
 * The systems' health and pauses as every caller uses them, in this host's SQLite file ({@link SystemHealthStore})
 * or on the PostgreSQL every host shares (src/stores/system-health/postgres-health.ts), with the same guarantees. `now` is for
 * tests; left out, the store's clock is used (the database's, on PostgreSQL).
 */
export interface SystemHealthRecords {
  recordFailure(system: string, error: string, alertAfterMs: number, now?: number): Eventually<{ outage: Outage; claimed: boolean }>;
  releaseAlert(outageId: number): Eventually<void>;
  recordSuccess(system: string, now?: number): Eventually<Outage | undefined>;
  currentOutage(system: string): Eventually<Outage | undefined>;
  outages(system: string, limit?: number): Eventually<Outage[]>;
  pauseOf(system: string): Eventually<Pause | undefined>;
  pause(system: string, by: { operator: string; role: string }, reason?: string, now?: number): Eventually<boolean>;
  resume(
    system: string,
    by: { operator: string; role: string },
    reason?: string,
    now?: number,
  ): Eventually<{ wasPaused: boolean; refusedRuns: string[] }>;
  noteRefusedRun(system: string, workflowId: string, now?: number): Eventually<void>;
  pauseHistory(system: string, limit?: number): Eventually<PauseRecord[]>;
  close(): Eventually<void>;
}

interface OutageRow {
  id: number;
  system: string;
  started_at: number;
  last_failure_at: number;
  failures: number;
  last_error: string;
  alerted_at: number | null;
  ended_at: number | null;
}

const outageOf = (row: OutageRow): Outage => ({
  id: row.id,
  system: row.system,
  startedAt: row.started_at,
  lastFailureAt: row.last_failure_at,
  failures: row.failures,
  lastError: row.last_error,
  ...(row.alerted_at !== null ? { alertedAt: row.alerted_at } : {}),
  ...(row.ended_at !== null ? { endedAt: row.ended_at } : {}),
});

/** Longest error text kept: enough to say what failed, never a whole server reply. */
export const MAX_ERROR_CHARS = 300;
const RETRY_FOR_MS = 10_000;

/** The systems' health and pauses in SQLite, safe for several workers at once. */
export class SystemHealthStore implements SystemHealthRecords {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = openDatabase(file, { schema: SCHEMA });
  }

  /** Runs a write in one IMMEDIATE transaction, retried while another connection holds the lock. */
  private write<T>(what: string, work: () => T): T {
    return retryWhileBusy(what, RETRY_FOR_MS, () => this.db.transaction(work).immediate());
  }

  private openOutage(system: string): OutageRow | undefined {
    return this.db.prepare('SELECT * FROM outages WHERE system = ? AND ended_at IS NULL').get(system) as OutageRow | undefined;
  }

  /**
   * Counts a transient failure. Returns the outage with `claimed: true` to the one report that claims its
   * "degraded" alert: the first one made when the system has failed, without a success, for `alertAfterMs`.
   * A failure long after the previous one (more than `alertAfterMs`, with no traffic between) starts afresh.
   */
  recordFailure(system: string, error: string, alertAfterMs: number, now = Date.now()): { outage: Outage; claimed: boolean } {
    const message = error.slice(0, MAX_ERROR_CHARS);
    return this.write(`recording a failure of ${system}`, () => {
      let row = this.openOutage(system);
      if (row && row.alerted_at === null && now - row.last_failure_at > alertAfterMs) {
        this.db.prepare('DELETE FROM outages WHERE id = ?').run(row.id);
        row = undefined;
      }
      if (!row) {
        const id = Number(
          this.db
            .prepare('INSERT INTO outages (system, started_at, last_failure_at, failures, last_error) VALUES (?, ?, ?, 1, ?)')
            .run(system, now, now, message).lastInsertRowid,
        );
        row = this.db.prepare('SELECT * FROM outages WHERE id = ?').get(id) as OutageRow;
      } else {
        this.db
          .prepare('UPDATE outages SET failures = failures + 1, last_failure_at = ?, last_error = ? WHERE id = ?')
          .run(now, message, row.id);
        row = { ...row, failures: row.failures + 1, last_failure_at: now, last_error: message };
      }
      const claimed = row.alerted_at === null && now - row.started_at >= alertAfterMs;
      if (claimed) {
        this.db.prepare('UPDATE outages SET alerted_at = ? WHERE id = ?').run(now, row.id);
        row = { ...row, alerted_at: now };
      }
      return { outage: outageOf(row), claimed };
    });
  }

  /** Gives an alert claim back (its delivery failed), so that the next failure report tries again. */
  releaseAlert(outageId: number): void {
    this.write('releasing an outage alert', () =>
      this.db.prepare('UPDATE outages SET alerted_at = NULL WHERE id = ? AND ended_at IS NULL').run(outageId),
    );
  }

  /**
   * Counts a success: it ends the system's open outage, if any. Returns the ended outage to the one report that
   * ended it, when its "degraded" alert was sent (it owes a "recovered" note); an unalerted blip is forgotten.
   */
  recordSuccess(system: string, now = Date.now()): Outage | undefined {
    // The common case, a healthy system, takes no write lock.
    if (!this.openOutage(system)) return undefined;
    return this.write(`recording a success of ${system}`, () => {
      const row = this.openOutage(system);
      if (!row) return undefined;
      if (row.alerted_at === null) {
        this.db.prepare('DELETE FROM outages WHERE id = ?').run(row.id);
        return undefined;
      }
      this.db.prepare('UPDATE outages SET ended_at = ? WHERE id = ?').run(now, row.id);
      return outageOf({ ...row, ended_at: now });
    });
  }

  /** The system's open outage (failing now), if any. */
  currentOutage(system: string): Outage | undefined {
    const row = this.openOutage(system);
    return row ? outageOf(row) : undefined;
  }

  /** The system's outages that were alerted, newest first. */
  outages(system: string, limit = 20): Outage[] {
    const rows = this.db
      .prepare('SELECT * FROM outages WHERE system = ? AND alerted_at IS NOT NULL ORDER BY id DESC LIMIT ?')
      .all(system, limit) as OutageRow[];
    return rows.map(outageOf);
  }

  /** The system's pause, if it is paused. */
  pauseOf(system: string): Pause | undefined {
    const row = this.db.prepare('SELECT system, paused_by, role, paused_at, reason FROM pauses WHERE system = ?').get(system) as
      { system: string; paused_by: string; role: string; paused_at: number; reason: string | null } | undefined;
    if (!row) return undefined;
    return {
      system: row.system,
      pausedBy: row.paused_by,
      role: row.role,
      pausedAt: row.paused_at,
      ...(row.reason ? { reason: row.reason } : {}),
    };
  }

  /** Pauses a system (again: the newest pause's who and why win) and records it; false when it was already paused. */
  pause(system: string, by: { operator: string; role: string }, reason?: string, now = Date.now()): boolean {
    return this.write(`pausing ${system}`, () => {
      const before = this.pauseOf(system);
      this.db
        .prepare(
          'INSERT INTO pauses (system, paused_by, role, paused_at, reason) VALUES (?, ?, ?, ?, ?) ON CONFLICT (system) DO UPDATE SET paused_by = excluded.paused_by, role = excluded.role, paused_at = excluded.paused_at, reason = excluded.reason',
        )
        .run(system, by.operator, by.role, now, reason ?? null);
      this.db
        .prepare('INSERT INTO pause_log (system, action, by, role, at, reason) VALUES (?, ?, ?, ?, ?, ?)')
        .run(system, 'pause', by.operator, by.role, now, reason ?? null);
      return before === undefined;
    });
  }

  /**
   * Resumes a system and records it; returns whether it was paused and the runs its pause refused (to wake them),
   * forgetting them.
   */
  resume(
    system: string,
    by: { operator: string; role: string },
    reason?: string,
    now = Date.now(),
  ): { wasPaused: boolean; refusedRuns: string[] } {
    return this.write(`resuming ${system}`, () => {
      const wasPaused = this.db.prepare('DELETE FROM pauses WHERE system = ?').run(system).changes > 0;
      const refusedRuns = (
        this.db.prepare('SELECT workflow_id FROM paused_runs WHERE system = ? ORDER BY refused_at').all(system) as Array<{
          workflow_id: string;
        }>
      ).map((r) => r.workflow_id);
      this.db.prepare('DELETE FROM paused_runs WHERE system = ?').run(system);
      this.db
        .prepare('INSERT INTO pause_log (system, action, by, role, at, reason) VALUES (?, ?, ?, ?, ?, ?)')
        .run(system, 'resume', by.operator, by.role, now, reason ?? null);
      return { wasPaused, refusedRuns };
    });
  }

  /** Remembers that the pause refused a step of this run, so that `resume` wakes it. */
  noteRefusedRun(system: string, workflowId: string, now = Date.now()): void {
    this.write(`noting a run refused by the pause of ${system}`, () =>
      this.db
        .prepare('INSERT INTO paused_runs (system, workflow_id, refused_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
        .run(system, workflowId, now),
    );
  }

  /** Pauses and resumes of a system, newest first. */
  pauseHistory(system: string, limit = 20): PauseRecord[] {
    const rows = this.db
      .prepare('SELECT system, action, by, role, at, reason FROM pause_log WHERE system = ? ORDER BY id DESC LIMIT ?')
      .all(system, limit) as Array<{
      system: string;
      action: 'pause' | 'resume';
      by: string;
      role: string;
      at: number;
      reason: string | null;
    }>;
    return rows.map((r) => ({
      system: r.system,
      action: r.action,
      by: r.by,
      role: r.role,
      at: r.at,
      ...(r.reason ? { reason: r.reason } : {}),
    }));
  }

  /** Closes the file. */
  close(): void {
    this.db.close();
  }
}
