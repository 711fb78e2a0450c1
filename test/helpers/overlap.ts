/**
 * A welcome email whose every attempt outlives its start-to-close timeout: a slow relay (greeting after
 * GREETING_DELAY_MS) against a 2 s timeout, so Temporal retries while the previous attempt is still sending.
 */
import type { ProcessOptions, StepPolicy } from '../../workflows/kit/types';
import { fastOptions } from './test-stack';

export const GREETING_DELAY_MS = 4_000;
export const START_TO_CLOSE_MS = 2_000;

/** Tunes an onboarding so that sendWelcomeEmail (as an activity or a local activity) overlaps its own retries. */
export function overlappingWelcome(runAs: 'activity' | 'local') {
  const tune = fastOptions();
  return <O extends ProcessOptions>(options: O): O => {
    const tuned = tune(options);
    const policy: StepPolicy = {
      ...tuned.policies.sendWelcomeEmail!,
      startToCloseTimeoutMs: START_TO_CLOSE_MS,
      initialIntervalMs: 200,
      maximumIntervalMs: 500,
      maximumAttempts: 20,
      runAs,
      ...(runAs === 'activity' ? { heartbeatTimeoutMs: 1_500 } : {}),
    };
    tuned.policies.sendWelcomeEmail = policy;
    return tuned;
  };
}
