/**
 * Loading into the SQLite warehouse once per batch, undoing only one's own load, and a partition's transform
 * resumed from a checkpoint writing exactly what an uninterrupted one writes.
 */
import { mkdirSync, mkdtempSync, readFileSync, appendFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger } from '@temporalio/worker';
import { createWarehouseActivities } from '../../../activities/data-pipeline/warehouse';
import { createPipelineStagingActivities } from '../../../activities/data-pipeline/staging';
import { datasetNamed } from '../../../activities/data-pipeline/datasets';
import { transformFile, type TransformCheckpoint } from '../../../activities/data-pipeline/transform-file';
import { SqliteWarehouse } from '../../../activities/data-pipeline/sqlite-warehouse';
import { ActivityEnv, activityEnvFor } from '../../helpers/activity-env';

const orders = datasetNamed('orders');
const row = (id: string, customer = 'C1'): string[] => [id, customer, '2026-11-01', '2026-11', '1299', 'EUR', 'DE'];
let dir: string;
let warehouse: SqliteWarehouse;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'warehouse-'));
  warehouse = new SqliteWarehouse(path.join(dir, 'warehouse.db'));
});
afterEach(() => {
  warehouse.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the warehouse', () => {
  it('loads a batch once: a second load, by the same run or another, keeps one copy', () => {
    const rows = [row('A1'), row('A2'), row('A3')];
    const first = warehouse.loadBatch(orders, { batchId: 'orders/2026-11-01', batchDate: '2026-11-01', loadId: 'run-a/load' }, () => rows);
    expect(first).toEqual({ rowsInBatch: 3, inserted: 3 });
    let readAgain = false;
    const second = warehouse.loadBatch(orders, { batchId: 'orders/2026-11-01', loadId: 'run-b/load' }, () => {
      readAgain = true;
      return rows;
    });
    expect(second).toMatchObject({
      rowsInBatch: 3,
      inserted: 0,
      alreadyLoaded: { loadId: 'run-a/load', rows: 3, batchDate: '2026-11-01' },
    });
    expect(readAgain).toBe(false);
    expect(warehouse.rowCount(orders, 'orders/2026-11-01')).toBe(3);
  });

  it('keys rows by batch: the same order id in another batch is another row, a repeat within a batch is one', () => {
    warehouse.loadBatch(orders, { batchId: 'orders/a', loadId: 'l1' }, () => [row('X'), row('X')]);
    warehouse.loadBatch(orders, { batchId: 'orders/b', loadId: 'l2' }, () => [row('X')]);
    expect(warehouse.rowCount(orders, 'orders/a')).toBe(1);
    expect(warehouse.rowCount(orders, 'orders/b')).toBe(1);
  });

  it('undoes only its own load, and counts empty key columns', () => {
    warehouse.loadBatch(orders, { batchId: 'orders/c', loadId: 'run-a/load' }, () => [row('A1'), row('A2', ' ')]);
    expect(warehouse.emptyKeyCount(orders, 'orders/c')).toBe(1);
    expect(warehouse.unloadBatch(orders, 'orders/c', 'run-b/load')).toEqual({ removed: 0 });
    expect(warehouse.rowCount(orders, 'orders/c')).toBe(2);
    expect(warehouse.unloadBatch(orders, 'orders/c', 'run-a/load')).toEqual({ removed: 2 });
    expect(warehouse.loadedBatch('orders/c')).toBeUndefined();
  });

  it('loadBatch, the activity, run twice for one batch (a retry after a lost reply) loads it once', async () => {
    const staging = path.join(dir, 'staging');
    mkdirSync(staging);
    const file = path.join(staging, 'part-0000.csv');
    writeFileSync(
      file,
      `${orders.table.columns.map((c) => c.name).join(',')}\n${[row('A1'), row('A2')].map((r) => r.join(',')).join('\n')}\n`,
    );
    const { loadBatch } = createWarehouseActivities({ warehouse, stagingDir: staging });
    const input = { dataset: 'orders', batchId: 'orders/d', files: [file] };
    const first = await activityEnvFor('pipeline-orders-d', 1).runActivity(loadBatch, input);
    const retried = await activityEnvFor('pipeline-orders-d', 2).runActivity(loadBatch, input);
    expect(first.output).toEqual({ rowsInBatch: 2, inserted: 2, alreadyLoadedBy: '' });
    expect(retried.output).toEqual({ rowsInBatch: 2, inserted: 0, alreadyLoadedBy: 'pipeline-orders-d/run-1/load' });
    expect(warehouse.rowCount(orders, 'orders/d')).toBe(2);
  });
});

