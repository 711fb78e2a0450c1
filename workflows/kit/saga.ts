/**
 * Compensation: every step that can be undone registers its undo when it starts; an abandoned run undoes
 * them newest first. An undo that fails (after its own retries) is logged and the remaining undos still run.
 */
import { patched } from '@temporalio/workflow';
import { failureMessage, isCancellation, isStepFailure } from './failures';
import type { RunTracker } from './run-tracker';

export interface Undo {
  /** What the undo did, for the log: "workspace deleted". */
  done: string;
  run: () => Promise<unknown>;
}

interface Entry {
  step: string;
  undo?: Undo;
  /** For a step that cannot be undone: what to tell people instead. */
  note?: string;
}

/** Before the kit, a failed undo failed the whole run; runs from then replay that way. */
const CONTINUE_PAST_FAILED_UNDO = 'saga-continues-past-failed-undo';

/** The undos of a run, in the order their steps started. */
export class Saga {
  private readonly entries: Entry[] = [];

  constructor(private readonly tracker: RunTracker) {}

  /** Registers a step's undo (once per step, however often the step is retried). */
  register(step: string, undo: Undo): void {
    if (!this.entries.some((e) => e.step === step)) this.entries.push({ step, undo });
  }

  /** Registers a step that cannot be undone, with what to say when the run is abandoned. */
  cannotUndo(step: string, note: string): void {
    if (!this.entries.some((e) => e.step === step)) this.entries.push({ step, note });
  }

  /** Undoes the registered steps newest first; returns the steps whose undo failed. */
  async compensate(steps: Iterable<string> = this.entries.map((e) => e.step)): Promise<string[]> {
    const wanted = new Set(steps);
    const failed: string[] = [];
    for (const entry of [...this.entries].reverse()) {
      if (!wanted.has(entry.step)) continue;
      if (!entry.undo) {
        this.tracker.log(entry.note ?? `${entry.step} cannot be undone`, entry.step, 'warn');
        continue;
      }
      try {
        await entry.undo.run();
      } catch (err) {
        // Only an undo's activity failing is compensation trouble; a bug in workflow code fails the task.
        if (!isStepFailure(err) || isCancellation(err) || !patched(CONTINUE_PAST_FAILED_UNDO)) throw err;
        this.tracker.step(entry.step).state = 'compensation_failed';
        this.tracker.log(`could not undo ${entry.step}: ${failureMessage(err)}; the remaining undos go on`, entry.step, 'error');
        failed.push(entry.step);
        continue;
      }
      this.tracker.step(entry.step).state = 'compensated';
      this.tracker.log(`compensated ${entry.step}: ${entry.undo.done}`, entry.step);
    }
    return failed;
  }
}
