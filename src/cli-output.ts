/**
 * How the CLI shows runs: a status table, a run list, and live progress while a run advances.
 */
import type { Client } from '@temporalio/client';
import { getRunStatus, type RunStatus, type RunSummary } from './client';
import type { StepStatus } from '../workflows/onboarding-types';

const FINISHED = new Set(['completed', 'aborted', 'rejected', 'failed']);
const ICONS: Record<string, string> = {
  pending: '·',
  running: '▶',
  retrying: '↻',
  completed: '✔',
  failed: '✖',
  escalated: '!',
  skipped: '↷',
  cancelled: '⊘',
  compensated: '↺',
};

function duration(step: StepStatus): string {
  if (!step.startedAt) return '';
  const end = step.endedAt ? Date.parse(step.endedAt) : Date.now();
  return `${((end - Date.parse(step.startedAt)) / 1000).toFixed(1)}s`;
}

/** One line per step: state, attempts, duration, and what came out or went wrong. */
export function formatStep(step: StepStatus): string {
  const detail = step.lastError && step.state !== 'completed' ? `  error: ${step.lastError}` : step.outcome ? `  ${Object.entries(step.outcome).map(([k, v]) => `${k}=${v}`).join(' ')}` : '';
  const path = step.path === 'fallback' ? ' (fallback)' : '';
  const fault = step.fault ? ` [fault ${step.fault}]` : '';
  return `${ICONS[step.state] ?? '?'} ${step.step.padEnd(18)} ${(step.state + path).padEnd(22)} attempts ${String(step.attempts).padEnd(3)} ${duration(step).padStart(7)}${fault}${detail}`;
}

/** A run's status as people read it. */
export function formatStatus(status: RunStatus): string {
  const lines = [
    `${status.workflowId}  ${status.state}${status.currentStep ? ` (at ${status.currentStep})` : ''}  started ${status.startedAt}${status.endedAt ? `  ended ${status.endedAt}` : ''}`,
    ...status.steps.map(formatStep),
  ];
  for (const e of status.escalations.filter((x) => x.open)) lines.push(`! escalated ${e.step} since ${e.openedAt}: ${e.error}`);
  if (status.approval?.open) lines.push(`! waiting for approval of ${status.approval.permissions.join(', ')} since ${status.approval.requestedAt}`);
  lines.push('log:', ...status.log.map((l) => `  ${l.at} ${l.level.padEnd(5)} ${l.message}`));
  return lines.join('\n');
}

/** A table of runs. */
export function formatRunList(runs: RunSummary[]): string {
  if (runs.length === 0) return 'no runs';
  const rows = runs.map((r) => `${r.workflowId.padEnd(32)} ${r.state.padEnd(16)} ${(r.step ?? '').padEnd(18)} ${r.needsAttention ? `waiting since ${r.waitingSince}` : r.startedAt}`);
  return [`${'WORKFLOW ID'.padEnd(32)} ${'STATE'.padEnd(16)} ${'STEP'.padEnd(18)} SINCE`, ...rows].join('\n');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Follows a run until it ends. Plain output prints each new log line once; on a terminal the step table
 * is redrawn in place as a progress display.
 */
export async function followRun(client: Client, workflowId: string, print: ((line: string) => void) | undefined, redraw: boolean): Promise<RunStatus> {
  let printed = 0;
  let drawnLines = 0;
  for (;;) {
    const status = await getRunStatus(client, workflowId);
    if (print && redraw) {
      if (drawnLines) process.stdout.write(`\x1b[${drawnLines}A\x1b[0J`);
      const block = [`${workflowId}: ${status.state}`, ...status.steps.map(formatStep), ...status.log.slice(-3).map((l) => `  ${l.message}`)];
      process.stdout.write(block.join('\n') + '\n');
      drawnLines = block.length;
    } else if (print) {
      for (const line of status.log.slice(printed)) print(`${line.at}  ${line.message}`);
    }
    printed = status.log.length;
    if (FINISHED.has(status.state) || status.execution.status !== 'RUNNING') return status;
    await sleep(redraw ? 250 : 500);
  }
}
