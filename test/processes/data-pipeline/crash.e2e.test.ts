/**
 * A worker killed with SIGKILL in the middle of the pipeline's transform: on a new worker, each interrupted
 * partition resumes from the last checkpoint its heartbeats carried (not from row 0), and the warehouse ends up
 * with every good row exactly once.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { getRunStatus } from '../../../src/client';
import { writeOrderFile } from '../../../activities/data-pipeline/order-generator';
import type { DataPipelineResult } from '../../../workflows/data-pipeline/types';
import { startPipeline, summariesOf, warehouseRows } from './helpers';
import { kill, spawnWorker, type WorkerProcess } from '../../helpers/processes';
import { eventually, startTestStack, type TestStack } from '../../helpers/test-stack';
import { settings as pipelineSettings } from '../../../activities/data-pipeline/settings';

let stack: TestStack;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  stack = await startTestStack({}, { worker: false });
});
afterAll(async () => {
  for (const w of workers) await kill(w.child);
  await stack.stop();
});

/** The rows done that a partition's running transform last heartbeated to Temporal, if any. */
async function heartbeatedRows(workflowId: string): Promise<number | undefined> {
  const described = await stack.client.workflow.getHandle(workflowId).describe();
  const payload = described.raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0];
  if (!payload) return undefined;
  // Heartbeat details are encrypted at rest like every payload (src/temporal/codec): decoded with the stack's codec first.
  const [decoded] = await stack.dataConverter.payloadCodecs![0]!.decode([payload]);
  return defaultPayloadConverter.fromPayload<{ rowsDone: number }>(decoded!).rowsDone;
}

it('resumes an interrupted transform from its checkpoint on a new worker, loading every row once', async () => {
  const first = spawnWorker(stack.env);
  workers.push(first);
  mkdirSync(pipelineSettings.of(stack.config).inboxDir, { recursive: true });
  const counts = await writeOrderFile(path.join(pipelineSettings.of(stack.config).inboxDir, 'orders-2026-11-09.csv'), {
    date: '2026-11-09',
    rows: 20_000,
    badRatio: 0.01,
  });
  await first.ready;
  // Two partitions of 10,000 rows transformed side by side, each chunk of 1,000 rows paced to 0.8 s: ~8 s each.
  const run = await startPipeline(
    stack,
    { source: { inboxFile: 'orders-2026-11-09.csv' }, partitionRows: 10_000, maxParallelPartitions: 2 },
    { transformPartition: { kind: 'latency', ms: 800 } },
  );
  const partitions = [0, 1].map((i) => `${run.workflowId}/transform/part-${i}`);

  // Kill the worker once a partition's checkpoint has reached Temporal: the transform is under way.
  await eventually(
    async () => {
      for (const id of partitions) if (((await heartbeatedRows(id).catch(() => undefined)) ?? 0) > 0) return true;
      return undefined;
    },
    60_000,
    'a partition to heartbeat its progress',
  );
  await kill(first.child, 'SIGKILL');

  const second = spawnWorker(stack.env);
  workers.push(second);
  await second.ready;
  const result = (await run.handle.result()) as DataPipelineResult;

  expect(result.resumed.length).toBeGreaterThan(0);
  for (const resumed of result.resumed) expect(resumed.fromRow).toBeGreaterThanOrEqual(1_000);
  expect(result).toMatchObject({ rowsIn: 20_000, rejected: counts.bad, loaded: counts.good, inserted: counts.good, qualityPassed: true });
  expect(warehouseRows(stack, 'orders/2026-11-09')).toBe(counts.good);
  const resumedPartition = await getRunStatus(stack.client, partitions[result.resumed[0]!.partition]!);
  expect(resumedPartition.log.map((l) => l.message).join('\n')).toContain(
    `resumed from its checkpoint at row ${result.resumed[0]!.fromRow}`,
  );
  expect(summariesOf(stack, 'orders/2026-11-09')).toEqual([expect.stringContaining('resumed from a checkpoint after losing their worker')]);
}, 180_000);
