/**
 * A partition's transform resumed from a checkpoint writing exactly what an uninterrupted one writes. (Loading into
 * the warehouse once per batch is the warehouse contract: test/helpers/warehouse-contract.ts.)
 */
import { mkdtempSync, readFileSync, appendFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger } from '@temporalio/worker';
import { createPipelineStagingActivities } from '../../../activities/data-pipeline/staging';
import { datasetNamed } from '../../../activities/data-pipeline/datasets';
import { transformFile, type TransformCheckpoint } from '../../../activities/data-pipeline/transform-file';
import { ActivityEnv } from '../../helpers/activity-env';

const orders = datasetNamed('orders');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'warehouse-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
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
