/**
 * `POST /api/escalations/bulk/preview` (operator): the same body as `POST /api/escalations/bulk`, answered with the
 * runs that bulk decision would change now, `{ runs: { workflowId, process, step, question, since }[], count }`,
 * without changing any. The selection is the bulk action's own (src/client/bulk-decisions.ts `bulkTargets`).
 */
import type http from 'node:http';
import { readJson, json } from '../http-helpers';
import { previewBulk } from '../bulk-route';
import type { ApiContext } from '../api-context';
import type { Caller } from '../session';
import { routeOf, type Handled } from './route-kit';

/** Answers the bulk preview; false for any other request. */
export async function handleEscalationsRoute(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  ctx: ApiContext,
  _caller: Caller,
): Handled {
  const { method, parts } = routeOf(req, url);
  if (method !== 'POST' || parts.length !== 4 || parts[1] !== 'escalations' || parts[2] !== 'bulk' || parts[3] !== 'preview') return false;
  // Operators and above (api.ts checks every POST), as for the bulk decision itself.
  json(res, 200, await previewBulk(ctx.client, ctx.config, await readJson(req)));
  return true;
}
