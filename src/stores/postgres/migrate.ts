/**
 * The schema of the shared stores, as plain SQL files applied in order: migrations/postgres/<set>/NNN_name.sql.
 *
 * Each file runs once per database, in its own transaction with the row that records it (name and SHA-256 of its
 * text) in `overture_migrations`. Migrators hold a session advisory lock while they work, so several workers
 * starting at once apply each file once: the others wait, then find it recorded. An applied file whose text has
 * changed is refused, and so is a new file numbered before one already applied: a schema change is a new file.
 * A file runs inside a transaction, so it cannot use statements that refuse one (CREATE INDEX CONCURRENTLY).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { connectionConfig, databaseError, ensureDatabase } from './connection';
import { redactUrl } from '../../config/redact-url';

/** The sets of migrations: each store (the ledger, the directory, the systems' health, ...) may live in its own database. */
export type MigrationSet =
  | 'ledger'
  | 'directory'
  | 'systems'
  | 'operators'
  | 'approval-links'
  | 'event-receipts'
  | 'kpis'
  // The financial close's general ledger and the data pipeline's warehouse (their processes' ACCOUNTING_URL, WAREHOUSE_URL).
  | 'books'
  | 'warehouse';

/** Where the project's migrations are: one folder per set. */
export const MIGRATIONS_DIR = path.join(__dirname, '..', '..', '..', 'migrations', 'postgres');

const FILE_NAME = /^(\d+)_[A-Za-z0-9_-]+\.sql$/;
// One lock for every migrator of a database ("OVRT", 1): advisory locks are per database, like the record table.
const LOCK_KEYS = [0x4f565254, 1] as const;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** A migration that may not run: a changed applied file, a misnumbered one. Fix the files, not the database. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** The SHA-256 of a file's text; line endings are normalised, so a checkout with CRLF is the same file. */
export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

/** The migration files of a folder, in the order they apply (by their number). */
export function readMigrations(dir: string): Migration[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql'));
  const bad = files.filter((f) => !FILE_NAME.test(f));
  if (bad.length) throw new MigrationError(`migration files must be named NNN_description.sql (in ${dir}): ${bad.join(', ')}`);
  const number = (f: string) => Number(FILE_NAME.exec(f)![1]);
  const sorted = files.sort((a, b) => number(a) - number(b) || a.localeCompare(b));
  for (let i = 1; i < sorted.length; i++) {
    if (number(sorted[i]!) === number(sorted[i - 1]!))
      throw new MigrationError(`two migrations share the number ${number(sorted[i]!)} in ${dir}: ${sorted[i - 1]} and ${sorted[i]}`);
  }
  return sorted.map((name) => {
    const sql = readFileSync(path.join(dir, name), 'utf8');
    return { name, sql, checksum: migrationChecksum(sql) };
  });
}

export interface MigrateOptions {
  /** The folder of the set's files (default: migrations/postgres/<set>). */
  dir?: string;
  log?: (line: string) => void;
}

interface AppliedRow {
  name: string;
  checksum: string;
  applied_at: Date;
}

/**
 * Brings the database at `url` to the set's latest schema, creating the database first when it is missing;
 * returns the names of the files it applied (none when the schema was current).
 */
export async function migrate(url: string, set: MigrationSet, opts: MigrateOptions = {}): Promise<string[]> {
  const { log = () => {} } = opts;
  const migrations = readMigrations(opts.dir ?? path.join(MIGRATIONS_DIR, set));
  await ensureDatabase(url, log);
  const client = new pg.Client(connectionConfig(url, 'overture-migrate'));
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    throw databaseError(`connecting to the ${set} database`, url, err);
  }
  try {
    // Waits for another migrator of this database (a worker starting beside this one) to finish.
    await client.query('SELECT pg_advisory_lock($1, $2)', [...LOCK_KEYS]);
    await client.query(`CREATE TABLE IF NOT EXISTS overture_migrations (
      migration_set text NOT NULL,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (migration_set, name)
    )`);
    const applied = new Map(
      (
        await client.query<AppliedRow>('SELECT name, checksum, applied_at FROM overture_migrations WHERE migration_set = $1', [set])
      ).rows.map((r) => [r.name, r]),
    );
    const pending = pendingMigrations(set, url, migrations, applied);
    for (const migration of pending) {
      log(`Applying migration ${set}/${migration.name} to ${redactUrl(url)}`);
      try {
        await client.query('BEGIN');
        await client.query(migration.sql);
        await client.query('INSERT INTO overture_migrations (migration_set, name, checksum) VALUES ($1, $2, $3)', [
          set,
          migration.name,
          migration.checksum,
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw databaseError(`applying migration ${set}/${migration.name} (nothing of it was kept)`, url, err);
      }
    }
    return pending.map((m) => m.name);
  } finally {
    // Ending the session releases the advisory lock too.
    await client.end().catch(() => {});
  }
}

/** The files still to apply, after checking that the applied ones are unchanged and that no new one sorts before them. */
function pendingMigrations(set: MigrationSet, url: string, migrations: Migration[], applied: Map<string, AppliedRow>): Migration[] {
  for (const m of migrations) {
    const row = applied.get(m.name);
    if (row && row.checksum !== m.checksum) {
      throw new MigrationError(
        `migration ${set}/${m.name} was changed after it was applied to ${redactUrl(url)} on ${row.applied_at.toISOString()} ` +
          `(recorded SHA-256 ${row.checksum.slice(0, 12)}…, the file's is now ${m.checksum.slice(0, 12)}…): an applied migration must not change. ` +
          `Restore the file and put the change in a new migration numbered after the last one.`,
      );
    }
  }
  const lastApplied = migrations.reduce((last, m, i) => (applied.has(m.name) ? i : last), -1);
  const pending = migrations.filter((m) => !applied.has(m.name));
  const early = pending.find((m) => migrations.indexOf(m) < lastApplied);
  if (early) {
    throw new MigrationError(
      `migration ${set}/${early.name} is new but numbered before ${migrations[lastApplied]!.name}, which ${redactUrl(url)} already has: number it after the last applied migration.`,
    );
  }
  return pending;
}
