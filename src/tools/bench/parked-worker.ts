/**
 * The parked phase's worker, in a process of its own so that its memory is the worker's alone (the bench process
 * also holds the client, the receivers and what the earlier phases left). The bench forks it with its settings in
 * BENCH_PARKED_WORKER; it reports its memory every 250 ms over IPC and stops when told to (or when the bench goes).
 *
 * It runs Overture's compiled build (dist/), as the image and `npm run worker` after a build run the worker, under plain
 * `node`: under tsx the same worker starts about 45 MB larger (the loader and its transpiled sources, which no
 * deployment carries). The bench transpiles this file and its no-op systems on their own (they are bench code, kept
 * out of dist/ and the image) and this file loads the worker and config from `productRoot`: dist/, or the repository's
 * sources when the bench runs the worker under tsx (OVERTURE_COMPILED=0).
 */
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createNoOpOnboardingActivities } from './fixtures/no-op-systems';

import type { loadConfig as LoadConfig } from '../../config';
import type { createWorker as CreateWorker } from '../../../workers/overture-worker';

/** What the bench tells the worker process. */
export interface ParkedWorkerSettings {
  env: Record<string, string>;
  taskQueue: string;
  /** The bench's workflow bundle, written to a file: the same code as every other phase, not bundled again. */
  bundlePath: string;
  systems: 'no-op' | 'real';
  /** Where Overture's code is loaded from: dist/ (compiled) or the repository root (sources, under tsx). */
  productRoot: string;
}

/** Messages from the worker process to the bench. */
/** The worker's memory: RSS beside the main thread's heap and what lives outside it (RSS − heapTotal − external ≈ the workflow thread + native). */
export type MemorySample = Pick<NodeJS.MemoryUsage, 'rss' | 'heapUsed' | 'heapTotal' | 'external' | 'arrayBuffers'>;

export type ParkedWorkerMessage = { type: 'ready' } | ({ type: 'memory' } & MemorySample) | { type: 'failed'; error: string };

const SAMPLE_EVERY_MS = 250;

async function main(): Promise<void> {
  const settings = JSON.parse(process.env.BENCH_PARKED_WORKER ?? '') as ParkedWorkerSettings;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const send = (message: ParkedWorkerMessage) => process.send?.(message);
  /* eslint-disable @typescript-eslint/no-require-imports -- the product's code comes from dist/ or the sources, chosen by the bench */
  const { loadConfig } = require(path.join(settings.productRoot, 'src', 'config')) as { loadConfig: typeof LoadConfig };
  const { createWorker } = require(path.join(settings.productRoot, 'workers', 'overture-worker')) as { createWorker: typeof CreateWorker };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const config = loadConfig({ ...settings.env, TEMPORAL_TASK_QUEUE: settings.taskQueue });
  const { worker, shutdown: release } = await createWorker(config, {
    workflowBundle: { codePath: settings.bundlePath },
    // Extra worker options win over createWorker's own: the no-op activities replace every system.
    ...(settings.systems === 'no-op' ? { activities: createNoOpOnboardingActivities() } : {}),
  });
  const running = worker.run();
  const stop = async () => {
    worker.shutdown();
    await running;
    await release();
  };
  const sample = () => {
    const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
    send({ type: 'memory', rss, heapUsed, heapTotal, external, arrayBuffers });
  };
  const timer = setInterval(sample, SAMPLE_EVERY_MS);
  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    (stopping ??= (async () => {
      clearInterval(timer);
      await stop();
      process.disconnect?.();
    })());
  process.on('message', (message) => {
    if (message === 'stop') void shutdown();
  });
  // The bench went away (or closed the channel): a worker left behind would keep polling.
  process.on('disconnect', () => void shutdown());
  sample();
  send({ type: 'ready' });
}

main().catch((err: unknown) => {
  process.send?.({ type: 'failed', error: err instanceof Error ? err.message : String(err) } satisfies ParkedWorkerMessage);
  process.exitCode = 1;
});
