/**
 * Pipeline activities against the warehouse (SQLite at WAREHOUSE_DB_PATH, or PostgreSQL at WAREHOUSE_URL): load a batch once, undo this run's
 * load, and the quality checks that compare what went in with what the warehouse holds.
 */
import { Context } from '@temporalio/activity';
import { insideDir } from './staging-files';
import { transformedRows } from './transform-file';
import type { Warehouse } from './warehouse-store';
import { knownDataset } from './staging';
import { stepActivity, idempotencyKey } from '../kit/step-attempt';
import { classified } from '../kit/classified';

export interface WarehouseDependencies {
  warehouse: Warehouse;
  /** Transformed partitions must be files under it. */
  stagingDir: string;
}

/** Warehouse activities bound to a warehouse. */
export function createWarehouseActivities(deps: WarehouseDependencies) {
  const { warehouse } = deps;
  return {
    /**
     * Loads the batch from its transformed partitions in one transaction, once per batch id: a retry, a resumed
     * run or another run of the same batch finds it loaded and inserts nothing.
     */
    loadBatch: stepActivity(async (input: { dataset: string; batchId: string; batchDate?: string; files: string[] }) => {
      const dataset = knownDataset(input.dataset);
      const files = input.files.map((f) => insideDir(deps.stagingDir, f, 'a transformed partition'));
      Context.current().heartbeat();
      // One transaction. On SQLite it is synchronous: it holds this worker's thread ~0.5 s per 100,000 rows (the heartbeat timeout allows it).
      const outcome = await warehouse.loadBatch(
        dataset,
        { batchId: input.batchId, batchDate: input.batchDate, loadId: idempotencyKey('load') },
        () => transformedRows(files, dataset),
      );
      return { rowsInBatch: outcome.rowsInBatch, inserted: outcome.inserted, alreadyLoadedBy: outcome.alreadyLoaded?.loadId ?? '' };
    }),

    /** Undo of loadBatch: removes the batch if this run loaded it (a batch another run loaded stays). */
    async unloadBatch(input: { dataset: string; batchId: string }) {
      return classified(async () => {
        const { removed } = await warehouse.unloadBatch(knownDataset(input.dataset), input.batchId, idempotencyKey('load'));
        return { removed };
      });
    },

    /** Rows in = loaded + rejected, every valid row transformed, no empty key column: the problems, if any. */
    checkBatchQuality: stepActivity(
      async (input: { dataset: string; batchId: string; rowsIn: number; rejected: number; valid: number; transformed: number }) => {
        const dataset = knownDataset(input.dataset);
        const loaded = await warehouse.rowCount(dataset, input.batchId);
        const emptyKeys = await warehouse.emptyKeyCount(dataset, input.batchId);
        const problems: string[] = [];
        if (input.rowsIn !== loaded + input.rejected)
          problems.push(`rows in (${input.rowsIn}) ≠ loaded (${loaded}) + rejected (${input.rejected})`);
        if (input.transformed !== input.valid) problems.push(`${input.valid} valid rows but ${input.transformed} transformed`);
        if (emptyKeys > 0) problems.push(`${emptyKeys} loaded row(s) have an empty ${dataset.keyColumns.join('/')}`);
        return { passed: problems.length === 0, loaded, emptyKeys, problems: problems.join('; ') };
      },
    ),
  };
}

export type WarehouseActivities = ReturnType<typeof createWarehouseActivities>;
