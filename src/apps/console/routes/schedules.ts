/**
 * Overture's schedules (src/client/schedules.ts), for the console:
 *
 *   GET  /api/schedules                      -> { schedules: { id, process, spec, paused, note?, nextRunAt?, lastRunAt? }[] }
 *   POST /api/schedules/:id/pause   {reason?}   (operator)  holds it; the note names who paused it and why
 *   POST /api/schedules/:id/unpause {reason?}   (operator)
 *   POST /api/schedules/:id/trigger {}          (operator)  one run now, under the schedule's own overlap policy
 *
 * Only Overture's schedules (those that start the kit's `scheduledStart`) are listed or changed: any other id is 404.
 */
import type http from 'node:http';
import { z } from 'zod';
import { ScheduleNotFoundError } from '@temporalio/client';
import { parseInput } from '../../../../workflows/kit/input';
import { listSchedules, SCHEDULED_START_WORKFLOW } from '../../../client/schedules';
import { HttpError, json, readJson } from '../http-helpers';
import type { ApiContext } from '../api-context';
import type { Caller } from '../session';
import { readReason } from './reason';
import { routeOf, type Handled } from './route-kit';

const VERBS = ['pause', 'unpause', 'trigger'] as const;
type Verb = (typeof VERBS)[number];

/** A schedule as the console lists it. */
export interface ScheduleRow {
  id: string;
  process: string;
  spec: string;
  paused: boolean;
  note?: string;
  nextRunAt?: string;
  lastRunAt?: string;
}

async function scheduleRows(ctx: ApiContext): Promise<ScheduleRow[]> {
  const listed = await listSchedules(ctx.client, 1);
  return listed.map((s) => ({
    id: s.id,
    process: s.process,
    spec: `${s.when} (${s.timezone})`,
    paused: s.paused,
    ...(s.note ? { note: s.note } : {}),
    ...(s.nextRuns[0] ? { nextRunAt: s.nextRuns[0] } : {}),
    ...(s.recent.at(-1) ? { lastRunAt: s.recent.at(-1)!.takenAt } : {}),
  }));
}

/** The handle of an Overture schedule, or a 404. */
async function overtureSchedule(ctx: ApiContext, id: string) {
  if (id.length > 200) throw new HttpError(404, 'schedule not found');
  const handle = ctx.client.schedule.getHandle(id);
  try {
    const description = await handle.describe();
    if (description.action.type !== 'startWorkflow' || description.action.workflowType !== SCHEDULED_START_WORKFLOW)
      throw new HttpError(404, 'schedule not found');
    return { handle, description };
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new HttpError(404, 'schedule not found');
    throw err;
  }
}

async function act(ctx: ApiContext, req: http.IncomingMessage, caller: Caller, id: string, verb: Verb) {
  // Read and checked before anything changes.
  const reason =
    verb === 'trigger' ? (parseInput(z.object({}).strict(), await readJson(req), 'request'), undefined) : await readReason(req);
  const { handle, description } = await overtureSchedule(ctx, id);
  const note = `${verb === 'pause' ? 'paused' : 'unpaused'} by ${caller.operator} in the console${reason ? `: ${reason}` : ''}`;
  if (verb === 'pause') await handle.pause(note);
  else if (verb === 'unpause') await handle.unpause(note);
  else await handle.trigger(description.policies.overlap);
  ctx.log(`${caller.operator}: schedule ${id} ${verb === 'trigger' ? 'triggered' : `${verb}d`}${reason ? ` (${reason})` : ''}`);
  return { id, done: verb === 'trigger' ? 'triggered' : `${verb}d`, by: caller.operator, ...(verb === 'trigger' ? {} : { note }) };
}

/** Answers the schedules routes; false for any other request. */
export async function handleSchedulesRoute(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  ctx: ApiContext,
  caller: Caller,
): Handled {
  const { method, parts } = routeOf(req, url);
  if (parts[1] !== 'schedules') return false;
  if (method === 'GET' && parts.length === 2) {
    json(res, 200, { schedules: await scheduleRows(ctx) });
    return true;
  }
  const verb = parts[3] as Verb;
  if (method !== 'POST' || parts.length !== 4 || !VERBS.includes(verb)) return false;
  // Operators and above: api.ts checks every POST.
  json(res, 200, await act(ctx, req, caller, parts[2]!, verb));
  return true;
}
