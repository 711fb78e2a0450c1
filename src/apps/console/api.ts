/**
 * The JSON API under /api, for a caller already signed in, over every registered process. Decisions go to
 * the workflow as Updates, so its validator's refusal comes back as the answer (the server turns it into a 409).
 *
 *   GET  /api/processes                 the registry: name, title, internal, steps (name, title, needs, kind, optional), example
 *   GET  /api/runs?q&process&state&step&needsAttention&waiting&startedAfter&startedBefore&waitingBefore&cursor&pageSize
 *                                       one page of top-level runs and the counters (./routes/runs.ts; `status` = `state`)
 *   GET  /api/runs/:id                  one run's status;  GET /api/runs/:id/children | /timeline (./routes/runs.ts)
 *   POST /api/runs                      { process, input, faults: { step: mode }, manual?: [step] | ['all'] }
 *   POST /api/runs/:id/resolve          { step, action: retry | skip | abort, reason?, output? }
 *   POST /api/runs/:id/answer           { question?, decision, reason?, output? }  (/approve: the same, approve | reject)
 *   POST /api/runs/:id/inject           { step, mode }
 *   POST /api/escalations/bulk          { step, action: retry | skip | abort, reason?, process?, output?, bulkId? }
 *   POST /api/escalations/bulk/preview  the same body: the runs it would change, changing none (./routes/escalations.ts)
 *   GET  /api/schedules, /api/systems, /api/operators (admin) and their POSTs: ./routes/*.ts
 *   GET  /api/choose, POST /api/choose {answers}  the "which approach?" questionnaire (./routes/choose.ts; any role)
 *   GET  /api/kpis?since, /api/kpis/:process?since   how processes perform (./kpi-route.ts)
 *   GET  /api/demos                     the installed processes' demos;  POST /api/demos/:process  { inject }  runs one
 *                                       (only with OVERTURE_DEMO=on: ./demo-routes.ts)
 *   GET  /api/vocabulary                the kit's words (actions, fault choices, states): the browser reads them here
 *
 * Roles (the caller's, from the operator store): a viewer reads; an operator also starts runs, resolves
 * escalations, completes tasks and injects faults; an approver also answers approvals and questions; an admin
 * may do everything. A refused role gets 403 naming the role needed. The run checks again who may answer.
 */
import type http from 'node:http';
import type { ApiContext } from './api-context';
export type { ApiContext } from './api-context';
import type { Client } from '@temporalio/client';
import {
  answerQuestion,
  decisionIdFor,
  escalationDecisionId,
  getRunStatus,
  injectFault,
  questionFor,
  resolveEscalation,
  startProcess,
  type RunStatus,
} from '../../client';
import {
  faultFor,
  parseAnswerRequest,
  parseApproveRequest,
  parseInjectRequest,
  parseResolveRequest,
  parseStartRequest,
  requireStep,
  type AnswerRequest,
} from './api-input';
import { HttpError, json, readJson } from './http-helpers';
import { listProcesses } from './processes';
import { VOCABULARY } from '../../../workflows/kit/vocabulary';
import { inbox, QUERY_TIMEOUT_MS, runDetail, withTimeout } from './runs';
import { handleRunsRoute } from './routes/runs';
import { handleEscalationsRoute } from './routes/escalations';
import { handleSchedulesRoute } from './routes/schedules';
import { handleSystemsRoute } from './routes/systems';
import { handleOperatorsRoute } from './routes/operators';
import { handleChooseRoute } from './routes/choose';
import { requireCallerRole, type Caller } from './session';
import { bulkResolve } from './bulk-route';
import { handleDemoRoute } from './demo-routes';
import { handleSimulateRoute } from './simulate-route';
import { handleKpiRoute } from './kpi-route';

const statusOf = (client: Client, id: string): Promise<RunStatus> => withTimeout(getRunStatus(client, id), QUERY_TIMEOUT_MS * 2, 'the run');

/**
 * Sends an answer with the decision id of its question, so the same answer sent twice (a double click) is
 * applied once: the second request's receipt says it was a repeat (200), and another output under the id is
 * refused (409). With no question named, `/approve` means the open approval;
 * and when none is open the run's latest such question is named, so the validator says who answered it.
 */
async function sendAnswer(client: Client, id: string, answer: AnswerRequest, caller: Caller, approval: boolean) {
  const status = await statusOf(client, id);
  const candidates = status.questions.filter((q) => q.kind !== 'escalation' && (!approval || q.kind === 'approval'));
  const open = candidates.filter((q) => q.open);
  const unnamed = open.length === 1 ? open[0] : open.length === 0 ? candidates.at(-1) : undefined;
  const question = answer.question === undefined ? unnamed : questionFor(status, answer.question);
  // A manual task is an operator's to complete; approvals and questions are an approver's.
  if (question?.kind === 'task') requireCallerRole(caller, 'operator', 'completing a task');
  else requireCallerRole(caller, 'approver', 'answering an approval or a question');
  return answerQuestion(client, id, {
    question: question?.id ?? answer.question,
    decision: answer.decision,
    by: caller.identity.operator,
    identity: caller.identity,
    reason: answer.reason,
    output: answer.output,
    decisionId: question ? decisionIdFor(question, answer.decision) : undefined,
  });
}

