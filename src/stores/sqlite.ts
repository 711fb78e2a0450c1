/**
 * The one way this repository opens a SQLite file (better-sqlite3), fit for several processes sharing it.
 *
 * Two workers started at once on a fresh data directory race to create the file, switch it to WAL and create the
 * schema. SQLite answers some of these steps with SQLITE_BUSY at once, without calling the busy handler (switching
 * the journal mode, recovering a WAL index another connection is building), so a busy timeout alone is not enough:
 * the busy timeout is set first, then the WAL switch and the schema creation are retried with backoff until they
 * pass, and the schema is created in one IMMEDIATE transaction of idempotent statements (`IF NOT EXISTS`).
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { createPrivateFile, makePrivateDir } from './private-files';

export interface OpenDatabaseOptions {
  /** Idempotent DDL (`CREATE ... IF NOT EXISTS`), run in one transaction after the WAL switch. */
  schema?: string;
  /** Per-connection pragmas to set before the schema (e.g. `foreign_keys = ON`); they cannot be set in a transaction. */
  pragmas?: string[];
  /** How long one statement waits for another connection's lock (SQLite's busy handler). Default 5 s. */
  busyTimeoutMs?: number;
  /** How long the WAL switch and the schema are retried on SQLITE_BUSY before opening fails. Default 30 s. */
  retryForMs?: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
const DEFAULT_RETRY_FOR_MS = 30_000;

/** True for SQLite's "another connection holds the lock" errors (SQLITE_BUSY and its extended codes, SQLITE_LOCKED). */
export function isBusyError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Opening is synchronous (constructors call it), so the backoff blocks this thread briefly. */
const sleepSync = (ms: number) => Atomics.wait(sleeper, 0, 0, ms);

/** Runs `step` until it passes, retrying SQLITE_BUSY with exponential backoff (and jitter) for up to `retryForMs`. */
export function retryWhileBusy<T>(what: string, retryForMs: number, step: () => T): T {
  const deadline = Date.now() + retryForMs;
  let delay = 5;
  for (let tries = 1; ; tries++) {
    try {
      return step();
    } catch (err) {
      if (!isBusyError(err)) throw err;
      const left = deadline - Date.now();
      if (left <= 0) {
        const message = err instanceof Error ? err.message : String(err);
        throw Object.assign(new Error(`${what}: the database stayed locked for ${retryForMs} ms (${tries} tries): ${message}`), {
          code: (err as { code?: string }).code,
          cause: err,
        });
      }
      sleepSync(Math.min(left, delay + Math.floor(Math.random() * delay)));
      delay = Math.min(delay * 2, 250);
    }
  }
}

/**
 * The native module better-sqlite3 loads: BETTER_SQLITE3_BINDING, a build for another Node than node_modules' (the
 * fast tier on Node 24, .ci/node-24), else the package's own. Every `new Database` passes it.
 */
export function sqliteNativeBinding(): string | undefined {
  return process.env.BETTER_SQLITE3_BINDING || undefined;
}

/** Opens an existing SQLite file to read only (no schema, no WAL change): an earlier version's file being imported. */
export function openReadonlyDatabase(file: string): Database.Database {
  return new Database(file, { readonly: true, fileMustExist: true, nativeBinding: sqliteNativeBinding() });
}

/** Opens (and creates when missing) a SQLite database file: busy timeout, then WAL, then the schema, each safe under races. */
export function openDatabase(file: string, opts: OpenDatabaseOptions = {}): Database.Database {
  const busyTimeoutMs = opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const retryForMs = opts.retryForMs ?? DEFAULT_RETRY_FOR_MS;
  const inMemory = file === ':memory:' || file === '';
  if (!inMemory) {
    // Personal data: the directory and the file (and so SQLite's -wal and -shm, which take its mode) for this user only.
    makePrivateDir(path.dirname(file));
    createPrivateFile(file);
  }
  const db = new Database(file, { timeout: busyTimeoutMs, nativeBinding: sqliteNativeBinding() });
  try {
    // Before anything that may meet another connection's lock.
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    if (!inMemory) {
      retryWhileBusy(`switching ${file} to WAL`, retryForMs, () => {
        const mode = String(db.pragma('journal_mode = WAL', { simple: true }));
        // SQLite may keep the old mode instead of failing when it cannot take the lock the switch needs.
        if (mode.toLowerCase() !== 'wal') throw Object.assign(new Error(`journal_mode is still ${mode}`), { code: 'SQLITE_BUSY' });
      });
    }
    for (const pragma of opts.pragmas ?? []) db.pragma(pragma);
    const { schema } = opts;
    if (schema) retryWhileBusy(`creating the schema of ${file}`, retryForMs, () => db.transaction(() => db.exec(schema)).immediate());
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
