/**
 * A scheduled wait: a step that waits on a durable timer until a due time, which people may move while it
 * waits — to another time, or to now — with the `reschedule` update. The update is validated before it
 * reaches the history, and the step's outcome shows the due time, so the status says when the run goes on.
 */
import { condition, setHandler } from '@temporalio/workflow';
import { checkRescheduleForm, DECISION_LIMITS, tooMany } from './limits';
import { requireRole } from './deciders';
import { rescheduleUpdate } from './messages';
import { DecisionReceipts, refusedInHandler, type DecisionRequest } from './receipts';
import type { RunTracker } from './run-tracker';
import type { DecisionReceipt, RescheduleRequest } from './types';

/** How a scheduled wait ended: at its (possibly moved) due time, or early because a person said "now". */
export interface ScheduledOutcome {
  dueAt: string;
  firedAt: string;
  trigger: 'due' | 'now';
  /** How many times people moved it. */
  rescheduled: number;
}

/** ISO 8601 with a zone: a time without one would mean whatever the worker's clock zone is. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

interface OpenWait {
  step: string;
  dueMs: number;
  now: boolean;
  /** Bumped by every reschedule: wakes the timer loop so it waits for the new time. */
  changes: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A reschedule as its receipt compares it: the wait, and now or the new time. */
function rescheduleRequest(request: RescheduleRequest): DecisionRequest {
  return { target: request.step, choice: request.now === true ? 'now' : `at ${String(request.at)}` };
}

/** The run's scheduled waits and the handler of the `reschedule` update that moves them. */
export class ScheduledWaits {
  private readonly open = new Map<string, OpenWait>();
  /** Applied reschedules by decision id: a repeat is acknowledged, not applied again; a different one is refused. */
  private readonly receipts = new DecisionReceipts('reschedules');
  /** Reschedules accepted, over every wait of the run: capped far below Temporal's limit on a run's updates. */
  private accepted = 0;

  constructor(private readonly tracker: RunTracker) {}

  /** Registers the `reschedule` update handler with its validator. */
  listen(): void {
    setHandler(rescheduleUpdate, (request) => this.reschedule(request), {
      validator: (request: RescheduleRequest) => this.validate(request),
    });
  }

  /** Waits until `at` (ISO 8601), or until a person moves the time or says "now". */
  async waitUntil(step: string, at: string): Promise<ScheduledOutcome> {
    const dueMs = Date.parse(at);
    // The process validated its input: an unreadable time here is a bug in the process, which must fail the task.
    if (Number.isNaN(dueMs)) throw new Error(`${step}: "${at}" is not a time`);
    const wait: OpenWait = { step, dueMs, now: false, changes: 0 };
    this.open.set(step, wait);
    const status = this.tracker.step(step);
    status.state = 'waiting';
    status.startedAt ??= iso(Date.now());
    status.endedAt = undefined;
    status.outcome = { dueAt: iso(dueMs) };
    this.tracker.log(`${step} waits until ${iso(dueMs)}`, step);
    this.tracker.waits.stepWaits(step, { kind: 'time', since: iso(Date.now()), until: iso(dueMs) });
    this.tracker.publish();
    try {
      while (!wait.now && wait.dueMs > Date.now()) {
        const seen = wait.changes;
        await condition(() => wait.changes !== seen, wait.dueMs - Date.now());
      }
    } finally {
      this.open.delete(step);
      this.tracker.waits.stepDone(step);
    }
    const outcome: ScheduledOutcome = {
      dueAt: iso(wait.dueMs),
      firedAt: iso(Date.now()),
      trigger: wait.now ? 'now' : 'due',
      rescheduled: wait.changes,
    };
    const moved = wait.changes > 0;
    this.tracker.stepCompleted(step, 0, { ...outcome, rescheduled: String(outcome.rescheduled) }, moved ? 'person' : 'primary');
    return outcome;
  }

  private waitFor(request: RescheduleRequest): OpenWait {
    const waits = [...this.open.values()];
    if (waits.length === 0) throw new Error('nothing is scheduled: this run is not waiting for a time');
    if (request.step === undefined) {
      if (waits.length > 1) throw new Error(`several waits are open (${waits.map((w) => w.step).join(', ')}): say which step`);
      return waits[0]!;
    }
    const named = this.open.get(request.step);
    if (!named)
      throw new Error(`step "${String(request.step)}" is not waiting for a time; waiting: ${waits.map((w) => w.step).join(', ')}`);
    return named;
  }

  /** Update validator: refuses a reschedule that does not apply, before it reaches the history. */
  validate(request: RescheduleRequest): void {
    // The form first, before the receipts: what is accepted, even as a repeat, is written to the history.
    checkRescheduleForm(request);
    requireRole(request.identity!, 'operator', 'moving a scheduled wait');
    if (this.receipts.isRepeat(request.decisionId, rescheduleRequest(request))) return;
    this.waitFor(request);
    if (request.now === true) {
      if (request.at !== undefined) throw new Error('give a new time (at) or now, not both');
    } else if (typeof request.at !== 'string' || !ISO_WITH_ZONE.test(request.at) || Number.isNaN(Date.parse(request.at))) {
      throw new Error('give now, or a new time as ISO 8601 with a zone, e.g. 2026-12-01T09:00:00Z');
    }
    // "now" ends the wait: it is taken past the limit.
    const refusal =
      request.now === true
        ? undefined
        : tooMany(this.accepted, DECISION_LIMITS.reschedulesPerRun, 'reschedules', 'it still goes at its due time, or now if asked');
    if (refusal) throw refusal;
  }

  /** Moves the wait: a new due time (a past one means now), or now. */
  reschedule(request: RescheduleRequest): DecisionReceipt {
    const repeat = this.receipts.repeatOf(request.decisionId, rescheduleRequest(request));
    if (repeat) return repeat;
    // The wait may have ended after this request was accepted: refused, as the validator would have.
    const wait = refusedInHandler(() => this.waitFor(request));
    this.accepted += 1;
    // The authenticated operator (a typed name only in runs recorded before identities).
    const by = request.identity?.operator ?? request.by;
    const reason = request.reason ? ` (${request.reason})` : '';
    let message: string;
    if (request.now === true) {
      wait.now = true;
      message = `${wait.step} goes now, by ${by}`;
    } else {
      wait.dueMs = Date.parse(request.at!);
      this.tracker.step(wait.step).outcome = { dueAt: iso(wait.dueMs) };
      this.tracker.waits.moved(wait.step, iso(wait.dueMs));
      this.tracker.refreshWait();
      message = `${wait.step} rescheduled to ${iso(wait.dueMs)} by ${by}`;
    }
    wait.changes += 1;
    this.tracker.log(`${message}${reason}`, wait.step, 'warn');
    return this.receipts.remember(request.decisionId, { targets: [wait.step], choice: rescheduleRequest(request).choice }, message);
  }
}
