/**
 * The warehouse several worker hosts share (WAREHOUSE_URL): the SQLite warehouse's guarantees (sqlite-warehouse.ts)
 * on PostgreSQL, its tables in migrations/postgres/warehouse/.
 *
 * A batch is loaded in one transaction that first takes a transaction-level advisory lock on its batch id, so two
 * loads of one batch (a retry on another host while the first attempt still runs, another run of the same batch)
 * take turns and the second finds the first's record. Rows go in with ON CONFLICT DO NOTHING on (batch id, row key)
 * and the batch's record in the same transaction: a reader never sees half a batch, and no row is doubled.
 */
import type pg from 'pg';
import type { DatasetDefinition } from './datasets';
import { toLoadedBatch, type BatchRow, type BatchToLoad, type LoadedBatch, type LoadOutcome, type Warehouse } from './warehouse-store';
import { endPool, openPool } from '../../src/stores/postgres/connection';
import { migrate } from '../../src/stores/postgres/migrate';
import { inPoolTransaction } from '../../src/stores/postgres/transaction';

/** The advisory-lock class of batch loads ("OVWH"); the batch id's hash is the second key. */
const BATCH_LOCK_CLASS = 0x4f565748;
/** Rows per INSERT: a few thousand parameters, far below PostgreSQL's 65,535. */
const ROWS_PER_INSERT = 500;
const POOL_SIZE = 5;

type Db = Pick<pg.ClientBase, 'query'>;

export interface PostgresWarehouseOptions {
  log?: (line: string) => void;
}

/** The warehouse on PostgreSQL, shared by every host that reaches the database. */
export class PostgresWarehouse implements Warehouse {
  private constructor(private readonly pool: pg.Pool) {}

  /** Opens the warehouse at `url`: creates the database if missing, applies the warehouse's migrations, opens a pool. */
  static async open(url: string, opts: PostgresWarehouseOptions = {}): Promise<PostgresWarehouse> {
    await migrate(url, 'warehouse', { log: opts.log });
    return new PostgresWarehouse(openPool(url, 'overture-warehouse', POOL_SIZE));
  }

  async loadedBatch(batchId: string, db: Db = this.pool): Promise<LoadedBatch | undefined> {
    const { rows } = await db.query<BatchRow>(
      `SELECT batch_id, dataset, batch_date, rows, load_id, to_char(loaded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS loaded_at
       FROM loaded_batches WHERE batch_id = $1`,
      [batchId],
    );
    return rows[0] && toLoadedBatch(rows[0]);
  }

  async loadBatch(
    dataset: DatasetDefinition,
    batch: BatchToLoad,
    rows: () => Iterable<ReadonlyArray<string | number>>,
  ): Promise<LoadOutcome> {
    return this.underBatchLock(batch.batchId, async (db) => {
      const earlier = await this.loadedBatch(batch.batchId, db);
      if (earlier) return { rowsInBatch: await this.rowCount(dataset, batch.batchId, db), inserted: 0, alreadyLoaded: earlier };
      let inserted = 0;
      let chunk: Array<ReadonlyArray<string | number>> = [];
      const flush = async () => {
        if (chunk.length) inserted += await this.insertRows(db, dataset, batch.batchId, chunk);
        chunk = [];
      };
      for (const values of rows()) {
        chunk.push(values);
        if (chunk.length === ROWS_PER_INSERT) await flush();
      }
      await flush();
      const rowsInBatch = await this.rowCount(dataset, batch.batchId, db);
      await db.query('INSERT INTO loaded_batches (batch_id, dataset, batch_date, rows, load_id) VALUES ($1, $2, $3, $4, $5)', [
        batch.batchId,
        dataset.name,
        batch.batchDate ?? null,
        rowsInBatch,
        batch.loadId,
      ]);
      return { rowsInBatch, inserted };
    });
  }

  /** Inserts rows of one batch, skipping those already there; returns how many went in. */
  private async insertRows(
    db: Db,
    dataset: DatasetDefinition,
    batchId: string,
    chunk: Array<ReadonlyArray<string | number>>,
  ): Promise<number> {
    const names = dataset.table.columns.map((c) => c.name);
    const width = names.length + 1;
    const tuples = chunk.map((_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`);
    const result = await db.query(
      `INSERT INTO ${dataset.table.name} (batch_id, ${names.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT DO NOTHING`,
      chunk.flatMap((values) => [batchId, ...values]),
    );
    return result.rowCount ?? 0;
  }

  async unloadBatch(dataset: DatasetDefinition, batchId: string, loadId: string): Promise<{ removed: number }> {
    return this.underBatchLock(batchId, async (db) => {
      const earlier = await this.loadedBatch(batchId, db);
      if (!earlier || earlier.loadId !== loadId) return { removed: 0 };
      const removed = (await db.query(`DELETE FROM ${dataset.table.name} WHERE batch_id = $1`, [batchId])).rowCount ?? 0;
      await db.query('DELETE FROM loaded_batches WHERE batch_id = $1', [batchId]);
      return { removed };
    });
  }

  async rowCount(dataset: DatasetDefinition, batchId: string, db: Db = this.pool): Promise<number> {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${dataset.table.name} WHERE batch_id = $1`, [batchId]);
    return rows[0]!.n;
  }

  async emptyKeyCount(dataset: DatasetDefinition, batchId: string): Promise<number> {
    const empty = dataset.keyColumns.map((c) => `${c} IS NULL OR TRIM(${c}::text) = ''`).join(' OR ');
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${dataset.table.name} WHERE batch_id = $1 AND (${empty})`,
      [batchId],
    );
    return rows[0]!.n;
  }

  /** Runs `work` in a transaction holding the batch's lock: loads and unloads of one batch take turns across hosts. */
  private underBatchLock<T>(batchId: string, work: (db: Db) => Promise<T>): Promise<T> {
    return inPoolTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [BATCH_LOCK_CLASS, batchId]);
      return work(client);
    });
  }

  async close(): Promise<void> {
    await endPool(this.pool);
  }
}
