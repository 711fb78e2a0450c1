/**
 * The worker process of the soak: `workers/overture-worker.ts`'s createWorker in a process of its own, on the
 * workflow bundle the test run built once (OVERTURE_TEST_WORKFLOW_BUNDLE). The soak kills and restarts workers
 * dozens of times; bundling the workflows at each start, as the real entry point does, would cost seconds of CPU
 * each time and say nothing about recovery. Prints the same "worker polling task queue" line when it polls.
 */
import { loadConfig } from '../../src/config';
import { installWorkerRuntime } from '../../src/temporal/observability/runtime';
import { createWorker } from '../../workers/overture-worker';

async function main(): Promise<void> {
  const config = loadConfig();
  installWorkerRuntime(config, () => undefined);
  const codePath = process.env.OVERTURE_TEST_WORKFLOW_BUNDLE;
  if (!codePath)
    throw new Error('OVERTURE_TEST_WORKFLOW_BUNDLE is not set: the soak starts this worker from jest (globalSetup builds the bundle)');
  const { worker, shutdown } = await createWorker(config, { workflowBundle: { codePath } });
  console.log(`worker polling task queue ${config.TEMPORAL_TASK_QUEUE}`);
  await worker.run();
  await shutdown();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