describe("a partition's transform", () => {
  const header = orders.columns.join(',');
  const rows = Array.from({ length: 2_345 }, (_, i) => `O-${i},C${i},2026-11-0${(i % 9) + 1},${i}.5,eur,de`);

  function partition(): { input: string; output: string } {
    const input = path.join(dir, 'valid.csv');
    writeFileSync(input, `${header}\n${rows.join('\n')}\n`);
    return { input, output: path.join(dir, 'out.csv') };
  }

  it('resumed from a checkpoint (with bytes written past it) writes exactly what a whole pass writes', async () => {
    const { input, output } = partition();
    await transformFile(orders, input, output, { chunkRows: 500, onChunk: async () => undefined });
    const whole = readFileSync(output, 'utf8');
    expect(whole.split('\n')[1]).toBe('O-0,C0,2026-11-01,2026-11,50,EUR,DE');

    // A pass killed after its third chunk, having written more after its last checkpoint reached Temporal.
    let last: TransformCheckpoint | undefined;
    await expect(
      transformFile(orders, input, output, {
        chunkRows: 500,
        onChunk: async (checkpoint) => {
          last = checkpoint;
          if (checkpoint.rowsDone === 1_500) throw new Error('worker killed');
        },
      }),
    ).rejects.toThrow('worker killed');
    appendFileSync(output, 'O-1500,half a row written after the checkpoint');
    const resumed = await transformFile(orders, input, output, { checkpoint: last, chunkRows: 500, onChunk: async () => undefined });
    expect(resumed).toEqual({ rowsOut: 2_345, resumedFromRow: 1_500 });
    expect(readFileSync(output, 'utf8')).toBe(whole);
  });

  it('the activity resumes from the heartbeat details of the lost attempt', async () => {
    const { input } = partition();
    const staging = dir;
    const output = path.join(dir, 'transformed', 'part-0000.csv');
    const { transformPartition } = createPipelineStagingActivities({ stagingDir: staging, chunkRows: 1_000 });
    const beats: unknown[] = [];
    const first = new ActivityEnv(
      { workflowExecution: { workflowId: 'w', runId: 'r' }, attempt: 1 },
      { logger: new DefaultLogger('ERROR') },
    );
    first.on('heartbeat', (d: unknown) => beats.push(d));
    const whole = await first.runActivity(transformPartition, { dataset: 'orders', inputFile: input, outputFile: output });
    expect(whole.output).toMatchObject({ rowsOut: 2345, resumedFromRow: 0 });
    expect(beats).toHaveLength(2);
    const checkpoint = beats[0] as TransformCheckpoint;
    const retry = new ActivityEnv(
      { workflowExecution: { workflowId: 'w', runId: 'r' }, attempt: 2, heartbeatDetails: checkpoint },
      { logger: new DefaultLogger('ERROR') },
    );
    const resumed = await retry.runActivity(transformPartition, { dataset: 'orders', inputFile: input, outputFile: output });
    expect(resumed.output).toMatchObject({ rowsOut: 2345, resumedFromRow: 1000 });
    expect(readFileSync(output, 'utf8').trim().split('\n')).toHaveLength(2_346);
  });
});
