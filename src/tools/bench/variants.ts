/**
 * The five things the onboarding bench compares, each with its own worker and task queue: (a) a plain Temporal
 * workflow of five no-op activities on a default server, (b) the same on Overture's tuned server, (e) the same five
 * as local activities on the tuned server (the floor of the fast path), (c) Overture's onboarding with no-op
 * systems, (d) Overture's onboarding with the real local systems.
 */
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { startProcess, type StartedRun } from '../../client';
import type { onboarding } from '../../../workflows/onboarding/workflow';
import { loadConfig, type OvertureConfig } from '../../config';
import { createWorker } from '../../../workers/overture-worker';
import type { NewHire } from '../../../workflows/onboarding/types';
import { ActivityClock } from './activity-clock';
import { createNoOpOnboardingActivities } from './fixtures/no-op-systems';

export type VariantKey = 'a' | 'b' | 'e' | 'c' | 'd';
/** In the order the bench runs them: (e) right after (b), on the same tuned server, before Overture's. */
export const VARIANT_KEYS: readonly VariantKey[] = ['a', 'b', 'e', 'c', 'd'];

export const VARIANT_TITLES: Record<VariantKey, string> = {
  a: 'plain Temporal, default server',
  b: 'plain Temporal, tuned server',
  e: 'plain Temporal LA, tuned server',
  c: 'Overture, no-op systems',
  d: 'Overture, real systems',
};

/** One run as the bench saw it: from the start request to the result. */
export interface RunOutcome {
  workflowId: string;
  runId: string;
  latencyMs: number;
  completed: boolean;
  error?: string;
}

/** A variant ready to run: its worker polls its own task queue until `stop`. */
export interface Variant {
  key: VariantKey;
  /** The worker's timing of each activity, where the bench needs it (Overture's local activities). */
  clock?: ActivityClock;
  /** The process of the local systems (SMTP and webhook receivers) this variant uses, when they run in one of their own. */
  systemsPid?: number;
  /** Starts one run and waits for its result; never throws (a failure is a run not completed). */
  runOne(): Promise<RunOutcome>;
  stop(): Promise<void>;
}

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Runs a worker until the returned function is called, which drains it and then releases what `release` holds. */
function runWorker(worker: Worker, release: () => Promise<void>): () => Promise<void> {
  const running = worker.run();
  return async () => {
    worker.shutdown();
    await running;
    await release();
  };
}

/** Variant (a), (b) or (e): the plain workflow on its own worker, with SDK defaults; (e) runs its steps as local activities. */
export async function startPlainVariant(
  key: 'a' | 'b' | 'e',
  client: Client,
  address: string,
  bundle: WorkflowBundleWithSourceMap,
): Promise<Variant> {
  const taskQueue = `bench-plain-${key}`;
  const workflowType = key === 'e' ? 'plainFiveLocalSteps' : 'plainFiveSteps';
  const connection = await NativeConnection.connect({ address });
  // The client encrypts what it sends (src/temporal/codec): its worker decodes with the same converter.
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: bundle,
    activities: { plainNoop: (step: number) => Promise.resolve(step) },
    dataConverter: client.options.dataConverter,
  });
  const stop = runWorker(worker, () => connection.close());
  let seq = 0;
  const prefix = `plain-${key}-${Date.now().toString(36)}`;
  return {
    key,
    stop,
    async runOne() {
      const workflowId = `${prefix}-${++seq}`;
      const t0 = performance.now();
      try {
        const handle = await client.workflow.start(workflowType, { taskQueue, workflowId, args: [] });
        const done = (await handle.result()) as number;
        return { workflowId, runId: handle.firstExecutionRunId, latencyMs: performance.now() - t0, completed: done === 5 };
      } catch (err) {
        return { workflowId, runId: '', latencyMs: performance.now() - t0, completed: false, error: describe(err) };
      }
    },
  };
}

/** A valid new hire with an employee id unique to this bench invocation; 'admin' waits at the approval gate. */
export function benchHire(employeeId: string, role: 'engineer' | 'admin' = 'engineer'): NewHire {
  return {
    employeeId,
    fullName: 'Grace Hopper',
    email: `g.hopper.${employeeId.toLowerCase()}@example.com`,
    role,
    team: 'Compilers',
    managerEmail: 'howard.aiken@example.com',
    startDate: '2026-12-07',
    extraPermissions: [],
  };
}

/** An Overture worker on its own task queue: with the real systems of `env`, or with no-op systems. */
export async function startOvertureWorker(
  env: NodeJS.ProcessEnv,
  taskQueue: string,
  bundle: NonNullable<WorkerOptions['workflowBundle']>,
  systems: 'real' | 'no-op',
  clock?: ActivityClock,
): Promise<{ config: OvertureConfig; stop: () => Promise<void> }> {
  const config = loadConfig({ ...env, TEMPORAL_TASK_QUEUE: taskQueue });
  const { worker, shutdown } = await createWorker(config, {
    workflowBundle: bundle,
    ...(clock ? { interceptors: { activity: [clock.interceptor] } } : {}),
    // Extra worker options win over createWorker's own: the no-op activities replace every system.
    ...(systems === 'no-op' ? { activities: createNoOpOnboardingActivities() } : {}),
  });
  return { config, stop: runWorker(worker, shutdown) };
}

/** Variant (c) or (d): onboarding of an engineer (no approval), start request to result. */
export async function startOnboardingVariant(
  key: 'c' | 'd',
  client: Client,
  env: NodeJS.ProcessEnv,
  bundle: WorkflowBundleWithSourceMap,
  systemsPid?: number,
): Promise<Variant> {
  const clock = new ActivityClock();
  const { config, stop } = await startOvertureWorker(env, `bench-onboarding-${key}`, bundle, key === 'c' ? 'no-op' : 'real', clock);
  let seq = 0;
  const prefix = `B${key}${Date.now().toString(36)}`.toUpperCase();
  return {
    key,
    clock,
    ...(systemsPid === undefined ? {} : { systemsPid }),
    stop,
    async runOne() {
      const employeeId = `${prefix}${++seq}`;
      const t0 = performance.now();
      try {
        const started = (await startProcess(client, config, 'onboarding', benchHire(employeeId))) as StartedRun<typeof onboarding>;
        const result = await started.handle.result();
        const completed = !started.alreadyStarted && result.state === 'completed' && result.skippedSteps.length === 0;
        return { workflowId: started.workflowId, runId: started.runId, latencyMs: performance.now() - t0, completed };
      } catch (err) {
        return { workflowId: employeeId, runId: '', latencyMs: performance.now() - t0, completed: false, error: describe(err) };
      }
    },
  };
}
