/**
 * The worker's demo part, with OVERTURE_DEMO=on: a second Temporal worker in the worker's process, polling the demo's
 * task queue, that runs the Overture half of the console's demos. Its activities (the notices, and those of the
 * processes that offer a demo) are bound to an in-memory sandbox (activities/kit/demo-sandbox.ts), so a demo run
 * sends no email through the relay, posts nothing to the team's channel and writes nothing to the directory.
 */
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createNoticeActivities } from '../activities/kit/notices';
import { openDemoSandbox } from '../activities/kit/demo-sandbox';
import type { ConnectedProcess } from '../activities/kit/process-worker';
import type { OvertureConfig } from '../src/config';
import { processDemos, processWorkers } from '../src/registry';
import { discardedKpis } from '../src/stores/kpis/sink';

/** A running demo worker; `stop` drains it and releases its sandbox. */
export interface DemoWorker {
  stop(): Promise<void>;
}

/** What the demo worker shares with the worker: its connection and the same workflow code and data converter. */
export type DemoWorkerBase = Required<Pick<WorkerOptions, 'workflowBundle' | 'dataConverter'>> & {
  connection: NativeConnection;
  maxCachedWorkflows?: number;
};

/**
 * Starts the demo worker, if an installed process offers a demo; `onFailure` hears of it if it stops unasked
 * (the worker then stops too, so that a stack does not run on without its demo's runs being served).
 */
export async function startDemoWorker(
  config: OvertureConfig,
  base: DemoWorkerBase,
  onFailure: (reason: string) => void,
): Promise<DemoWorker | undefined> {
  const demoProcesses = new Set(processDemos().map((d) => d.process));
  if (demoProcesses.size === 0) return undefined;
  const sandbox = openDemoSandbox(config);
  const connected: ConnectedProcess[] = [];
  const release = async () => {
    for (const part of connected.reverse()) await part.close?.();
    await sandbox.close();
  };
  let worker: Worker;
  try {
    for (const { folder, worker: part } of processWorkers()) {
      if (demoProcesses.has(folder)) connected.push(await part.connect(sandbox.systems));
    }
    const activities = Object.assign({}, createNoticeActivities(sandbox.systems), ...connected.map((c) => c.activities)) as object;
    worker = await Worker.create({
      ...base,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: sandbox.systems.config.TEMPORAL_TASK_QUEUE,
      activities,
      // The demo's runs are not the team's: their KPIs are dropped.
      sinks: discardedKpis(),
    });
  } catch (err) {
    await release();
    throw err;
  }
  const running = worker.run().then(
    () => undefined,
    (err: unknown) => onFailure(`the demo worker failed: ${err instanceof Error ? err.message : String(err)}`),
  );
  return {
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await release();
    },
  };
}