/** Answers one /api request; throws HttpError (404 for an unknown route) or the client's errors. */
export async function handleApi(
  ctx: ApiContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  caller: Caller,
): Promise<void> {
  const { client, config, log } = ctx;
  const method = req.method ?? 'GET';
  const parts = url.pathname
    .split('/')
    .filter(Boolean)
    .map((p) => decodeURIComponent(p)); // ['api', ...]
  const [, resource, id, action] = parts;
  if (method === 'POST') ctx.sessions.checkPost(req, caller);
  // Every change needs an operator at least (signing out and the questionnaire's POST /api/choose, which changes
  // nothing, excepted); routes that need more say so below.
  if (method !== 'GET' && !(method === 'POST' && (resource === 'logout' || resource === 'choose')))
    requireCallerRole(caller, 'operator', `${method} /api/${resource ?? ''}`);
  // Each route matches every part: /api/<resource>, /api/<resource>/<id> or /api/<resource>/<id>/<verb>.
  const is = (m: string, r: string, shape: { withId?: boolean; verb?: string } = {}) =>
    method === m && resource === r && action === shape.verb && parts.length === (shape.verb ? 4 : shape.withId ? 3 : 2);

  if (is('GET', 'session')) {
    return json(res, 200, {
      operator: caller.operator,
      role: caller.identity.role,
      csrfToken: caller.csrf,
      temporalUiUrl: config.temporalUiUrl,
      namespace: config.TEMPORAL_NAMESPACE,
      // The browser offers the demo only when its routes exist.
      demo: ctx.demos !== undefined,
    });
  }
  if (is('GET', 'processes')) return json(res, 200, listProcesses());
  if (is('GET', 'vocabulary')) return json(res, 200, VOCABULARY);
  if (await handleSimulateRoute(req, res, url, ctx, caller)) return;
  // Route modules (./routes/*.ts), one line each: each answers true when the request was its own.
  if (await handleRunsRoute(req, res, url, ctx, caller)) return;
  if (await handleEscalationsRoute(req, res, url, ctx, caller)) return;
  if (await handleSchedulesRoute(req, res, url, ctx, caller)) return;
  if (await handleSystemsRoute(req, res, url, ctx, caller)) return;
  if (await handleOperatorsRoute(req, res, url, ctx, caller)) return;
  if (await handleKpiRoute(req, res, url, ctx, caller)) return;
  if (await handleChooseRoute(req, res, url, ctx, caller)) return;
  if (id && is('GET', 'runs', { withId: true })) return json(res, 200, await runDetail(client, config, id));
  if (is('GET', 'inbox')) return json(res, 200, await inbox(client, config));
  if (is('GET', 'events')) {
    // Streams count per operator, whether by session or bearer: no one's many sessions take everyone's streams.
    return ctx.events.open(req, res, { owner: caller.operator, runId: url.searchParams.get('run') || undefined });
  }
  if (is('POST', 'runs')) {
    const { process, input, faults, manual } = parseStartRequest(await readJson(req));
    const started = await startProcess(client, config, process, input, { faults, manual, tuneOptions: ctx.startOptions?.tuneOptions });
    log(`${caller.operator} started ${started.workflowId}${started.alreadyStarted ? ' (already running)' : ''}`);
    return json(res, started.alreadyStarted ? 200 : 201, {
      process: started.process,
      workflowId: started.workflowId,
      runId: started.runId,
      alreadyStarted: started.alreadyStarted,
    });
  }
  if (id && is('POST', 'runs', { verb: 'resolve' })) {
    const { step, action: decision, reason, output } = parseResolveRequest(await readJson(req));
    const status = await statusOf(client, id);
    requireStep(
      step,
      status.steps.map((s) => s.step),
    );
    const decisionId = escalationDecisionId(status, step, decision);
    const receipt = await resolveEscalation(client, id, {
      step,
      action: decision,
      by: caller.identity.operator,
      identity: caller.identity,
      reason,
      output: decision === 'skip' ? output : undefined,
      decisionId,
    });
    log(`${caller.operator}: ${id} ${receipt.message}`);
    return json(res, 200, receipt);
  }
  if (id && (is('POST', 'runs', { verb: 'answer' }) || is('POST', 'runs', { verb: 'approve' }))) {
    const body = await readJson(req);
    const answer = action === 'approve' ? parseApproveRequest(body) : parseAnswerRequest(body);
    const receipt = await sendAnswer(client, id, answer, caller, action === 'approve');
    log(`${caller.operator}: ${id} ${receipt.message}`);
    return json(res, 200, receipt);
  }
  if (id && is('POST', 'runs', { verb: 'inject' })) {
    const request = parseInjectRequest(await readJson(req));
    const status = await statusOf(client, id);
    const fault = faultFor(
      request,
      status.steps.map((s) => s.step),
    );
    const receipt = await injectFault(client, id, request.step, fault, status);
    log(`${caller.operator}: ${id} ${receipt.message}`);
    return json(res, 200, receipt);
  }
  if (id === 'bulk' && is('POST', 'escalations', { withId: true })) {
    // Operators and above (checked above for every POST); each run records its own decision as the caller.
    const report = await bulkResolve(client, config, await readJson(req), caller);
    log(
      `${caller.operator}: bulk ${report.bulkId} ${report.action} ${report.step}: ${report.applied} applied, ${report.acknowledged} acknowledged, ${report.failed} failed`,
    );
    return json(res, 200, report);
  }
  if (resource === 'demos' && ctx.demos && (await handleDemoRoute(ctx.demos, req, res, parts, caller))) return;
  if (is('POST', 'logout')) return ctx.sessions.logout(res, caller);
  throw new HttpError(404, 'not found');
}
