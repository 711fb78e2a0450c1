/**
 * The embedded warehouse: a real SQLite database (better-sqlite3) with one table per dataset and a record of the
 * batches loaded. Each batch is loaded in one IMMEDIATE transaction, once: its rows are keyed (batch id, row
 * key) and inserted with INSERT OR IGNORE, and the batch is recorded in `loaded_batches` in the same
 * transaction, so a retried, resumed or repeated load never doubles a row, and a reader never sees half a batch.
 */
import type Database from 'better-sqlite3';
import { openDatabase } from '../../src/stores/sqlite';
import { DATASETS, type DatasetDefinition } from './datasets';
import { toLoadedBatch, type BatchRow, type BatchToLoad, type LoadedBatch, type LoadOutcome, type Warehouse } from './warehouse-store';

export type { LoadedBatch, LoadOutcome } from './warehouse-store';

const BATCHES_SCHEMA = `
CREATE TABLE IF NOT EXISTS loaded_batches (
  batch_id TEXT PRIMARY KEY,
  dataset TEXT NOT NULL,
  batch_date TEXT,
  rows INTEGER NOT NULL,
  load_id TEXT NOT NULL,
  loaded_at TEXT NOT NULL
);`;

/** The table of a dataset: batch id and row key make the primary key; other columns may be empty (quality checks look). */
function tableSchema(dataset: DatasetDefinition): string {
  const columns = dataset.table.columns.map((c) => `${c.name} ${c.type}${c.name === dataset.rowKey ? ' NOT NULL' : ''}`);
  return `CREATE TABLE IF NOT EXISTS ${dataset.table.name} (batch_id TEXT NOT NULL, ${columns.join(', ')}, PRIMARY KEY (batch_id, ${dataset.rowKey}));`;
}

/** The warehouse on a SQLite file. */
export class SqliteWarehouse implements Warehouse {
  readonly db: Database.Database;

  constructor(file: string) {
    this.db = openDatabase(file, { schema: BATCHES_SCHEMA + Object.values(DATASETS).map(tableSchema).join('\n') });
  }

  /** The record of a loaded batch, if it was loaded. */
  loadedBatch(batchId: string): LoadedBatch | undefined {
    const row = this.db.prepare('SELECT * FROM loaded_batches WHERE batch_id = ?').get(batchId) as BatchRow | undefined;
    return row && toLoadedBatch(row);
  }

  /**
   * Loads a batch once: inserts its rows (from `rows`, read only when the batch is new) and records the batch,
   * all in one transaction. A batch already recorded is left as it is, whoever loaded it.
   */
  loadBatch(dataset: DatasetDefinition, batch: BatchToLoad, rows: () => Iterable<ReadonlyArray<string | number>>): LoadOutcome {
    const names = dataset.table.columns.map((c) => c.name);
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO ${dataset.table.name} (batch_id, ${names.join(', ')}) VALUES (?${', ?'.repeat(names.length)})`,
    );
    const load = this.db.transaction((): LoadOutcome => {
      const earlier = this.loadedBatch(batch.batchId);
      if (earlier) return { rowsInBatch: this.rowCount(dataset, batch.batchId), inserted: 0, alreadyLoaded: earlier };
      let inserted = 0;
      for (const values of rows()) inserted += insert.run(batch.batchId, ...values).changes;
      const rowsInBatch = this.rowCount(dataset, batch.batchId);
      this.db
        .prepare('INSERT INTO loaded_batches (batch_id, dataset, batch_date, rows, load_id, loaded_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(batch.batchId, dataset.name, batch.batchDate ?? null, rowsInBatch, batch.loadId, new Date().toISOString());
      return { rowsInBatch, inserted };
    });
    // IMMEDIATE: two workers loading the same batch serialize here, and the second finds the first's record.
    return load.immediate();
  }

  /** Removes a batch, but only if `loadId` loaded it: undoing one run never removes another run's load. */
  unloadBatch(dataset: DatasetDefinition, batchId: string, loadId: string): { removed: number } {
    const unload = this.db.transaction(() => {
      const earlier = this.loadedBatch(batchId);
      if (!earlier || earlier.loadId !== loadId) return { removed: 0 };
      const removed = this.db.prepare(`DELETE FROM ${dataset.table.name} WHERE batch_id = ?`).run(batchId).changes;
      this.db.prepare('DELETE FROM loaded_batches WHERE batch_id = ?').run(batchId);
      return { removed };
    });
    return unload.immediate();
  }

  /** Rows of a batch in its dataset's table. */
  rowCount(dataset: DatasetDefinition, batchId: string): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM ${dataset.table.name} WHERE batch_id = ?`).get(batchId) as { n: number }).n;
  }

  /** Rows of a batch with an empty (NULL or blank) key column. */
  emptyKeyCount(dataset: DatasetDefinition, batchId: string): number {
    const empty = dataset.keyColumns.map((c) => `${c} IS NULL OR TRIM(${c}) = ''`).join(' OR ');
    return (
      this.db.prepare(`SELECT COUNT(*) AS n FROM ${dataset.table.name} WHERE batch_id = ? AND (${empty})`).get(batchId) as { n: number }
    ).n;
  }

  close(): void {
    this.db.close();
  }
}
