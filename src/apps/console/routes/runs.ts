/**
 * The runs list that scales, for any signed-in caller (viewers read):
 *
 *   GET /api/runs?q=&process=&state=&step=&needsAttention=&waiting=&startedAfter=&startedBefore=&waitingBefore=&cursor=&pageSize=
 *       -> { runs, nextCursor?, counters }   top-level runs, one page; counters from visibility counts
 *       (`status` is still read as `state`, for older clients)
 *   GET /api/runs/:id/children?cursor=&pageSize=  -> { runs, nextCursor? }   the runs it started
 *   GET /api/runs/:id/timeline                    -> { events, dropped? }    its history and log, by time
 */
import type http from 'node:http';
import { z } from 'zod';
import { WorkflowNotFoundError } from '@temporalio/client';
import { PROCESSES, PROCESS_STEP_NAMES } from '../../../registry';
import { SEARCHABLE_STATES, WAIT_KINDS, type RunSearch } from '../../../client/run-search';
import { BadCursorError, listChildRunsPage, MAX_CURSOR_CHARS, PAGE_SIZE } from '../../../client/runs-page';
import { runTimeline } from '../../../client/timeline';
import { HttpError, json } from '../http-helpers';
import { runsAndCounters } from '../runs';
import type { ApiContext } from '../api-context';
import type { Caller } from '../session';
import { checkRunId, parseQuery, routeOf, type Handled } from './route-kit';

const PROCESS_NAMES = PROCESSES.map((p) => p.shape.name);
const time = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time, e.g. 2026-12-07T09:00:00Z' }).transform((t) => new Date(t));
const cursor = z
  .string()
  .max(MAX_CURSOR_CHARS, `must be at most ${MAX_CURSOR_CHARS} characters`)
  .regex(/^[A-Za-z0-9_-]*$/, 'is not a cursor this list gave');
const pageSize = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(PAGE_SIZE.min, `must be from ${PAGE_SIZE.min} to ${PAGE_SIZE.max}`)
  .max(PAGE_SIZE.max, `must be from ${PAGE_SIZE.min} to ${PAGE_SIZE.max}`);
const oneOf = <T extends string>(values: readonly T[]) => z.enum(values as [T, ...T[]], { error: `must be one of ${values.join(', ')}` });
const optional = <S extends z.ZodType>(schema: S) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const listSchema = z
  .object({
    // An id prefix, never personal data: ids carry business keys. Printable, so it cannot break the query's text.
    q: optional(
      z
        .string()
        .max(200, 'must be at most 200 characters')
        // eslint-disable-next-line no-control-regex
        .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must be printable'),
    ),
    process: optional(oneOf(PROCESS_NAMES)),
    state: optional(oneOf(SEARCHABLE_STATES)),
    status: optional(oneOf(SEARCHABLE_STATES)),
    step: optional(oneOf(PROCESS_STEP_NAMES)),
    needsAttention: optional(oneOf(['true', 'false'])),
    waiting: optional(oneOf(WAIT_KINDS)),
    startedAfter: optional(time),
    startedBefore: optional(time),
    waitingBefore: optional(time),
    cursor: optional(cursor),
    pageSize: optional(pageSize),
  })
  .strict();

const childrenSchema = z.object({ cursor: optional(cursor), pageSize: optional(pageSize) }).strict();

/** The search a list request asks for, checked: 400 naming each bad parameter. */
export function parseRunsQuery(url: URL): { search: RunSearch; cursor?: string; pageSize?: number } {
  const p = parseQuery(url, listSchema, 'runs query');
  const search: RunSearch = {
    idPrefix: p.q,
    process: p.process,
    state: p.state ?? p.status,
    needsAttention: p.needsAttention === undefined ? undefined : p.needsAttention === 'true',
    step: p.step,
    waiting: p.waiting,
    startedAfter: p.startedAfter,
    startedBefore: p.startedBefore,
    waitingBefore: p.waitingBefore,
  };
  return { search, cursor: p.cursor, pageSize: p.pageSize };
}

/** A cursor the server cannot read is the caller's mistake (400), as is a page the server refused to read. */
async function asBadCursor<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof BadCursorError) throw new HttpError(400, err.message, { problems: [`cursor: ${err.message}`] });
    throw err;
  }
}

/** Answers the runs routes; false for any other request. */
export async function handleRunsRoute(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  ctx: ApiContext,
  _caller: Caller,
): Handled {
  const { method, parts } = routeOf(req, url);
  if (method !== 'GET' || parts[1] !== 'runs') return false;
  if (parts.length === 2) {
    const { search, cursor, pageSize } = parseRunsQuery(url);
    json(res, 200, await asBadCursor(runsAndCounters(ctx.client, search, { cursor, pageSize })));
    return true;
  }
  if (parts.length !== 4) return false;
  const id = checkRunId(parts[2]!);
  if (parts[3] === 'children') {
    const { cursor, pageSize } = parseQuery(url, childrenSchema, 'children query');
    json(res, 200, await asBadCursor(listChildRunsPage(ctx.client, id, { cursor, pageSize })));
    return true;
  }
  if (parts[3] === 'timeline') {
    parseQuery(url, z.object({}).strict(), 'timeline query');
    try {
      json(res, 200, await runTimeline(ctx.client, id));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || (err as { code?: number }).code === 5) throw new HttpError(404, 'run not found');
      throw err;
    }
    return true;
  }
  return false;
}
