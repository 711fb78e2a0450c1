/**
 * A step's policy as Temporal activity options, with a summary the Temporal UI shows on the activity.
 */
import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import type { StepPolicy } from './types';

/** Temporal activity options for a step's policy. */
export function activityOptions(policy: StepPolicy, summary: string): ActivityOptions {
  // A budget in time: unlimited attempts (maximumAttempts left out), bounded by the schedule-to-close timeout instead.
  const budget = policy.retryBudgetMs && policy.retryBudgetMs > 0 ? policy.retryBudgetMs : undefined;
  return {
    summary,
    startToCloseTimeout: policy.startToCloseTimeoutMs,
    ...(budget ? { scheduleToCloseTimeout: budget } : {}),
    ...(policy.heartbeatTimeoutMs ? { heartbeatTimeout: policy.heartbeatTimeoutMs } : {}),
    retry: {
      initialInterval: policy.initialIntervalMs,
      backoffCoefficient: policy.backoffCoefficient,
      maximumInterval: policy.maximumIntervalMs,
      ...(budget ? {} : { maximumAttempts: policy.maximumAttempts }),
    },
  };
}

/** Temporal local activity options for a step's policy (the fast path); the summary shows on its marker. */
export function localActivityOptions(policy: StepPolicy, summary: string): LocalActivityOptions {
  const { summary: shown, startToCloseTimeout, scheduleToCloseTimeout, retry } = activityOptions(policy, summary);
  return { summary: shown, startToCloseTimeout, ...(scheduleToCloseTimeout ? { scheduleToCloseTimeout } : {}), retry };
}

/**
 * The first attempt of a budgeted step on the fast path: one local attempt, at most {@link FAST_ATTEMPT_MS}, so that
 * it ends well before core would heartbeat the workflow task (at 80% of its 10 s timeout) and people wait no longer
 * for the run to take their decisions.
 */
export const FAST_ATTEMPT_MS = 5_000;

/** Local activity options of a budgeted step's one fast attempt (no retries: a failure moves to {@link durableOptions}). */
export function fastAttemptOptions(policy: StepPolicy, summary: string): LocalActivityOptions {
  return { summary, startToCloseTimeout: Math.min(policy.startToCloseTimeoutMs, FAST_ATTEMPT_MS), retry: { maximumAttempts: 1 } };
}

/** Activity options of a budgeted step's retries after its fast attempt: the policy's, with what remains of the budget. */
export function durableOptions(policy: StepPolicy, summary: string, remainingMs: number): ActivityOptions {
  return activityOptions({ ...policy, retryBudgetMs: remainingMs }, summary);
}
