/**
 * The parked phase's worker, in a process of its own so that its memory is the worker's alone (the bench process
 * also holds the client, the receivers and what the earlier phases left). The bench forks it with its settings in
 * BENCH_PARKED_WORKER; it reports its memory every 250 ms over IPC and stops when told to (or when the bench goes).
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startOvertureWorker } from './variants';

/** What the bench tells the worker process. */
export interface ParkedWorkerSettings {
  env: Record<string, string>;
  taskQueue: string;
  /** The bench's workflow bundle, written to a file: the same code as every other phase, not bundled again. */
  bundlePath: string;
  systems: 'no-op' | 'real';
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
  const { stop } = await startOvertureWorker(settings.env, settings.taskQueue, { codePath: settings.bundlePath }, settings.systems);
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
