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
