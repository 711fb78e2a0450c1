/**
 * What every step activity does around its side effect: apply an injected fault first, then classify
 * whatever goes wrong as permanent (stop retrying) or transient (retry with backoff).
 */
import { ApplicationFailure, Context, sleep } from '@temporalio/activity';
import type { FaultMode, StepResult } from '../../workflows/kit/types';
import type { StepFailureDetails } from '../../workflows/kit/failures';
import { PermanentError } from './errors';
import { asPausableStep } from './pause-scope';
import { boundedResult } from './result-size';
import { redactUrlsIn } from '../../src/config/redact-url';

export { PermanentError, TransientError } from './errors';

/** Input of a step activity: its own fields plus the fault injected into it, if any. */
export interface Faultable {
  fault?: FaultMode;
  /**
   * Attempts made before this activity's first: 1 for a budgeted step's durable retries after its fast local
   * attempt (workflows/kit/step-proxies.ts), so that attempts (and `transient:N` faults) count across both.
   */
  attemptOffset?: number;
}

/** A step's output, with the attempt that produced it so the run can report attempts. */
export type StepAttempt<T> = StepResult<T>;

const EMAIL_ADDRESS = /[\w.+-]+@[\w-]+(\.[\w-]+)+/g;

/** Failure messages leave the activity unencrypted; email addresses and the credentials of URLs in them are masked. */
export function redactPersonalData(message: string): string {
  return redactUrlsIn(message).replace(EMAIL_ADDRESS, '<email>');
}

async function applyFault(fault: FaultMode | undefined, attempt: number): Promise<void> {
  if (!fault) return;
  if (fault.kind === 'latency') {
    // Heartbeat while waiting so that cancellation reaches us and a crashed worker is noticed (a local
    // activity cannot heartbeat: it lives in its workflow task, which the server watches instead).
    const until = Date.now() + fault.ms;
    const { isLocal } = Context.current().info;
    while (Date.now() < until) {
      if (!isLocal) Context.current().heartbeat();
      await sleep(Math.min(500, until - Date.now()));
    }
    return;
  }
  const details: StepFailureDetails = { attempt, injected: true };
  if (fault.kind === 'permanent') {
    throw ApplicationFailure.create({
      type: 'InjectedPermanentFault',
      message: 'injected permanent fault',
      nonRetryable: true,
      details: [details],
    });
  }
  if (attempt <= fault.failures) {
    throw ApplicationFailure.create({
      type: 'InjectedTransientFault',
      message: `injected transient fault (${attempt} of ${fault.failures})`,
      details: [details],
    });
  }
}

/** Turns any error into the ApplicationFailure the workflow reads: permanent or not, with the attempt number. */
export function toStepFailure(err: unknown, attempt: number): ApplicationFailure {
  const details: StepFailureDetails = { attempt, injected: false };
  if (err instanceof ApplicationFailure) {
    if (err.details?.length) return err;
    return ApplicationFailure.create({
      type: err.type ?? 'StepFailed',
      message: redactPersonalData(err.message),
      nonRetryable: err.nonRetryable ?? false,
      details: [details],
      cause: err.cause,
    });
  }
  const message = redactPersonalData(err instanceof Error ? err.message : String(err));
  return ApplicationFailure.create({
    type: err instanceof Error ? err.name : 'Error',
    message,
    nonRetryable: err instanceof PermanentError,
    details: [details],
  });
}

/** The most attempts a step makes before an activity of its: one fast attempt today. */
const MAX_ATTEMPT_OFFSET = 10;

/** The step's attempt number: this activity's attempt after the attempts made before it (a bounded offset). */
function stepAttemptNumber(activityAttempt: number, attemptOffset: number | undefined): number {
  const offset = Number.isInteger(attemptOffset) && attemptOffset! > 0 && attemptOffset! <= MAX_ATTEMPT_OFFSET ? attemptOffset! : 0;
  return activityAttempt + offset;
}

/**
 * Runs one attempt of a step: injected fault first (before any side effect), then the side effect. `attemptOffset`
 * counts the step's attempts before this activity's first (its fast attempt).
 */
export async function attemptStep<T>(
  fault: FaultMode | undefined,
  sideEffect: () => Promise<T>,
  attemptOffset?: number,
): Promise<StepAttempt<T>> {
  const attempt = stepAttemptNumber(Context.current().info.attempt, attemptOffset);
  try {
    await applyFault(fault, attempt);
    const output = boundedResult(await asPausableStep(sideEffect));
    // One line per step done, with its run, process and step (src/logging); a failed attempt is the SDK's warning.
    Context.current().log.info('step completed', { attempt });
    return { output, attempt };
  } catch (err) {
    throw toStepFailure(err, attempt);
  }
}

/**
 * A step's activity: the kit applies the fault injected into the step first (before any side effect), then does
 * the work, and sorts whatever goes wrong into permanent or transient. The workflow side adds the `fault` to the
 * input (workflows/kit/step-proxies.ts); `work` never sees it.
 *
 * ```ts
 * createAccount: stepActivity(async (input: { employeeId: string }) => ({ accountId: await directory.create(input.employeeId) })),
 * ```
 */
export function stepActivity<I extends object, O>(work: (input: I) => Promise<O>): (input: I & Faultable) => Promise<StepAttempt<O>> {
  return (input) => {
    const { fault, attemptOffset, ...rest } = input;
    return attemptStep(fault, () => work(rest as unknown as I), attemptOffset);
  };
}

/** Idempotency key of a side effect: the workflow ID, its run, and what the effect is for. */
export function idempotencyKey(purpose: string): string {
  const execution = Context.current().info.workflowExecution;
  if (!execution) throw new Error('idempotencyKey() is only meaningful in an activity started by a workflow');
  const { workflowId, runId } = execution;
  return `${workflowId}/${runId}/${purpose}`;
}
