/**
 * Running one activity function with an activity Context (workflow execution, attempt number), through the
 * SDK's MockActivityEnvironment, for unit tests of activities against real systems.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';

const logger = new DefaultLogger('ERROR');

/** MockActivityEnvironment whose run() keeps the activity's result type (the SDK's signature cannot infer it). */
export class ActivityEnv extends MockActivityEnvironment {
  runActivity<A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> {
    return this.run<A, R, (...args: A) => Promise<R>>(fn, ...args);
  }
}

/** The activity Context of one attempt of one activity in a workflow run. */
export function activityEnvFor(workflowId: string, attempt = 1, runId = 'run-1'): ActivityEnv {
  return new ActivityEnv({ workflowExecution: { workflowId, runId }, attempt }, { logger });
}

/** Awaits a promise expected to reject with an ApplicationFailure, and returns that failure. */
export async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApplicationFailure) return err;
    throw new Error(`expected an ApplicationFailure, got ${String(err)}`);
  }
  throw new Error('expected the activity to fail, but it succeeded');
}
