/**
 * How the CLI shows runs: a status table, a run list, and live progress while a run advances. Every line
 * shows run data (names, reasons, outputs, errors) through `printable`, so it cannot steer the terminal or
 * forge a line.
 */
import type { Client } from '@temporalio/client';
import { getRunStatus, type RunStatus, type RunSummary } from '../../client';
import { describeWait, waitSummary } from '../../client/run-waits';
import { FINAL_RUN_STATES, type StepDefinition, type StepStatus } from '../../../workflows/kit/types';
import { printable } from '../../../workflows/kit/safe-text';

const FINISHED = new Set<string>(FINAL_RUN_STATES);
const ICONS: Record<string, string> = {
  pending: '·',
  running: '▶',
  retrying: '↻',
  completed: '✔',
  failed: '✖',
  escalated: '!',
  skipped: '↷',
  waiting: '…',
  not_taken: '–',
  compensation_failed: '✖',
  cancelled: '⊘',
  compensated: '↺',
};

function duration(step: StepStatus): string {
  if (!step.startedAt) return '';
  const end = step.endedAt ? Date.parse(step.endedAt) : Date.now();
  return `${((end - Date.parse(step.startedAt)) / 1000).toFixed(1)}s`;
}

/** How a table is drawn: status icons only for a person at a terminal (never into a pipe, nor with NO_COLOR). */
export interface Decoration {
  icons: boolean;
}

/** One line per step: state, attempts, duration, and what came out or went wrong. */
export function formatStep(step: StepStatus, decoration: Decoration = { icons: true }): string {
  const detail =
    step.lastError && step.state !== 'completed'
      ? `  error: ${step.lastError}`
      : step.outcome
        ? `  ${Object.entries(step.outcome)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`
        : '';
  const path = step.path === 'fallback' ? ' (fallback)' : '';
  const fault = step.fault ? ` [fault ${step.fault}]` : '';
  const items = step.fanOut
    ? `  items ${step.fanOut.completed}/${step.fanOut.total}${step.fanOut.failed ? `, ${step.fanOut.failed} failed (${step.fanOut.failedItems.map((f) => f.item).join(', ')})` : ''}`
    : '';
  return printable(
    `${decoration.icons ? `${ICONS[step.state] ?? '?'} ` : ''}${step.step.padEnd(18)} ${(step.state + path).padEnd(22)} attempts ${String(step.attempts).padEnd(3)} ${duration(step).padStart(7)}${fault}${items}${detail}`,
  );
}

/** A run's status as people read it. */
export function formatStatus(status: RunStatus, decoration: Decoration = { icons: true }): string {
  const lines = [
    `${status.workflowId}  ${status.process}  ${status.state}${status.currentStep ? ` (at ${status.currentStep})` : ''}  started ${status.startedAt}${status.endedAt ? `  ended ${status.endedAt}` : ''}`,
    ...(status.waitingFor ? [`waiting for ${describeWait(status.waitingFor)}`] : []),
    ...status.steps.map((s) => formatStep(s, decoration)),
  ];
  for (const q of status.questions.filter((x) => x.open)) {
    const what =
      q.kind === 'escalation'
        ? `escalated ${q.step}`
        : q.kind === 'approval'
          ? `waiting for approval of ${q.prompt}`
          : q.kind === 'task'
            ? `manual task ${q.step}`
            : `question ${q.id}`;
    lines.push(
      `${decoration.icons ? '! ' : 'open: '}${what} since ${q.openedAt}: ${q.kind === 'approval' ? `decide with --decision ${q.choices.join('|')}` : q.prompt}`,
    );
  }
  lines.push('log:', ...status.log.map((l) => `  ${l.at} ${l.level.padEnd(5)} ${l.message}`));
  return lines.map((line) => printable(line)).join('\n');
}

/** The registered processes, each with its steps, what they need, and the events that start or advance it. */
export function formatProcesses(
  processes: Array<{
    name: string;
    title: string;
    example?: string;
    steps: StepDefinition[];
    events: Array<{ type: string; description: string }>;
  }>,
): string {
  return processes
    .map((p) =>
      [
        `${p.name}  ${p.title}${p.example ? `  (example: ${p.example})` : ''}`,
        ...p.steps.map(
          (s) =>
            `  ${s.name.padEnd(24)} ${s.kind.padEnd(9)} ${s.needs.length ? `needs ${s.needs.join(', ')}` : 'first'}${s.optional ? ' (optional)' : ''}`,
        ),
        ...p.events.map((e) => `  event ${e.type.padEnd(18)} ${e.description}`),
      ].join('\n'),
    )
    .join('\n\n');
}

/** A table of runs. */
export function formatRunList(runs: RunSummary[]): string {
  if (runs.length === 0) return 'no runs';
  const rows = runs.map(
    (r) =>
      `${r.workflowId.padEnd(32)} ${r.process.padEnd(16)} ${r.state.padEnd(16)} ${(r.step ?? '').padEnd(18)} ${r.waitingFor ? `waits for ${waitSummary(r.waitingFor)}${r.waitingSince ? ` since ${r.waitingSince}` : ''}` : r.startedAt}`,
  );
  return [
    `${'WORKFLOW ID'.padEnd(32)} ${'PROCESS'.padEnd(16)} ${'STATE'.padEnd(16)} ${'STEP'.padEnd(18)} SINCE`,
    ...rows.map((row) => printable(row)),
  ].join('\n');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How followRun shows progress. */
export interface FollowOptions {
  /** Prints each new log line once (plain output), or the redrawn table when `redraw`. */
  print?: (line: string) => void;
  /** Redraws the step table in place (a terminal). */
  redraw?: boolean;
  /** Status icons in the redrawn table. */
  icons?: boolean;
  /** Called with every status fetched (watch --json). */
  onStatus?: (status: RunStatus) => void;
}

/**
 * Follows a run until it ends. Plain output prints each new log line once; on a terminal the step table
 * is redrawn in place as a progress display.
 */
export async function followRun(client: Client, workflowId: string, options: FollowOptions = {}): Promise<RunStatus> {
  const { print, redraw = false, icons = redraw, onStatus } = options;
  let printed = 0;
  let drawnLines = 0;
  for (;;) {
    const status = await getRunStatus(client, workflowId);
    onStatus?.(status);
    if (print && redraw) {
      if (drawnLines) process.stdout.write(`\x1b[${drawnLines}A\x1b[0J`);
      const block = [
        `${workflowId}: ${status.state}`,
        ...status.steps.map((s) => formatStep(s, { icons })),
        ...status.log.slice(-3).map((l) => `  ${l.message}`),
      ].map((line) => printable(line));
      process.stdout.write(block.join('\n') + '\n');
      drawnLines = block.length;
    } else if (print) {
      for (const line of status.log.slice(printed)) print(printable(`${line.at}  ${line.message}`));
    }
    printed = status.log.length;
    if (FINISHED.has(status.state) || status.execution.status !== 'RUNNING') return status;
    await sleep(redraw ? 250 : 500);
  }
}
