/**
 * The path a simulated run took, as a SimulationReport: each step, retry, fallback, question, reminder, hand-over,
 * escalation, decision and event at its simulated time (from the run's status log and its questions, on the run's own
 * clock), and where it ended. Also its text form for the terminal.
 */
import type { RunState } from '../../workflows/kit/vocabulary';
import type { RunStatus, StepStatus } from '../../workflows/kit/types';
import { formatOffset } from './spec';

/** What happened at one point of the path. */
export type PathKind =
  | 'start'
  | 'step'
  | 'retry'
  | 'fallback'
  | 'question'
  | 'reminder'
  | 'hand-over'
  | 'escalation'
  | 'decision'
  | 'event'
  | 'wait'
  | 'compensation'
  | 'fault'
  | 'note'
  | 'end';

/** One point of the path; `atMs` counts from the run's start on its own (simulated) clock. */
export interface PathEntry {
  atMs: number;
  kind: PathKind;
  step?: string;
  detail: string;
}

/** How a simulation ended: the run finished (completed, failed or aborted), or it still waits at the horizon. */
export type SimulationOutcome = 'completed' | 'failed' | 'aborted' | 'waiting';

/** What `overture simulate --json` and POST /api/simulate answer. */
export interface SimulationReport {
  process: string;
  workflowId: string;
  outcome: SimulationOutcome;
  /** The run's own state at the end (e.g. `rejected`, `awaiting_approval`). */
  finalState: RunState;
  /** Simulated time from the start to the end (or to the horizon when still waiting). */
  endedAfterMs: number;
  /** What the run still waits for at the horizon (outcome `waiting`). */
  waitingFor?: string;
  path: PathEntry[];
  steps: StepStatus[];
  /** What the in-memory outlets received: nothing of it left the machine. */
  sent: { emails: number; posts: number };
  /** Wall-clock time the simulation took once the test server was up. */
  wallClockMs: number;
}

/** The kind of a status log line, read from the kit's own wording (workflows/kit). */
export function kindOfLogLine(message: string): PathKind {
  const rules: Array<[RegExp, PathKind]> = [
    [/^reminder sent/, 'reminder'],
    [/handed to|hands? over/, 'hand-over'],
    [/escalated to/, 'escalation'],
    [/fallback/, 'fallback'],
    [/compensat|cannot be (recalled|undone)/, 'compensation'],
    [/before (the|its) deadline|automatic (abort|skip)/, 'decision'],
    [/^(decision on |approval (granted|refused)|task .* done by|answer to )/, 'decision'],
    [/(wait for approval by|^question for )/, 'question'],
    [/^event .* received/, 'event'],
    [/^(fault injected|injected fault)/, 'fault'],
    [/compensat|undo/, 'compensation'],
    [/ (started|completed|failed after|not taken)\b/, 'step'],
    [/ waits\b/, 'wait'],
  ];
  return rules.find(([pattern]) => pattern.test(message))?.[1] ?? 'note';
}

/** The outcome of a run in this state. */
export function outcomeOf(state: RunState, closed: boolean): SimulationOutcome {
  if (!closed) return 'waiting';
  if (state === 'completed') return 'completed';
  if (state === 'aborted' || state === 'rejected') return 'aborted';
  return 'failed';
}

/** What an open run waits for, in words: its open questions, else its current step. */
export function describeWait(status: Pick<RunStatus, 'questions' | 'currentStep' | 'log'>, children: readonly RunStatus[] = []): string {
  const open = [status, ...children].flatMap((s) => s.questions.filter((q) => q.open));
  if (open.length)
    return open.map((q) => `${q.kind} ${q.id}${q.assignee ? ` (asked of ${q.assignee}, contact #${q.level + 1})` : ''}`).join(', ');
  const lastWait = [...status.log].reverse().find((l) => kindOfLogLine(l.message) === 'wait');
  if (lastWait) return lastWait.message;
  return status.currentStep ? `step ${status.currentStep}` : 'nothing it says';
}

/** Path entries of one run's status: its log lines, and each step that took more than one attempt. */
export function pathOf(status: RunStatus, startMs: number, label?: string): PathEntry[] {
  const prefix = label ? `[${label}] ` : '';
  const fromLog = status.log.map((line) => ({
    atMs: Math.max(0, Date.parse(line.at) - startMs),
    kind: kindOfLogLine(line.message),
    ...(line.step ? { step: line.step } : {}),
    detail: `${prefix}${line.message}`,
  }));
  // The log says "completed after N attempts"; a step still failing or escalated says it only in its status.
  const retries = status.steps
    .filter((s) => s.attempts > 1 && s.endedAt && !fromLog.some((l) => l.step === s.step && /after \d+ attempt/.test(l.detail)))
    .map((s) => ({
      atMs: Math.max(0, Date.parse(s.endedAt!) - startMs),
      kind: 'retry' as const,
      step: s.step,
      detail: `${prefix}${s.step} took ${s.attempts} attempts${s.lastError ? ` (last error: ${s.lastError})` : ''}`,
    }));
  return [...fromLog, ...retries];
}

/** Orders path entries by time, keeping the order they were written in for equal times. */
export function sortPath(entries: PathEntry[]): PathEntry[] {
  return entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.atMs - b.e.atMs || a.i - b.i)
    .map(({ e }) => e);
}

/** The last line of a report: where the run ended. */
export function endLine(report: Pick<SimulationReport, 'outcome' | 'finalState' | 'endedAfterMs' | 'waitingFor'>): string {
  if (report.outcome === 'waiting')
    return `still ${report.finalState} after ${formatOffset(report.endedAfterMs)} (the horizon): waiting for ${report.waitingFor ?? 'something'}`;
  return `${report.outcome}${report.finalState !== report.outcome ? ` (${report.finalState})` : ''} after ${formatOffset(report.endedAfterMs)}`;
}

/** The report as the terminal shows it: one line per point of the path, the steps' final states, the end. */
export function formatReport(report: SimulationReport): string {
  const width = Math.max(...report.path.map((e) => `+${formatOffset(e.atMs)}`.length), 3);
  const lines = [`simulated ${report.process} (${report.workflowId})`];
  for (const entry of report.path)
    lines.push(`  ${`+${formatOffset(entry.atMs)}`.padEnd(width)}  ${entry.kind.padEnd(12)}  ${entry.detail}`);
  lines.push('', 'steps:');
  for (const s of report.steps)
    lines.push(
      `  ${s.step.padEnd(24)} ${s.state}${s.attempts > 1 ? ` (${s.attempts} attempts)` : ''}${s.path && s.path !== 'primary' ? ` via ${s.path}` : ''}`,
    );
  lines.push(
    '',
    `ended: ${endLine(report)}`,
    `sent nowhere: ${report.sent.emails} email(s), ${report.sent.posts} post(s); simulated in ${(report.wallClockMs / 1000).toFixed(1)} s`,
  );
  return lines.join('\n');
}
