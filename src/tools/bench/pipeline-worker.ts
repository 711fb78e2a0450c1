/**
 * The pipeline bench's worker, in a process of its own so the bench can SIGKILL it in the middle of a transform.
 * The bench forks it with its settings in BENCH_PIPELINE_WORKER; it says `ready` over IPC once it polls.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../../config';
import { createWorker } from '../../../workers/overture-worker';

/** What the bench tells the worker process. */
export interface PipelineWorkerSettings {
  env: Record<string, string>;
  /** The bench's workflow bundle, written once: a restarted worker does not bundle again. */
  bundlePath: string;
  /** How long a workflow task waits on this worker's sticky queue before going to any worker (the SDK's default: 10 s). */
  stickyTimeoutMs?: number;
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.env.BENCH_PIPELINE_WORKER ?? '') as PipelineWorkerSettings;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const sticky = settings.stickyTimeoutMs ? { stickyQueueScheduleToStartTimeout: settings.stickyTimeoutMs } : {};
  const { worker, shutdown } = await createWorker(loadConfig(settings.env), {
    workflowBundle: { codePath: settings.bundlePath },
    ...sticky,
  });
  // The bench went away (or asked): drain and stop instead of polling on.
  process.on('disconnect', () => worker.shutdown());
  const running = worker.run();
  process.send?.('ready');
  await running;
  await shutdown();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
