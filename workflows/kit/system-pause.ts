/**
 * A step whose system an operator paused: its activity refused before sending (a non-retryable SystemPaused
 * failure), so the step waits, shown as waiting, for the `systemResumed` signal of that system or a durable
 * backstop timer (a missed signal, a resume done without signalling), then runs again as a new activity
 * execution with a fresh retry budget. Nothing fails and nobody is asked meanwhile.
 */
import { ActivityFailure, ApplicationFailure, condition, defineSignal } from '@temporalio/workflow';
import type { RunTracker } from './run-tracker';
import { SYSTEM_PAUSED, type SystemPausedDetails } from './types';

/** Sent by `overture systems resume SYSTEM` to the runs its pause held: `{ system }`. */
export const systemResumedSignal = defineSignal<[{ system: string }]>('systemResumed');

/** How long a paused step waits without a signal before it tries its system again (and is refused again if still paused). */
export const PAUSE_BACKSTOP_MS = 5 * 60_000;

/** How many times each system was reported resumed to this run: a waiting step waits for its system's count to move. */
export class SystemResumes {
  private readonly counts = new Map<string, number>();

  resumed(system: string): void {
    this.counts.set(system, this.count(system) + 1);
  }

  count(system: string): number {
    return this.counts.get(system) ?? 0;
  }
}

/** The pause that refused a step's attempt, when that is why it failed. */
export function pausedBy(err: unknown): (SystemPausedDetails & { message: string }) | undefined {
  const failure = err instanceof ActivityFailure ? err.cause : err;
  if (!(failure instanceof ApplicationFailure) || failure.type !== SYSTEM_PAUSED) return undefined;
  const details = failure.details?.[0] as SystemPausedDetails | undefined;
  if (!details || typeof details.system !== 'string') return undefined;
  return { ...details, message: failure.message };
}

/** Shows the step as waiting on its paused system, and returns when it was resumed or the backstop fired. */
export async function waitWhilePaused(
  tracker: RunTracker,
  step: string,
  pause: SystemPausedDetails & { message: string },
  resumes: SystemResumes,
): Promise<void> {
  const status = tracker.step(step);
  status.state = 'waiting';
  status.lastError = pause.message;
  tracker.log(`${step} waits: ${pause.message} (nothing was sent; it runs again when ${pause.system} is resumed)`, step, 'warn');
  tracker.publish();
  const seen = resumes.count(pause.system);
  const resumed = await condition(() => resumes.count(pause.system) > seen, PAUSE_BACKSTOP_MS);
  tracker.log(
    resumed
      ? `${pause.system} resumed: ${step} runs again`
      : `${step} tries ${pause.system} again (no resume signal within ${PAUSE_BACKSTOP_MS / 60_000} min)`,
    step,
  );
}
