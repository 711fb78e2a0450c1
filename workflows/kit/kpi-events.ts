/**
 * What a run reports to the KPI projection (src/stores/kpis) through the workflow sink `kpis`: rows, each the whole
 * current state of one thing (the run, one visit of a step, one question, one fan-out item), never a delta.
 *
 * Sinks are not in the history, and the worker calls this one during replay too (`callDuringReplay`): a worker that
 * crashed before writing loses nothing, because the next worker's replay sends the same rows again. Each row carries
 * the run's report number `seq` (deterministic: replay counts the same), and the store keeps a row only when its
 * `seq` is at least the stored one, so a replay from the start never takes a finished row back to an earlier state.
 * Times are the workflow clock's, in milliseconds since the epoch.
 */
import type { Sinks } from '@temporalio/workflow';

/** Whether a person did the step's work (a manual task) or the kit ran it as an activity. */
export type KpiStepMode = 'manual' | 'automated';

/** What is common to every row: whose it is and how late in the run it was reported. */
interface KpiRowBase {
  process: string;
  workflowId: string;
  runId: string;
  /** The run's report number: a row replaces the stored one only when its seq is at least as high. */
  seq: number;
}

/** A run: its start, and once it ended, when and how (completed, failed, aborted, rejected, compensation_failed). */
export interface KpiRunRow extends KpiRowBase {
  kind: 'run';
  startedAt: number;
  endedAt?: number;
  /** The run's state in the kit's vocabulary (running, …, completed, failed, aborted, rejected, compensation_failed). */
  state: string;
}

/** One visit of a step: from its start to its end, with what happened in between. */
export interface KpiStepRow extends KpiRowBase {
  kind: 'step';
  step: string;
  /** 1 for the step's first visit in the run; a step run again after it ended (a loop) is visit 2. */
  visit: number;
  mode: KpiStepMode;
  startedAt: number;
  endedAt?: number;
  /** running while open; then completed, failed, skipped, not_taken or cancelled. */
  outcome: string;
  /** Activity attempts in this visit. */
  attempts: number;
  /** Times the step failed (its retries exhausted) in this visit. */
  errors: number;
  /** Escalations (failed steps handed to a person) in this visit. */
  escalations: number;
  /** Of the visit's time, how long it waited for people's answers (closed questions about the step). */
  personWaitMs: number;
}

/** A question to a person: an escalation, an approval, a manual task or the process's own question. */
export interface KpiQuestionRow extends KpiRowBase {
  kind: 'question';
  question: string;
  questionKind: string;
  step: string;
  openedAt: number;
  closedAt?: number;
  /** The decision (approve, reject, retry, done, cancelled, ...). */
  action?: string;
  /** Decided by the ladder or the kit, not by a person. */
  automatic?: boolean;
}

/** One item of a fan-out step, per round (a retry of the step runs the items that did not complete again). */
export interface KpiItemRow extends KpiRowBase {
  kind: 'item';
  step: string;
  round: number;
  item: string;
  outcome: 'completed' | 'failed';
  at: number;
}

export type KpiRow = KpiRunRow | KpiStepRow | KpiQuestionRow | KpiItemRow;

/** The sink the kit reports to; the worker registers it (src/stores/kpis/sink.ts). */
export interface KpiSinks extends Sinks {
  kpis: {
    record(rows: KpiRow[]): void;
  };
}
