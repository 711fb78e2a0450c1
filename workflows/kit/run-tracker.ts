/**
 * The run's own record of where it is: step states, attempts, questions and the orchestrator log, over the
 * process's own step graph.
 *
 * Deterministic: times come from the workflow clock. Every change an operator can filter on is mirrored
 * into search attributes so that `overture list` can find runs without asking each one.
 */
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { BLOCKING_STEP, NEEDS_ATTENTION, RUN_STATE, WAITING_FOR, WAITING_FOR_VALUES, WAITING_SINCE } from './search-attributes';
import { clip, STATUS_LIMITS } from './limits';
import { RunWaits } from './run-waits';
import { KpiRecorder } from './kpi-recorder';
import { FINAL_RUN_STATES, OPEN_RUN_STATES, type RunState } from './vocabulary';
import type { LogLine, ProcessShape, RunStatus, ShownOutcome, StepStatus } from './types';

const now = (): string => new Date().toISOString();

/** The fingerprint of the attributes the run was started with (as publish() computes it). */
function startAttributes(): string {
  const attrs = workflowInfo().typedSearchAttributes;
  const since = attrs.get(WAITING_SINCE);
  return JSON.stringify([
    attrs.get(RUN_STATE) ?? null,
    attrs.get(BLOCKING_STEP) ?? null,
    attrs.get(NEEDS_ATTENTION) ?? null,
    since ? since.toISOString() : null,
  ]);
}

/**
 * The log keeps its newest lines, each of bounded length: a run of thousands of items, or of long reasons and
 * errors, must not grow its status past Temporal's limits.
 */
const LOG_LIMIT = STATUS_LIMITS.logLines;

/** Keeps the status that the `status` query returns, and the search attributes that mirror it. */
export class RunTracker {
  readonly status: RunStatus;
  /** Reports the run's KPIs to the worker's projection (./kpi-recorder.ts): a sink, never in the history. */
  readonly kpis = new KpiRecorder();
  /** What the run waits for besides its own questions: events, times, its children's people (./run-waits.ts). */
  readonly waits: RunWaits;
  private published = '';

  /**
   * With `filterableOnly`, search attributes change only with what an operator filters on — the run's state,
   * and the step a person is asked about — not with every step that starts: one upsert per such change.
   */
  constructor(
    shape: ProcessShape,
    workflowId: string,
    subject: string,
    private readonly mode: { filterableOnly: boolean } = { filterableOnly: false },
  ) {
    this.status = {
      workflowId,
      process: shape.name,
      subject,
      state: 'running',
      startedAt: now(),
      steps: shape.steps.map((s) => ({ step: s.name, state: 'pending', attempts: 0 })),
      questions: [],
      log: [],
    };
    this.waits = new RunWaits(workflowId);
  }

  step(name: string): StepStatus {
    const found = this.status.steps.find((s) => s.step === name);
    if (!found) throw new Error(`unknown step ${name}`);
    return found;
  }

  has(name: string): boolean {
    return this.status.steps.some((s) => s.step === name);
  }

  log(message: string, step?: string, level: LogLine['level'] = 'info'): void {
    this.status.log.push({ at: now(), level, step, message: clip(message, STATUS_LIMITS.logLineChars) });
    if (this.status.log.length > LOG_LIMIT) {
      this.status.log.shift();
      this.status.logDropped = (this.status.logDropped ?? 0) + 1;
    }
  }

  stepStarted(name: string): void {
    const s = this.step(name);
    s.state = 'running';
    s.startedAt ??= now();
    s.endedAt = undefined;
    this.log(`${name} started`, name);
    this.publish();
  }

  stepCompleted(name: string, attempts: number, outcome: ShownOutcome, path: NonNullable<StepStatus['path']>): void {
    const s = this.step(name);
    s.state = 'completed';
    s.attempts += attempts;
    s.outcome = outcome;
    s.path = path;
    s.endedAt = now();
    const retried = attempts > 1 ? ` after ${attempts} attempts` : '';
    const how = path === 'fallback' ? ' by its fallback path' : path === 'person' ? ' by a person' : '';
    this.log(`${name} completed${retried}${how}`, name);
    this.publish();
  }

