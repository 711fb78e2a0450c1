/**
 * Which sends a system's pause holds: those of process steps (run through `attemptStep`), whose workflow waits for
 * the resume. Notices, fallbacks, undos and alerts are not held: refusing them would fail what the pause is meant
 * to keep from failing (a fallback would escalate, an undo would ask a person).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const stepScope = new AsyncLocalStorage<true>();

/** Runs a step's side effect as one a pause holds. */
export function asPausableStep<T>(sideEffect: () => Promise<T>): Promise<T> {
  return stepScope.run(true, sideEffect);
}

/** True inside a step's side effect (see {@link asPausableStep}). */
export function inPausableStep(): boolean {
  return stepScope.getStore() === true;
}
