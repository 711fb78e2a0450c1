/**
 * The JSON API under /api, for a caller already signed in. Decisions go to the workflow as Updates, so
 * its validator's refusal comes back as the answer (the server turns it into a 409).
 */
import type http from 'node:http';
import type { Client } from '@temporalio/client';
import type { OvertureConfig } from '../config';
import { decideApproval, escalationDecisionId, getRunStatus, injectFault, resolveEscalation, startOnboarding, type StartOptions } from '../client';
import { parseApproveRequest, parseInjectRequest, parseResolveRequest, parseStartRequest, requireStep } from './api-input';
import type { DemoRunner } from './demo';
import type { EventStreams } from './events';
import { HttpError, json, readJson } from './http-helpers';
import { inbox, QUERY_TIMEOUT_MS, runDetail, runsAndCounters, withTimeout } from './runs';
import type { Caller, Sessions } from './session';

/** What the API routes act on. */
export interface ApiContext {
  client: Client;
  config: OvertureConfig;
  log: (line: string) => void;
  /** Options for runs the console starts (tests shorten retry intervals here). */
  startOptions?: Pick<StartOptions, 'tuneOptions'>;
  sessions: Sessions;
  events: EventStreams;
  demo: DemoRunner;
}

/** Answers one /api request; throws HttpError (404 for an unknown route) or the client's errors. */
export async function handleApi(ctx: ApiContext, req: http.IncomingMessage, res: http.ServerResponse, url: URL, caller: Caller): Promise<void> {
  const { client, config, log } = ctx;
  const method = req.method ?? 'GET';
  const parts = url.pathname.split('/').filter(Boolean).map((p) => decodeURIComponent(p)); // ['api', ...]
  const [, resource, id, action] = parts;
  if (method === 'POST') ctx.sessions.checkPost(req, caller);
  // Each route matches every part: /api/<resource>, /api/<resource>/<id> or /api/<resource>/<id>/<verb>.
  const is = (m: string, r: string, shape: { withId?: boolean; verb?: string } = {}) =>
    method === m && resource === r && action === shape.verb && parts.length === (shape.verb ? 4 : shape.withId ? 3 : 2);

  if (is('GET', 'session')) {
    return json(res, 200, { operator: caller.operator, csrfToken: caller.csrf, temporalUiUrl: config.temporalUiUrl, namespace: config.TEMPORAL_NAMESPACE });
  }
  if (is('GET', 'runs')) {
    const state = url.searchParams.get('status') || undefined;
    const na = url.searchParams.get('needsAttention');
    const needsAttention = na === 'true' ? true : na === 'false' ? false : undefined;
    return json(res, 200, await runsAndCounters(client, { state, needsAttention }));
  }
  if (id && is('GET', 'runs', { withId: true })) return json(res, 200, await runDetail(client, config, id));
  if (is('GET', 'inbox')) return json(res, 200, await inbox(client, config));
  if (is('GET', 'events')) return ctx.events.open(req, res, url.searchParams.get('run') || undefined);
  if (is('POST', 'runs')) {
    const { hire, faults } = parseStartRequest(await readJson(req));
    const started = await startOnboarding(client, config, hire, { faults, tuneOptions: ctx.startOptions?.tuneOptions });
    log(`${caller.operator} started ${started.workflowId}${started.alreadyStarted ? ' (already running)' : ''}`);
    return json(res, started.alreadyStarted ? 200 : 201, { workflowId: started.workflowId, runId: started.runId, alreadyStarted: started.alreadyStarted });
  }
  if (id && is('POST', 'runs', { verb: 'resolve' })) {
    const { step, action: decision, reason } = parseResolveRequest(await readJson(req));
    const status = await withTimeout(getRunStatus(client, id), QUERY_TIMEOUT_MS * 2, 'the run');
    const decisionId = escalationDecisionId(status, step, decision);
    const receipt = await resolveEscalation(client, id, { step, action: decision, by: caller.operator, reason, decisionId });
    log(`${caller.operator}: ${id} ${receipt.message}`);
    return json(res, 200, receipt);
  }
  if (id && is('POST', 'runs', { verb: 'approve' })) {
    const { decision, reason } = parseApproveRequest(await readJson(req));
    const status = await withTimeout(getRunStatus(client, id), QUERY_TIMEOUT_MS * 2, 'the run');
    // Like escalations: the same decision on the same request is applied once (a double click returns
    // the first receipt); another decision on a closed request reaches the validator, which refuses it.
    const requested = status.approval?.requestedAt;
    const receipt = await decideApproval(client, id, { decision, by: caller.operator, reason, decisionId: requested ? `approval:${requested}:${decision}` : undefined });
    log(`${caller.operator}: ${id} ${receipt.message}`);
    return json(res, 200, receipt);
  }
  if (id && is('POST', 'runs', { verb: 'inject' })) {
    const { step, fault } = parseInjectRequest(await readJson(req));
    const receipt = await injectFault(client, id, step, fault);
    log(`${caller.operator}: ${id} ${receipt.message}`);
    return json(res, 200, receipt);
  }
  if (is('POST', 'demo')) {
    const body = await readJson(req);
    return json(res, 200, await ctx.demo.run(requireStep(body.inject ?? 'createWorkspace', 'inject'), caller.operator));
  }
  if (is('POST', 'logout')) return ctx.sessions.logout(res, caller);
  throw new HttpError(404, 'not found');
}
