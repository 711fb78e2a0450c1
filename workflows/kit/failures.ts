/**
 * Reading failures inside the workflow. A step's activity or child run failing is business as usual:
 * retried, a fallback, a person. Anything else is a bug in workflow code and must fail the workflow task,
 * so that the code can be fixed and the run replayed, never be handed to a person as a step failure.
 */
import { RetryState, TimeoutType } from '@temporalio/common';
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, TimeoutFailure, isCancellation } from '@temporalio/workflow';
import { SYSTEM_PAUSED } from './types';

export interface StepFailure {
  message: string;
  /** A permanent failure stops retrying at once and never takes a fallback: a person must look. */
  permanent: boolean;
  injected: boolean;
  attempts: number;
}

/** Details that step activities attach to every failure they raise. */
export interface StepFailureDetails {
  attempt: number;
  injected: boolean;
}

/**
 * True for the failures a step may have: its activity or its child run failed. A local activity's failure
 * reaches the workflow as the activity's own ApplicationFailure, without the ActivityFailure around it.
 */
export function isStepFailure(err: unknown): err is ActivityFailure | ChildWorkflowFailure | ApplicationFailure {
  return err instanceof ActivityFailure || err instanceof ChildWorkflowFailure || err instanceof ApplicationFailure;
}

/**
 * Passes a step's failure on for handling, and rethrows anything else: cancellations go on unwinding, and
 * a bug (TypeError, ReferenceError...) fails the workflow task instead of reaching a person.
 */
export function asStepFailure(err: unknown): ActivityFailure | ChildWorkflowFailure | ApplicationFailure {
  if (isStepFailure(err) && !isCancellation(err)) return err;
  throw err;
}

/** Summarises why a step failed, from the failure chain Temporal hands the workflow. */
export function describeStepFailure(
  err: ActivityFailure | ChildWorkflowFailure | ApplicationFailure,
  maximumAttempts: number,
): StepFailure {
  if (err instanceof ApplicationFailure) {
    // A local activity's own failure: its details say the attempt; non-retryable or out of attempts, it ends here.
    const details = err.details?.[0] as StepFailureDetails | undefined;
    return {
      message: err.message,
      permanent: err.nonRetryable === true,
      injected: details?.injected ?? false,
      attempts: details?.attempt ?? maximumAttempts,
    };
  }
  // A spent retry budget ends one of two ways: the deadline passes during an attempt (a schedule-to-close timeout,
  // whose cause, when the server keeps it, is the last failure), or an attempt fails when the next retry would
  // start past the deadline (retry state TIMEOUT, the attempt's own failure as the cause).
  const timedOut = err.cause instanceof TimeoutFailure && err.cause.timeoutType === TimeoutType.SCHEDULE_TO_CLOSE;
  const budgetSpent = timedOut || (err instanceof ActivityFailure && err.retryState === RetryState.TIMEOUT);
  const cause = timedOut && err.cause?.cause instanceof ApplicationFailure ? err.cause.cause : err.cause;
  const details = cause instanceof ApplicationFailure ? (cause.details?.[0] as StepFailureDetails | undefined) : undefined;
  const permanent =
    err.retryState === RetryState.NON_RETRYABLE_FAILURE || (cause instanceof ApplicationFailure && cause.nonRetryable === true);
  const attempts = err.retryState === RetryState.MAXIMUM_ATTEMPTS_REACHED ? maximumAttempts : (details?.attempt ?? 1);
  const message = `${budgetSpent ? 'retry budget spent: ' : ''}${cause?.message ?? err.message}`;
  return { message, permanent, injected: details?.injected ?? false, attempts };
}

/**
 * True for an activity's failure a later attempt may get past: not permanent, not a paused system (which waits for
 * a person instead) and not a cancellation. A local activity's timeout counts: its send may be slow, not refused.
 */
export function isTransientStepFailure(err: unknown): boolean {
  if (isCancellation(err)) return false;
  if (err instanceof TimeoutFailure) return true;
  if (!(err instanceof ActivityFailure || err instanceof ApplicationFailure)) return false;
  if (err instanceof ActivityFailure && err.retryState === RetryState.NON_RETRYABLE_FAILURE) return false;
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return !(cause instanceof ApplicationFailure && (cause.nonRetryable === true || cause.type === SYSTEM_PAUSED));
}

/** A short message for any failure, for the log. */
export function failureMessage(err: unknown): string {
  if (err instanceof ApplicationFailure) return err.message;
  if (isStepFailure(err)) return err.cause?.message ?? err.message;
  return err instanceof Error ? err.message : String(err);
}

export { isCancellation };
