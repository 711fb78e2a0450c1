/**
 * The warehouse the pipeline loads, as its activities see it: a batch loaded once (its rows and its record in one
 * transaction), undone only by the run that loaded it, and the counts the quality checks compare. The embedded
 * default is a SQLite file (sqlite-warehouse.ts); several worker hosts share one on PostgreSQL (WAREHOUSE_URL,
 * postgres-warehouse.ts). The SQLite warehouse answers at once, the PostgreSQL one with promises: callers await both.
 */
import type { DatasetDefinition } from './datasets';

export interface LoadedBatch {
  batchId: string;
  dataset: string;
  batchDate: string | null;
  rows: number;
  /** Which run loaded it (`<workflow id>/<run id>/load`). */
  loadId: string;
  loadedAt: string;
}

export interface LoadOutcome {
  /** Rows of the batch in its table after the load. */
  rowsInBatch: number;
  /** Rows this load inserted: 0 when the batch was already loaded. */
  inserted: number;
  /** The earlier load, when the batch was already there. */
  alreadyLoaded?: LoadedBatch;
}

/** A loaded_batches row, in either store (loaded_at as ISO 8601 text). */
export interface BatchRow {
  batch_id: string;
  dataset: string;
  batch_date: string | null;
  rows: number;
  load_id: string;
  loaded_at: string;
}

/** A loaded batch from its row. */
export const toLoadedBatch = (r: BatchRow): LoadedBatch => ({
  batchId: r.batch_id,
  dataset: r.dataset,
  batchDate: r.batch_date,
  rows: r.rows,
  loadId: r.load_id,
  loadedAt: r.loaded_at,
});

/** A batch to load: its id, its business date, and the load (run) that loads it. */
export interface BatchToLoad {
  batchId: string;
  batchDate?: string;
  loadId: string;
}

type Answer<T> = T | Promise<T>;

/** What the pipeline's activities need of a warehouse. */
export interface Warehouse {
  /** The record of a loaded batch, if it was loaded. */
  loadedBatch(batchId: string): Answer<LoadedBatch | undefined>;
  /**
   * Loads a batch once: inserts its rows (from `rows`, read only when the batch is new) and records the batch, in
   * one transaction. A batch already recorded is left as it is, whoever loaded it, on whichever host.
   */
  loadBatch(dataset: DatasetDefinition, batch: BatchToLoad, rows: () => Iterable<ReadonlyArray<string | number>>): Answer<LoadOutcome>;
  /** Removes a batch, but only if `loadId` loaded it: undoing one run never removes another run's load. */
  unloadBatch(dataset: DatasetDefinition, batchId: string, loadId: string): Answer<{ removed: number }>;
  /** Rows of a batch in its dataset's table. */
  rowCount(dataset: DatasetDefinition, batchId: string): Answer<number>;
  /** Rows of a batch with an empty (NULL or blank) key column. */
  emptyKeyCount(dataset: DatasetDefinition, batchId: string): Answer<number>;
  close(): void | Promise<void>;
}
