/** Finding runs through their search attributes: lists with filters, and every question waiting for a person. */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { PROCESSES } from '../registry';
import { BLOCKING_STEP, NEEDS_ATTENTION, PROCESS, RUN_STATE, WAITING_SINCE } from '../../workflows/kit/search-attributes';
import type { QuestionStatus } from '../../workflows/kit/types';
import { FINAL_RUN_STATES } from '../../workflows/kit/vocabulary';
import { getRunStatus } from './status';
import { waitingClause, waitOfAttributes, type WaitInfo } from './run-waits';
import { quoteValue as quote, type WaitKind } from './run-search';

export interface RunSummary {
  workflowId: string;
  runId: string;
  process: string;
  state: string;
  step?: string;
  needsAttention: boolean;
  /** What the open run waits for, from its search attributes: the kind, the step, since when (`status` says more). */
  waitingFor?: WaitInfo;
  waitingSince?: string;
  startedAt: string;
  closedAt?: string;
  execution: string;
}

export interface ListFilters {
  state?: string;
  process?: string;
  needsAttention?: boolean;
  /** Only open runs waiting for this: a person, a person in a child run, an event, a time. */
  waiting?: WaitKind;
  /** Only runs on this task queue: one deployment's runs when several share a namespace. */
  taskQueue?: string;
  limit?: number;
}

const FINAL_STATES = new Set<string>(FINAL_RUN_STATES);

/** The visibility query for a set of filters. */
export function listQuery(filters: ListFilters): string {
  const processes = filters.process ? [filters.process] : PROCESSES.map((p) => p.shape.name);
  const clauses = [`${PROCESS.name} IN (${processes.map(quote).join(', ')})`];
  if (filters.state) clauses.push(`${RUN_STATE.name} = ${quote(filters.state)}`);
  // A run terminated while it waited keeps its last attributes; only open runs can still need a person.
  if (filters.needsAttention === true) clauses.push(`${NEEDS_ATTENTION.name} = true AND ExecutionStatus = 'Running'`);
  if (filters.needsAttention === false) clauses.push(`(${NEEDS_ATTENTION.name} = false OR ExecutionStatus != 'Running')`);
  if (filters.waiting) clauses.push(waitingClause(filters.waiting));
  if (filters.taskQueue) clauses.push(`TaskQueue = ${quote(filters.taskQueue)}`);
  return clauses.join(' AND ');
}

/** A run as lists show it, from its visibility record (also the console's paged list: ./runs-page.ts). */
export function runSummaryOf(execution: WorkflowExecutionInfo): RunSummary {
  const attrs = execution.typedSearchAttributes;
  const open = execution.status.name === 'RUNNING';
  const recorded = attrs.get(RUN_STATE);
  // A run ended from outside (terminated, timed out) never recorded a final state: Temporal's status says it.
  const state = !open && (!recorded || !FINAL_STATES.has(recorded)) ? execution.status.name.toLowerCase() : (recorded ?? 'running');
  const waitingSince = open ? attrs.get(WAITING_SINCE) : undefined;
  return {
    workflowId: execution.workflowId,
    runId: execution.runId,
    process: attrs.get(PROCESS) ?? execution.type,
    state,
    step: open ? attrs.get(BLOCKING_STEP) : undefined,
    needsAttention: open && (attrs.get(NEEDS_ATTENTION) ?? false),
    waitingFor: waitOfAttributes(attrs, open),
    waitingSince: waitingSince?.toISOString(),
    startedAt: execution.startTime.toISOString(),
    closedAt: execution.closeTime?.toISOString(),
    execution: execution.status.name,
  };
}

/** Runs that match the filters, those waiting longest for a person first, then the newest. */
export async function listRuns(client: Client, filters: ListFilters = {}): Promise<RunSummary[]> {
  const runs: RunSummary[] = [];
  for await (const execution of client.workflow.list({ query: listQuery(filters) })) {
    runs.push(runSummaryOf(execution));
    if (filters.limit && runs.length >= filters.limit) break;
  }
  return runs.sort((a, b) => {
    if (a.waitingSince && b.waitingSince) return a.waitingSince.localeCompare(b.waitingSince);
    if (a.waitingSince) return -1;
    if (b.waitingSince) return 1;
    return b.startedAt.localeCompare(a.startedAt);
  });
}

export interface OpenQuestion {
  workflowId: string;
  process: string;
  question: string;
  kind: QuestionStatus['kind'];
  step: string;
  /** The step's error, what awaits approval, the task's instructions, or the question. */
  detail: string;
  choices: string[];
  requiredOutput: string[];
  since: string;
  /** Index of the contact currently asked (0 = first). */
  level: number;
}

/**
 * Every open question across runs. Runs are found through search attributes; a run whose worker does not
 * answer within a few seconds is still listed, from its search attributes alone.
 */
export async function listOpenQuestions(
  client: Client,
  filters: Pick<ListFilters, 'taskQueue' | 'process'> = {},
  queryTimeoutMs = 3_000,
): Promise<OpenQuestion[]> {
  const waiting = await listRuns(client, { ...filters, needsAttention: true });
  const perRun = await Promise.all(
    waiting.map(async (run): Promise<OpenQuestion[]> => {
      try {
        const status = await getRunStatus(client, run.workflowId, queryTimeoutMs);
        return status.questions
          .filter((q) => q.open)
          .map((q) => ({
            workflowId: run.workflowId,
            process: run.process,
            question: q.id,
            kind: q.kind,
            step: q.step,
            detail: q.prompt,
            choices: q.choices,
            requiredOutput: q.requiredOutput,
            since: q.openedAt,
            level: q.level,
          }));
      } catch {
        // A run that waits for a child's person has no question of its own: the child is listed with it.
        if (run.waitingFor?.kind === 'child') return [];
        return [
          {
            workflowId: run.workflowId,
            process: run.process,
            question: '',
            kind: run.state === 'needs_attention' ? 'escalation' : 'approval',
            step: run.step ?? 'unknown',
            detail: '(details unavailable: no worker answered the status query)',
            choices: [],
            requiredOutput: [],
            since: run.waitingSince ?? run.startedAt,
            level: 0,
          },
        ];
      }
    }),
  );
  return perRun.flat().sort((a, b) => a.since.localeCompare(b.since));
}
