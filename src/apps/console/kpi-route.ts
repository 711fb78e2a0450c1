/**
 * How processes perform, from the KPI projection the workers keep (KPIS_URL, else this host's kpis.db); any
 * signed-in caller may read them (viewer and up), as `overture kpis` prints them.
 *
 *   GET /api/kpis?since=7d            -> { since, until, processes: { process, started, completed, failed, aborted, durationP50Ms?, durationP95Ms? }[] }
 *   GET /api/kpis/:process?since=7d   -> ProcessKpis (src/kpis/types.ts): per day, per step, approvals, fan-out
 *
 * `since`: 30m, 24h, 7d, 2w or a date (default 7d); anything else is a 400 that says what it takes.
 */
import type http from 'node:http';
import { kpiOverview, processKpis } from '../../kpis/aggregate';
import { isInstalled, stepOrderOf } from '../../kpis/steps-of';
import { parseSince, type KpiWindow } from '../../kpis/window';
import { openKpiStore } from '../../stores/kpis/open';
import type { ApiContext } from './api-context';
import { HttpError, json } from './http-helpers';
import { routeOf, type Handled } from './routes/route-kit';
import type { Caller } from './session';

/** The window of `?since=`, or a 400. */
function windowOf(url: URL): KpiWindow {
  const given = url.searchParams.getAll('since');
  if (given.length > 1) throw new HttpError(400, 'since is given twice', { problems: ['since: given twice'] });
  try {
    return parseSince(given[0] || undefined);
  } catch (err) {
    const message = (err as Error).message.replace('--since', 'since');
    throw new HttpError(400, message, { problems: [message] });
  }
}

/** Answers GET /api/kpis and GET /api/kpis/:process; false for any other request. */
export async function handleKpiRoute(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  ctx: ApiContext,
  _caller: Caller,
): Handled {
  const { method, parts } = routeOf(req, url);
  if (method !== 'GET' || parts[1] !== 'kpis' || parts.length > 3) return false;
  const window = windowOf(url);
  const process = parts[2];
  if (process !== undefined && (process.length === 0 || process.length > 200))
    throw new HttpError(400, 'the process name must be 1-200 characters');
  // Per request, like the systems' routes: PostgreSQL's pool or SQLite's file, opened and closed.
  const store = await openKpiStore(ctx.config, ctx.log);
  try {
    if (process === undefined) {
      json(res, 200, await kpiOverview(store, window));
      return true;
    }
    const kpis = await processKpis(store, process, window, stepOrderOf(process));
    if (!isInstalled(process) && kpis.runs.started === 0 && kpis.steps.length === 0)
      throw new HttpError(404, `no process ${process} is installed, and the KPIs hold no runs of it`);
    json(res, 200, kpis);
    return true;
  } finally {
    await store.close();
  }
}
