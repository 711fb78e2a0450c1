/**
 * A search over runs, as a Temporal visibility query: the filters of the console's runs list and `overture list`,
 * each value quoted so no filter can add a clause of its own. Pure: the unit tests read the queries it makes.
 *
 * Children are folded: a run is listed at the top level unless another Overture run started it. The kit starts
 * children in two ways, and a schedule starts its runs as children of its own `scheduledStart` run (ids
 * `scheduled-<name>-<time>`), which is no process run; so "top level" is "no parent, or a schedule's run".
 */
import { PROCESSES } from '../registry';
import { BLOCKING_STEP, NEEDS_ATTENTION, PROCESS, RUN_STATE, WAITING_SINCE } from '../../workflows/kit/search-attributes';
import { FINAL_RUN_STATES, RUN_STATES } from '../../workflows/kit/vocabulary';
import { waitingClause, type WaitKind } from './run-waits';

/** The states a run may be searched by: the kit's, and how Temporal says a run ended from outside. */
export const SEARCHABLE_STATES = [...RUN_STATES, 'terminated', 'timed_out', 'canceled'] as const;
export type SearchableState = (typeof SEARCHABLE_STATES)[number];

export { WAIT_KINDS, type WaitKind } from './run-waits';

/** Temporal's ExecutionStatus of a run ended from outside, by the state the list shows for it. */
const ENDED_FROM_OUTSIDE: Record<string, string> = { terminated: 'Terminated', timed_out: 'TimedOut', canceled: 'Canceled' };

/** The filters of a runs search; every one is optional and they all apply together. */
export interface RunSearch {
  /** A workflow id prefix (ids carry business keys, never personal data). */
  idPrefix?: string;
  process?: string;
  state?: SearchableState;
  needsAttention?: boolean;
  /** The step an open run is blocked on. */
  step?: string;
  waiting?: WaitKind;
  startedAfter?: Date;
  startedBefore?: Date;
  /** Open runs waiting for a person since before this time. */
  waitingBefore?: Date;
  /** Only runs on this task queue: one deployment's runs when several share a namespace. */
  taskQueue?: string;
  /** False: children too (default true: top-level runs only). */
  topLevelOnly?: boolean;
}

/** A visibility string literal: backslashes and quotes escaped, so the value can never close the literal. */
export function quoteValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A time as visibility compares it (RFC 3339, UTC). */
const quoteTime = (date: Date) => quoteValue(date.toISOString());

const RUNNING = `ExecutionStatus = 'Running'`;
const FINAL = new Set<string>(FINAL_RUN_STATES);

/** The clause that keeps top-level runs only (see the file's comment). */
export const TOP_LEVEL_CLAUSE = `(ParentWorkflowId IS NULL OR ParentWorkflowId STARTS_WITH 'scheduled-')`;

/** The runs a run started, at any depth: the kit names them `<run id>/<step>/<item>` (fan-out items). */
export function childrenClause(workflowId: string): string {
  return `(ParentWorkflowId = ${quoteValue(workflowId)} OR WorkflowId STARTS_WITH ${quoteValue(`${workflowId}/`)})`;
}

function stateClause(state: SearchableState): string {
  const outside = ENDED_FROM_OUTSIDE[state];
  if (outside) return `ExecutionStatus = ${quoteValue(outside)}`;
  // A run ended from outside keeps the last state it recorded: an open state is only an open run's.
  if (FINAL.has(state)) return `${RUN_STATE.name} = ${quoteValue(state)}`;
  return `${RUN_STATE.name} = ${quoteValue(state)} AND ${RUNNING}`;
}

/** The clauses of every filter but the state and needs-attention ones (the counters' base). */
function baseClauses(search: RunSearch): string[] {
  const processes = search.process ? [search.process] : PROCESSES.map((p) => p.shape.name);
  const clauses = [`${PROCESS.name} IN (${processes.map(quoteValue).join(', ')})`];
  if (search.topLevelOnly !== false) clauses.push(TOP_LEVEL_CLAUSE);
  if (search.idPrefix) clauses.push(`WorkflowId STARTS_WITH ${quoteValue(search.idPrefix)}`);
  if (search.step) clauses.push(`${BLOCKING_STEP.name} = ${quoteValue(search.step)} AND ${RUNNING}`);
  if (search.waiting) clauses.push(waitingClause(search.waiting));
  if (search.startedAfter) clauses.push(`StartTime >= ${quoteTime(search.startedAfter)}`);
  if (search.startedBefore) clauses.push(`StartTime < ${quoteTime(search.startedBefore)}`);
  if (search.waitingBefore) clauses.push(`${WAITING_SINCE.name} < ${quoteTime(search.waitingBefore)} AND ${RUNNING}`);
  if (search.taskQueue) clauses.push(`TaskQueue = ${quoteValue(search.taskQueue)}`);
  return clauses;
}

/** The visibility query of a search: every filter. */
export function searchQuery(search: RunSearch): string {
  const clauses = baseClauses(search);
  if (search.state) clauses.push(stateClause(search.state));
  // A run terminated while it waited keeps its last attributes; only open runs can still need a person.
  if (search.needsAttention === true) clauses.push(`${NEEDS_ATTENTION.name} = true AND ${RUNNING}`);
  if (search.needsAttention === false) clauses.push(`(${NEEDS_ATTENTION.name} = false OR ExecutionStatus != 'Running')`);
  return clauses.join(' AND ');
}

/**
 * The counters' queries over a search's filters but its state and needs-attention: the list's header says how many
 * runs there are of each kind, whichever kind is listed. Every run counts in exactly one of running, needsAttention,
 * completed, aborted (ended by a person: aborted or rejected) or failed (the rest: failed, terminated, timed out).
 */
export function counterQueries(search: RunSearch): {
  total: string;
  open: string;
  needsAttention: string;
  completed: string;
  aborted: string;
} {
  const base = baseClauses({ ...search, state: undefined, needsAttention: undefined }).join(' AND ');
  return {
    total: base,
    open: `${base} AND ${RUNNING}`,
    needsAttention: `${base} AND ${NEEDS_ATTENTION.name} = true AND ${RUNNING}`,
    completed: `${base} AND ExecutionStatus = 'Completed' AND ${RUN_STATE.name} = 'completed'`,
    aborted: `${base} AND ExecutionStatus != 'Running' AND ${RUN_STATE.name} IN ('aborted', 'rejected')`,
  };
}
