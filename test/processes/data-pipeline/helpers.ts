/**
 * What the data-pipeline tests share: run options with quick retries (keeping the steps' timeouts and heartbeat
 * timeouts), starting a batch from an inbox file, and reading the warehouse and the team summaries.
 */
import type { StartedRun } from '../../../src/client';
import { startProcess } from '../../../src/client';
import { datasetNamed } from '../../../activities/data-pipeline/datasets';
import { SqliteWarehouse } from '../../../activities/data-pipeline/sqlite-warehouse';
import type { ProcessOptions } from '../../../workflows/kit/types';
import type { TestStack } from '../../helpers/test-stack';
import { settings as pipelineSettings } from '../../../activities/data-pipeline/settings';

/** Quick retries for tests; timeouts and heartbeat timeouts stay as configured (they are what the tests exercise). */
export function quickRetries<O extends ProcessOptions>(options: O): O {
  const policies = Object.fromEntries(
    Object.entries(options.policies).map(([step, p]) => [step, { ...p, initialIntervalMs: 200, maximumIntervalMs: 1_000 }]),
  );
  return {
    ...options,
    policies,
    supportPolicy: { ...options.supportPolicy, initialIntervalMs: 100, maximumIntervalMs: 200, maximumAttempts: 3 },
  };
}

/** Starts the pipeline of an inbox file. */
export function startPipeline(stack: TestStack, request: Record<string, unknown>, faults: StartedRunFaults = {}): Promise<StartedRun> {
  return startProcess(
    stack.client,
    stack.config,
    'data-pipeline',
    { dataset: 'orders', ...request },
    { tuneOptions: quickRetries, faults },
  );
}

type StartedRunFaults = NonNullable<Parameters<typeof startProcess>[4]>['faults'];

/** Rows of a batch in the warehouse, read through a connection of the test's own. */
export function warehouseRows(stack: TestStack, batchId: string): number {
  const warehouse = new SqliteWarehouse(pipelineSettings.of(stack.config).warehouseDbPath);
  try {
    return warehouse.rowCount(datasetNamed('orders'), batchId);
  } finally {
    warehouse.close();
  }
}

/** The team summaries posted about a batch. */
export function summariesOf(stack: TestStack, batchId: string): string[] {
  return stack.webhooks
    .received()
    .map((w) => (w.body as { text?: string }).text ?? '')
    .filter((text) => text.startsWith(':bar_chart:') && text.includes(`${batchId} `));
}
