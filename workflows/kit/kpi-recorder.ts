/**
 * The kit's side of the KPIs: watches the run's status each time the tracker publishes it and reports what changed
 * (the run, step visits, questions) to the `kpis` sink; fan-out items are reported as their rounds end.
 *
 * Deterministic: it reads only the status and the workflow clock, and calls a sink, which adds nothing to the
 * history, so runs recorded before it replay unchanged.
 */
import { proxySinks, workflowInfo } from '@temporalio/workflow';
import type { KpiItemRow, KpiRow, KpiSinks, KpiStepRow } from './kpi-events';
import type { QuestionStatus, RunStatus, StepStatus } from './types';
import type { StepState } from './vocabulary';

const { kpis } = proxySinks<KpiSinks>();

/** States that end a visit of a step; compensation (compensated, compensation_failed) leaves the visit as it ended. */
const VISIT_ENDS: readonly StepState[] = Object.freeze(['completed', 'failed', 'skipped', 'not_taken', 'cancelled']);
/** States after which the step's next start is a new visit (a failed step that runs again is the same visit, retried). */
const VISIT_DONE: readonly StepState[] = Object.freeze(['completed', 'skipped', 'not_taken', 'cancelled']);
/** States in which a step is doing its work or waiting for it. */
const VISIT_OPEN: readonly StepState[] = Object.freeze(['running', 'retrying', 'waiting', 'escalated']);

interface Visit {
  row: Omit<KpiStepRow, 'seq'>;
  /** The step's attempts over the run when the visit started: the visit's are the difference. */
  attemptsBefore: number;
  lastState: StepState;
  reported: string;
}

const ms = (iso: string | undefined): number | undefined => (iso ? Date.parse(iso) : undefined);

/** Reports a run's KPIs; one per run, held by its tracker. */
export class KpiRecorder {
  private seq = 0;
  private runReported = '';
  private readonly visits = new Map<string, Visit>();
  /** Questions already reported closed: never looked at again. */
  private readonly closed = new Set<string>();
  /** Questions reported open, by id. */
  private readonly opened = new Set<string>();

  /** Compares the status with what was reported and sends what changed, in one sink call. */
  observe(status: RunStatus): void {
    const rows: KpiRow[] = [];
    const base = { process: status.process, workflowId: status.workflowId, runId: workflowInfo().runId };
    const run = { ...base, kind: 'run' as const, startedAt: ms(status.startedAt)!, endedAt: ms(status.endedAt), state: status.state };
    const runKey = JSON.stringify(run);
    if (runKey !== this.runReported) {
      this.runReported = runKey;
      rows.push({ ...run, seq: 0 });
    }
    // Steps first: a question opened with its step's start (a manual task) finds the visit it belongs to.
    const visits = status.steps.map((step) => this.track(base, step));
    for (const question of status.questions) this.questionRows(base, question, rows);
    for (const visit of visits) {
      if (!visit) continue;
      const key = JSON.stringify(visit.row);
      if (key === visit.reported) continue;
      visit.reported = key;
      rows.push({ ...visit.row, seq: 0 });
    }
    this.send(rows);
  }

  /** Reports the items of one round of a fan-out step as it ended. */
  items(status: RunStatus, step: string, round: number, results: { key: string }[], failures: { key: string }[]): void {
    const at = Date.now();
    const base = { process: status.process, workflowId: status.workflowId, runId: workflowInfo().runId, seq: 0 };
    const row = (item: string, outcome: KpiItemRow['outcome']): KpiItemRow => ({ ...base, kind: 'item', step, round, item, outcome, at });
    this.send([...results.map((r) => row(r.key, 'completed')), ...failures.map((f) => row(f.key, 'failed'))]);
  }

  private send(rows: KpiRow[]): void {
    if (rows.length === 0) return;
    this.seq += 1;
    for (const row of rows) row.seq = this.seq;
    kpis.record(rows);
  }

  /** The step's current visit, opened or closed as its state moved; undefined for a step never started. */
  private track(base: { process: string; workflowId: string; runId: string }, step: StepStatus): Visit | undefined {
    let visit = this.visits.get(step.step);
    const ended = visit ? VISIT_DONE.includes(visit.lastState) : false;
    const open = VISIT_OPEN.includes(step.state);
    if ((!visit && (open || VISIT_ENDS.includes(step.state)) && step.startedAt) || (visit && ended && open)) {
      // A later visit starts now; the first one when the tracker says it started.
      const startedAt = visit ? Date.now() : ms(step.startedAt)!;
      const number = (visit?.row.visit ?? 0) + 1;
      visit = {
        row: {
          ...base,
          kind: 'step',
          step: step.step,
          visit: number,
          mode: 'automated',
          startedAt,
          outcome: 'running',
          attempts: 0,
          errors: 0,
          escalations: 0,
          personWaitMs: 0,
        },
        attemptsBefore: visit ? step.attempts : 0,
        lastState: 'pending',
        reported: '',
      };
      this.visits.set(step.step, visit);
    }
    if (!visit) return undefined;
    const row = visit.row;
    if (step.state !== visit.lastState) {
      if (step.state === 'failed') row.errors += 1;
      if (VISIT_ENDS.includes(step.state)) {
        row.outcome = step.state;
        row.endedAt = ms(step.endedAt) ?? Date.now();
      } else if (open) {
        row.outcome = 'running';
        delete row.endedAt;
      }
      if (step.state !== 'compensated' && step.state !== 'compensation_failed') visit.lastState = step.state;
    }
    row.attempts = step.attempts - visit.attemptsBefore;
    return visit;
  }

  /** Reports a question when it opens and when it closes; its close adds its wait to its step's visit. */
  private questionRows(base: { process: string; workflowId: string; runId: string }, q: QuestionStatus, rows: KpiRow[]): void {
    if (this.closed.has(q.id)) return;
    const closed = q.decision !== undefined && !q.open;
    if (!closed && this.opened.has(q.id)) return;
    const visit = this.visits.get(q.step);
    if (!this.opened.has(q.id)) {
      this.opened.add(q.id);
      // The step's work is a person's: a manual task (today's manual() steps, and any step a run makes manual).
      if (q.kind === 'task' && visit) visit.row.mode = 'manual';
      if (q.kind === 'escalation' && visit) visit.row.escalations += 1;
    }
    const openedAt = ms(q.openedAt)!;
    const closedAt = closed ? ms(q.decision!.at)! : undefined;
    if (closed) {
      this.closed.add(q.id);
      if (visit && visit.row.startedAt <= openedAt) visit.row.personWaitMs += Math.max(0, closedAt! - openedAt);
    }
    rows.push({
      ...base,
      seq: 0,
      kind: 'question',
      question: q.id,
      questionKind: q.kind,
      step: q.step,
      openedAt,
      ...(closed ? { closedAt, action: q.decision!.action, automatic: q.decision!.automatic } : {}),
    });
  }
}
