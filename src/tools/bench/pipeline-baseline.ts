/**
 * The pipeline's baseline: the same work (copy, validate, transform every partition, load once) with the same
 * code, in one process and without Temporal. What the pipeline costs beyond it is orchestration and durability.
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { datasetNamed } from '../../../activities/data-pipeline/datasets';
import { STAGED } from '../../../activities/data-pipeline/staging-files';
import { transformedRows, transformFile } from '../../../activities/data-pipeline/transform-file';
import { validateFile } from '../../../activities/data-pipeline/validate-file';
import type { SqliteWarehouse } from '../../../activities/data-pipeline/sqlite-warehouse';
import { partitionFileName } from '../../../workflows/data-pipeline/batch';

/** One baseline pass over `sourceFile` as batch `batchId`; returns its wall time and rows loaded. */
export async function runBaseline(
  sourceFile: string,
  workDir: string,
  warehouse: SqliteWarehouse,
  batchId: string,
  partitionRows: number,
): Promise<{ wallMs: number; loaded: number }> {
  const orders = datasetNamed('orders');
  const t0 = performance.now();
  await mkdir(path.join(workDir, STAGED.transformed), { recursive: true });
  await copyFile(sourceFile, path.join(workDir, STAGED.source));
  const counts = await validateFile(orders, workDir, partitionRows, () => undefined);
  const outputs = Array.from({ length: counts.partitions }, (_, i) => path.join(workDir, STAGED.transformed, partitionFileName(i)));
  for (const [i, output] of outputs.entries()) {
    await transformFile(orders, path.join(workDir, STAGED.valid, partitionFileName(i)), output, {
      chunkRows: 1_000,
      onChunk: async () => undefined,
    });
  }
  const { rowsInBatch } = warehouse.loadBatch(orders, { batchId, loadId: `baseline/${batchId}` }, () => transformedRows(outputs, orders));
  const wallMs = performance.now() - t0;
  await rm(workDir, { recursive: true, force: true });
  return { wallMs, loaded: rowsInBatch };
}
