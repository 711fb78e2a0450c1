/**
 * The downstream systems (email, chat): their health and operator pauses, as `overture systems` shows and changes them.
 *
 *   GET  /api/systems                 -> { systems: { name, paused, reason?, pausedBy?, pausedAt?, health, lastError?, checkedAt? }[] }
 *   POST /api/systems/:name/pause  {reason?}   (operator)  hold its sends: steps wait, nothing fails
 *   POST /api/systems/:name/resume {reason?}   (operator)  send again, waking the runs the pause held
 *
 * Both are recorded under the signed-in operator (the health store's pause history).
 */
import type http from 'node:http';
import { openSystemHealth } from '../../../stores/open';
import type { SystemHealthRecords } from '../../../stores/system-health/sqlite-health';
import { resumeSystem } from '../../../client/system-pauses';
import { SYSTEM_NAMES, type SystemName } from '../../../../workflows/kit/types';
import { HttpError, json } from '../http-helpers';
import type { ApiContext } from '../api-context';
import type { Caller } from '../session';
import { readReason } from './reason';
import { routeOf, type Handled } from './route-kit';

/** A system as the console lists it. */
export interface SystemRow {
  name: SystemName;
  paused: boolean;
  reason?: string;
  pausedBy?: string;
  pausedAt?: string;
  health: 'ok' | 'failing' | 'unknown';
  lastError?: string;
  checkedAt?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

async function systemRow(store: SystemHealthRecords, name: SystemName): Promise<SystemRow> {
  const [pause, failing, last] = await Promise.all([store.pauseOf(name), store.currentOutage(name), store.outages(name, 1)]);
  const ended = last[0]?.endedAt;
  return {
    name,
    paused: pause !== undefined,
    ...(pause ? { pausedBy: pause.pausedBy, pausedAt: iso(pause.pausedAt), ...(pause.reason ? { reason: pause.reason } : {}) } : {}),
    // The store records failures and the success that ends them; with neither, nothing says it is failing.
    health: failing ? 'failing' : 'ok',
    ...(failing ? { lastError: failing.lastError, checkedAt: iso(failing.lastFailureAt) } : ended ? { checkedAt: iso(ended) } : {}),
  };
}

/** Opens the configured health store (PostgreSQL at SYSTEMS_URL, else this host's file) for one request. */
async function withStore<T>(ctx: ApiContext, work: (store: SystemHealthRecords) => Promise<T>): Promise<T> {
  const store = await openSystemHealth(ctx.config, ctx.log);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** Answers the systems routes; false for any other request. */
export async function handleSystemsRoute(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  ctx: ApiContext,
  caller: Caller,
): Handled {
  const { method, parts } = routeOf(req, url);
  if (parts[1] !== 'systems') return false;
  if (method === 'GET' && parts.length === 2) {
    json(res, 200, { systems: await withStore(ctx, (store) => Promise.all(SYSTEM_NAMES.map((name) => systemRow(store, name)))) });
    return true;
  }
  const verb = parts[3];
  if (method !== 'POST' || parts.length !== 4 || (verb !== 'pause' && verb !== 'resume')) return false;
  const name = parts[2] as SystemName;
  if (!SYSTEM_NAMES.includes(name)) throw new HttpError(404, `unknown system; the systems are ${SYSTEM_NAMES.join(', ')}`);
  // Operators and above: api.ts checks every POST. The reason is checked before anything changes.
  const reason = await readReason(req);
  const identity = caller.identity;
  const answer = await withStore(ctx, async (store) => {
    if (verb === 'pause') {
      const fresh = await store.pause(name, identity, reason);
      return { name, paused: true, by: identity.operator, alreadyPaused: !fresh };
    }
    const report = await resumeSystem(ctx.client, store, name, identity, reason);
    return { name, paused: false, by: identity.operator, wasPaused: report.wasPaused, woken: report.signalled.length };
  });
  ctx.log(`${caller.operator}: system ${name} ${verb === 'pause' ? 'paused' : 'resumed'}${reason ? ` (${reason})` : ''}`);
  json(res, 200, answer);
  return true;
}
