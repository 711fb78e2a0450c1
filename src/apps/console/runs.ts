/** What the console shows about runs: the list with its counters, one run's detail, and the inbox. */
import type { Client } from '@temporalio/client';
import type { OvertureConfig } from '../../config/platform';
import { getRunStatus, listOpenQuestions, type OpenQuestion, type RunStatus, type RunSummary } from '../../client';
import type { RunSearch } from '../../client/run-search';
import { countRunsBySearch, listRunsPage, type RunCounters, type RunsPage } from '../../client/runs-page';

/** How long one run's worker gets to answer a status query before the console stops waiting for it. */
export const QUERY_TIMEOUT_MS = 3_000;

/** The list's counters; every run counts in exactly one of running, needsAttention, completed, failed. */
export interface Counters {
  total: number;
  running: number;
  completed: number;
  needsAttention: number;
  failed: number;
}

/** The questions waiting for a person, and the runs whose worker did not say what they wait on. */
export interface Inbox {
  items: OpenQuestion[];
  /** Workflow ids of runs that need attention but did not answer the status query in time. */
  unreachable: string[];
}

/** Rejects with "<what> did not answer within <ms> ms" when the promise takes longer. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Counters over runs: every run is in exactly one of running, needsAttention, completed, failed. */
export function countRuns(runs: RunSummary[]): Counters {
  const counters: Counters = { total: runs.length, running: 0, completed: 0, needsAttention: 0, failed: 0 };
  for (const run of runs) {
    if (run.execution === 'RUNNING') {
      if (run.needsAttention) counters.needsAttention += 1;
      else counters.running += 1;
    } else if (run.execution === 'COMPLETED' && run.state === 'completed') counters.completed += 1;
    else counters.failed += 1;
  }
  return counters;
}

/**
 * One page of the top-level runs a search finds, with the counters over the same filters but state and
 * needs-attention (visibility counts, never the page). With no search, the newest runs of every process.
 */
export async function runsAndCounters(
  client: Client,
  search: RunSearch = {},
  page: { cursor?: string; pageSize?: number } = {},
): Promise<RunsPage & { counters: RunCounters }> {
  const [listed, counters] = await Promise.all([listRunsPage(client, search, page), countRunsBySearch(client, search)]);
  return { ...listed, counters };
}

/** One run's status with a link to it in the Temporal UI. */
export async function runDetail(
  client: Client,
  config: OvertureConfig,
  workflowId: string,
): Promise<RunStatus & { temporalUiUrl: string }> {
  const status = await withTimeout(getRunStatus(client, workflowId), QUERY_TIMEOUT_MS * 2, 'the run');
  const temporalUiUrl = `${config.temporalUiUrl}/namespaces/${encodeURIComponent(config.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}`;
  return { ...status, temporalUiUrl };
}

/** Open questions (escalations, approvals, tasks, a process's own) of the runs this console's worker serves (runs on other task queues may have no worker to answer). */
export async function inbox(client: Client, config: OvertureConfig): Promise<Inbox> {
  const questions = await listOpenQuestions(client, { taskQueue: config.TEMPORAL_TASK_QUEUE }, QUERY_TIMEOUT_MS);
  // A run that did not answer is listed from its search attributes alone: nothing to decide on, so it is only counted.
  const answered = (q: OpenQuestion) => !q.detail.startsWith('(details unavailable');
  return {
    items: questions.filter(answered),
    unreachable: [...new Set(questions.filter((q) => !answered(q)).map((q) => q.workflowId))],
  };
}