  stepFailed(name: string, attempts: number, error: string): void {
    const s = this.step(name);
    s.state = 'failed';
    s.attempts += attempts;
    s.lastError = clip(error, STATUS_LIMITS.errorChars);
    s.endedAt = now();
    this.log(`${name} failed after ${attempts} attempt(s): ${error}`, name, 'error');
    this.publish();
  }

  stepSkipped(name: string, outcome: ShownOutcome): void {
    const s = this.step(name);
    s.state = 'skipped';
    s.outcome = outcome;
    s.endedAt = now();
    this.publish();
  }

  /** A branch whose condition did not hold: the step is not part of this run. */
  stepNotTaken(name: string, why: string): void {
    const s = this.step(name);
    s.state = 'not_taken';
    // A step that waited before it turned out not to be needed (a reminder the customer made unnecessary) ends
    // now, so its duration stops growing; a branch never started has no duration.
    if (s.startedAt) s.endedAt = now();
    this.log(`${name} not taken: ${why}`, name);
  }

  setState(state: RunState): void {
    this.status.state = state;
    if (FINAL_RUN_STATES.includes(state)) this.status.endedAt = now();
    this.publish();
  }

  /** The step a person is asked about, or else the first step still in flight. */
  private blockingStep(): string | undefined {
    const open = this.status.questions.filter((q) => q.open);
    const asked = open.find((q) => q.kind === 'escalation') ?? open[0];
    if (asked) return asked.step;
    return this.status.steps.find((s) => s.state === 'running' || s.state === 'escalated')?.step;
  }

  /** When the oldest open question to a person was asked, if any. */
  waitingSince(): string | undefined {
    return this.status.questions
      .filter((q) => q.open)
      .map((q) => q.openedAt)
      .sort()[0];
  }

  /** Recomputes what the run waits for, in its status only (no search attribute changes): e.g. after a wait moved. */
  refreshWait(): void {
    this.status.waitingFor = this.status.endedAt === undefined ? this.waits.current(this.status.questions) : undefined;
  }

  /** Recomputes the run state from open questions and mirrors it into search attributes when it changed. */
  publish(): void {
    this.kpis.observe(this.status);
    this.refreshWait();
    const wait = this.status.waitingFor;
    // Decided lazily: only a run that waits (or has waited) adds the attribute, so histories from before replay as they ran.
    const withWaits = this.waits.started || (wait !== undefined && this.waits.enabled());
    // A child run's person: the run needs attention too, though its own state stays as it is.
    const child = withWaits && wait?.kind === 'child' ? wait : undefined;
    const waitingSince = this.waitingSince() ?? child?.since;
    if (OPEN_RUN_STATES.includes(this.status.state)) {
      const open = this.status.questions.filter((q) => q.open);
      if (open.some((q) => q.kind === 'escalation')) this.status.state = 'needs_attention';
      else if (open.some((q) => q.kind === 'approval')) this.status.state = 'awaiting_approval';
      else if (open.length > 0) this.status.state = 'awaiting_input';
      else this.status.state = 'running';
    }
    this.status.currentStep = this.blockingStep();
    const finished = this.status.endedAt !== undefined;
    const askedStep = this.status.questions.find((q) => q.open)?.step;
    const shownStep = (this.mode.filterableOnly ? askedStep : this.status.currentStep) ?? child?.step;
    const updates: SearchAttributeUpdatePair[] = [
      { key: RUN_STATE, value: this.status.state },
      { key: BLOCKING_STEP, value: finished ? null : (shownStep ?? null) },
      { key: NEEDS_ATTENTION, value: waitingSince !== undefined },
      { key: WAITING_SINCE, value: waitingSince ? new Date(waitingSince) : null },
    ];
    if (withWaits) updates.push({ key: WAITING_FOR, value: wait ? WAITING_FOR_VALUES[wait.kind] : null });
    this.waits.tellParent(wait);
    const fingerprint = JSON.stringify(updates.map((u) => u.value));
    // A run whose client set these attributes at start needs no upsert until something changes.
    if (this.mode.filterableOnly && !this.published) this.published = startAttributes();
    if (fingerprint === this.published) return;
    this.published = fingerprint;
    upsertSearchAttributes(updates);
  }
}
