/**
 * Runs one page at a time, straight from Temporal visibility (ListWorkflowExecutions with a page size and the
 * server's next-page token), so a list never stops at a fixed number of runs; and the counters, from visibility
 * counts (CountWorkflowExecutions) over the same filters, never from a page. The console and the CLI share it.
 *
 * The cursor handed out is opaque (base64url): the server's token, tied to the query it belongs to, so a cursor
 * used with other filters is refused rather than read against the wrong query.
 */
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import { PROCESSES } from '../registry';
import { runSummaryOf, type RunSummary } from './list';
import { childrenClause, counterQueries, searchQuery, type RunSearch } from './run-search';

/** Page sizes a caller may ask for. */
export const PAGE_SIZE = { min: 1, max: 200, default: 50 } as const;
/** Longest cursor accepted: a visibility token is a few hundred bytes. */
export const MAX_CURSOR_CHARS = 4096;

/** A run as the paged list shows it: its summary, how long it has taken, and how many runs it started. */
export interface RunRow extends RunSummary {
  /** Closed: close - start; open: now - start. */
  durationMs: number;
  /** Runs this run started (a fan-out's items), for runs of processes that start any. */
  childCount?: number;
}

export interface RunsPage {
  runs: RunRow[];
  /** Present when there are more runs: pass it back as `cursor` with the same filters. */
  nextCursor?: string;
}

/** Counts of runs by kind; every run is in exactly one of running, needsAttention, completed, failed, aborted. */
export interface RunCounters {
  running: number;
  needsAttention: number;
  completed: number;
  failed: number;
  aborted: number;
  total: number;
}

/** A cursor that does not belong to the query, or is no cursor at all. */
export class BadCursorError extends Error {
  override readonly name = 'BadCursorError';
}

const fingerprint = (query: string) => createHash('sha256').update(query).digest('base64url').slice(0, 12);

/** The cursor of a next page: the query's fingerprint and the server's token. */
export function encodeCursor(query: string, token: Uint8Array): string {
  return Buffer.from(`${fingerprint(query)}.${Buffer.from(token).toString('base64url')}`).toString('base64url');
}

/** The server's token in a cursor given for this query; a BadCursorError otherwise. */
export function decodeCursor(query: string, cursor: string): Uint8Array {
  if (cursor.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor))
    throw new BadCursorError('the cursor is not one this list gave');
  const [print, token, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('.');
  if (rest.length || !token || !/^[A-Za-z0-9_-]+$/.test(token)) throw new BadCursorError('the cursor is not one this list gave');
  if (print !== fingerprint(query)) throw new BadCursorError('the cursor belongs to other filters: start again from the first page');
  return Buffer.from(token, 'base64url');
}

/** Processes that start runs of their own (a fan-out step): only their runs are counted for children. */
const PARENT_PROCESSES = new Set(PROCESSES.filter((p) => p.shape.steps.some((s) => s.kind === 'fan-out')).map((p) => p.shape.name));
/** How many child counts are asked for at once. */
const PARALLEL_COUNTS = 8;

async function childCounts(client: Client, runs: RunRow[]): Promise<void> {
  const queue = runs.filter((r) => PARENT_PROCESSES.has(r.process));
  const anyRun = searchQuery({ topLevelOnly: false });
  await Promise.all(
    Array.from({ length: Math.min(PARALLEL_COUNTS, queue.length) }, async () => {
      for (let run = queue.shift(); run !== undefined; run = queue.shift()) {
        const { count } = await client.workflow.count(`${anyRun} AND ${childrenClause(run.workflowId)}`);
        run.childCount = count;
      }
    }),
  );
}

/** One page of a visibility query, as rows, in visibility's order (open runs first, then the latest closed). */
async function pageOf(client: Client, query: string, opts: { pageSize?: number; cursor?: string }, now: number): Promise<RunsPage> {
  const pageSize = Math.min(Math.max(opts.pageSize ?? PAGE_SIZE.default, PAGE_SIZE.min), PAGE_SIZE.max);
  const response = await client.workflowService.listWorkflowExecutions({
    namespace: client.options.namespace,
    query,
    pageSize,
    nextPageToken: opts.cursor ? decodeCursor(query, opts.cursor) : undefined,
  });
  const runs = await Promise.all(
    (response.executions ?? []).map(async (raw): Promise<RunRow> => {
      const summary = runSummaryOf(await executionInfoFromRaw(raw, client.options.loadedDataConverter, raw, client.options.namespace));
      const end = summary.closedAt ? Date.parse(summary.closedAt) : now;
      return { ...summary, durationMs: Math.max(0, end - Date.parse(summary.startedAt)) };
    }),
  );
  const token = response.nextPageToken;
  // The server may hand out a token for an empty last page: no runs, no next page.
  return { runs, ...(token && token.length > 0 && runs.length > 0 ? { nextCursor: encodeCursor(query, token) } : {}) };
}

/** A page of the runs a search finds (top-level runs by default, each with its child count). */
export async function listRunsPage(
  client: Client,
  search: RunSearch,
  opts: { pageSize?: number; cursor?: string } = {},
  now = Date.now(),
): Promise<RunsPage> {
  const page = await pageOf(client, searchQuery(search), opts, now);
  await childCounts(client, page.runs);
  return page;
}

/** A page of the runs a run started (at any depth), newest first as visibility orders them. */
export async function listChildRunsPage(
  client: Client,
  workflowId: string,
  opts: { pageSize?: number; cursor?: string } = {},
  now = Date.now(),
): Promise<RunsPage> {
  const query = `${searchQuery({ topLevelOnly: false })} AND ${childrenClause(workflowId)}`;
  return pageOf(client, query, opts, now);
}

/** The counters over a search's filters but its state and needs-attention, from visibility counts. */
export async function countRunsBySearch(client: Client, search: RunSearch): Promise<RunCounters> {
  const queries = counterQueries(search);
  const [total, open, needsAttention, completed, aborted] = await Promise.all(
    [queries.total, queries.open, queries.needsAttention, queries.completed, queries.aborted].map(
      async (query) => (await client.workflow.count(query)).count,
    ),
  );
  // Each count is read on its own: visibility may move between them, so no counter goes below zero.
  const closed = Math.max(0, total! - open!);
  return {
    running: Math.max(0, open! - needsAttention!),
    needsAttention: needsAttention!,
    completed: completed!,
    aborted: aborted!,
    failed: Math.max(0, closed - completed! - aborted!),
    total: total!,
  };
}
