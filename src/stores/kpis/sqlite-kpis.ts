/**
 * The KPI projection in this host's SQLite file (kpis.db in the data directory, the default): the tables of the
 * PostgreSQL migration (migrations/postgres/kpis), created when missing, so both databases hold the same projection.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { KpiRow } from '../../../workflows/kit/kpi-events';
import { openDatabase } from '../sqlite';
import { UPSERTS, upsertValues, type KpiQueryRow, type KpiStore } from './store';

/** The PostgreSQL migrations' folder for the projection: one schema, two databases. */
export const KPI_MIGRATIONS_DIR = path.join(__dirname, '..', '..', '..', 'migrations', 'postgres', 'kpis');

/** The migrations' DDL, each statement made idempotent for SQLite (which creates its tables when it opens). */
function sqliteSchema(): string {
  return readdirSync(KPI_MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file) => readFileSync(path.join(KPI_MIGRATIONS_DIR, file), 'utf8'))
    .join('\n')
    .replace(/CREATE TABLE /g, 'CREATE TABLE IF NOT EXISTS ')
    .replace(/CREATE INDEX /g, 'CREATE INDEX IF NOT EXISTS ');
}

/** The projection on SQLite: synchronous underneath, behind the store's promises. */
export class SqliteKpiStore implements KpiStore {
  readonly dialect = 'sqlite';
  private readonly db: Database.Database;
  private readonly upserts: Record<KpiRow['kind'], Database.Statement>;
  private readonly writeAll: (rows: readonly KpiRow[]) => void;

  constructor(file: string) {
    this.db = openDatabase(file, { schema: sqliteSchema() });
    this.upserts = {
      run: this.db.prepare(UPSERTS.run),
      step: this.db.prepare(UPSERTS.step),
      question: this.db.prepare(UPSERTS.question),
      item: this.db.prepare(UPSERTS.item),
    };
    // One transaction per sink call: a run's report lands whole.
    this.writeAll = this.db.transaction((rows: readonly KpiRow[]) => {
      for (const row of rows) this.upserts[row.kind].run(upsertValues(row));
    });
  }

  record(rows: readonly KpiRow[]): Promise<void> {
    this.writeAll(rows);
    return Promise.resolve();
  }

  query(sql: string, params: readonly (string | number)[]): Promise<KpiQueryRow[]> {
    return Promise.resolve(this.db.prepare(sql).all(...params) as KpiQueryRow[]);
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }
}
