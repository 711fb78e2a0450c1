/**
 * The pieces of a budgeted step's fast path (workflows/kit/step-proxies.ts): which failures of the fast attempt move
 * to a durable activity, the options of both, and attempts counted across them in the step's activity.
 */
import { ActivityFailure, ApplicationFailure, CancelledFailure, RetryState, TimeoutFailure, TimeoutType } from '@temporalio/common';
import { isTransientStepFailure } from '../../workflows/kit/failures';
import { durableOptions, FAST_ATTEMPT_MS, fastAttemptOptions } from '../../workflows/kit/activity-options';
import { SYSTEM_PAUSED, type StepPolicy } from '../../workflows/kit/types';
import { stepActivity } from '../../activities/kit/step-attempt';
import { activityEnvFor, failureOf } from '../helpers/activity-env';
import { kitVersionOf } from '../../workflows/kit/kit-version';

const policy: StepPolicy = {
  startToCloseTimeoutMs: 60_000,
  initialIntervalMs: 1_000,
  backoffCoefficient: 2,
  maximumIntervalMs: 120_000,
  maximumAttempts: 5,
  retryBudgetMs: 4 * 3_600_000,
  runAs: 'local',
};

describe('the failures of a fast attempt that move to a durable activity', () => {
  it('moves a retryable failure and a local timeout', () => {
    expect(isTransientStepFailure(ApplicationFailure.create({ message: 'SMTP delivery failed: ECONNREFUSED' }))).toBe(true);
    expect(isTransientStepFailure(new TimeoutFailure('local activity timed out', undefined, TimeoutType.START_TO_CLOSE))).toBe(true);
    const wrapped = new ActivityFailure('failed', 'sendWelcomeEmail', '1', RetryState.MAXIMUM_ATTEMPTS_REACHED, undefined, new Error('x'));
    expect(isTransientStepFailure(wrapped)).toBe(true);
  });

  it('keeps a permanent failure, a paused system and a cancellation with the step, and a workflow bug out', () => {
    expect(isTransientStepFailure(ApplicationFailure.create({ message: 'mailbox unavailable', nonRetryable: true }))).toBe(false);
    expect(isTransientStepFailure(ApplicationFailure.create({ type: SYSTEM_PAUSED, message: 'email is paused' }))).toBe(false);
    expect(isTransientStepFailure(new CancelledFailure('cancelled'))).toBe(false);
    const refused = new ActivityFailure('failed', 'sendWelcomeEmail', '1', RetryState.NON_RETRYABLE_FAILURE, undefined, new Error('x'));
    expect(isTransientStepFailure(refused)).toBe(false);
    expect(isTransientStepFailure(new TypeError('undefined is not a function'))).toBe(false);
  });
});

describe('the options of a budgeted step', () => {
  it('gives the fast attempt one try of at most 5 s, and the durable activity the rest of the budget', () => {
    expect(fastAttemptOptions(policy, 'Send')).toEqual({
      summary: 'Send',
      startToCloseTimeout: FAST_ATTEMPT_MS,
      retry: { maximumAttempts: 1 },
    });
    expect(fastAttemptOptions({ ...policy, startToCloseTimeoutMs: 2_000 }, 'Send').startToCloseTimeout).toBe(2_000);
    const durable = durableOptions(policy, 'Send', 3_600_000);
    expect(durable).toMatchObject({ startToCloseTimeout: 60_000, scheduleToCloseTimeout: 3_600_000 });
    // A budget in time: no attempt count.
    expect(durable.retry?.maximumAttempts).toBeUndefined();
  });

  it('reads the kit version of a run, version 1 for runs from before versions and for anything that is not one', () => {
    expect(kitVersionOf({})).toBe(1);
    expect(kitVersionOf({ kitVersion: 2 })).toBe(2);
    expect(kitVersionOf({ kitVersion: 0 })).toBe(1);
    expect(kitVersionOf({ kitVersion: 1.5 })).toBe(1);
  });
});

describe('attempts across the fast attempt and the durable activity', () => {
  const send = stepActivity(async (_input: { to: string }) => ({ sent: true }));

  it('counts the fast attempt: the durable activity’s first attempt is the step’s second', async () => {
    const result = await activityEnvFor('onboarding-E1', 1).runActivity(send, { to: 'x', attemptOffset: 1 });
    expect(result).toEqual({ output: { sent: true }, attempt: 2 });
    expect(await activityEnvFor('onboarding-E1', 1).runActivity(send, { to: 'x' })).toEqual({ output: { sent: true }, attempt: 1 });
  });

  it('makes transient:N mean N failed attempts of the step in all', async () => {
    // Two failures in all: the fast attempt (1) failed; the durable activity's first attempt is the step's 2nd, failing too.
    const fault = { kind: 'transient' as const, failures: 2 };
    const failure = await failureOf(activityEnvFor('onboarding-E1', 1).runActivity(send, { to: 'x', fault, attemptOffset: 1 }));
    expect(failure.details?.[0]).toMatchObject({ attempt: 2, injected: true });
    expect(await activityEnvFor('onboarding-E1', 2).runActivity(send, { to: 'x', fault, attemptOffset: 1 })).toMatchObject({ attempt: 3 });
  });

  it('ignores an offset that is not a small positive integer', async () => {
    for (const attemptOffset of [-1, 0.5, 1e9])
      expect(await activityEnvFor('onboarding-E1', 1).runActivity(send, { to: 'x', attemptOffset })).toMatchObject({ attempt: 1 });
  });
});
