/**
 * Failed step attempts, counted where they happen: in the activity, by class. A transient fault that a retry
 * heals never reaches the workflow, so only the activity side sees it.
 */
import { ApplicationFailure, type Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { StepFailureDetails } from '../../../workflows/kit/failures';
import { OVERTURE_METRICS } from '../../../workflows/kit/metrics';

/** How an attempt failed: a fault injected on purpose, a permanent error (no retry), or a transient one. */
export type FailureClass = 'injected' | 'permanent' | 'transient';

/** Classifies an activity's error as the workflow will read it (see activities/step-attempt.ts). */
export function failureClass(err: unknown): FailureClass {
  if (err instanceof ApplicationFailure) {
    const details = err.details?.[0] as Partial<StepFailureDetails> | undefined;
    if (details?.injected === true) return 'injected';
    if (err.nonRetryable) return 'permanent';
  }
  return 'transient';
}

/** An activity interceptor that counts each attempt, and each failed one by class, by step (the activity's type). */
export const countStepAttemptFailures: ActivityInterceptorsFactory = (ctx: Context) => ({
  inbound: {
    async execute(input, next) {
      ctx.metricMeter
        .createCounter(OVERTURE_METRICS.stepAttempts, 'attempts', 'Step attempts started')
        .add(1, { step: ctx.info.activityType });
      try {
        return await next(input);
      } catch (err) {
        // A cancelled attempt did not fail: the run stopped asking for it.
        if (!ctx.cancellationSignal.aborted) {
          ctx.metricMeter
            .createCounter(OVERTURE_METRICS.stepAttemptFailures, 'attempts', 'Failed step attempts, by class')
            .add(1, { step: ctx.info.activityType, class: failureClass(err) });
        }
        throw err;
      }
    },
  },
});
