/**
 * Reading activity failures inside the workflow: was it permanent, injected, and how many attempts did it take?
 */
import { RetryState } from '@temporalio/common';
import { ActivityFailure, ApplicationFailure, isCancellation } from '@temporalio/workflow';

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

/** Summarises why a step's activity failed, from the failure chain Temporal hands the workflow. */
export function describeStepFailure(err: unknown, maximumAttempts: number): StepFailure {
  if (!(err instanceof ActivityFailure)) {
    return { message: err instanceof Error ? err.message : String(err), permanent: true, injected: false, attempts: 1 };
  }
  const cause = err.cause;
  const details = cause instanceof ApplicationFailure ? (cause.details?.[0] as StepFailureDetails | undefined) : undefined;
  const permanent =
    err.retryState === RetryState.NON_RETRYABLE_FAILURE || (cause instanceof ApplicationFailure && cause.nonRetryable === true);
  const attempts =
    err.retryState === RetryState.MAXIMUM_ATTEMPTS_REACHED ? maximumAttempts : details?.attempt ?? 1;
  return {
    message: cause?.message ?? err.message,
    permanent,
    injected: details?.injected ?? false,
    attempts,
  };
}

export { isCancellation };
