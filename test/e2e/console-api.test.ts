/**
 * The operator console's HTTP API against a real stack: authentication, CSRF and Origin checks, the process
 * registry, input validation, the inbox, decisions and answers (and refused ones), counters and the event stream.
 */
import http from 'node:http';
import { WorkflowNotFoundError } from '@temporalio/client';

import { startOperatorConsole, type RunningConsole } from '../../src/apps/console/server';
import { eventually, fastOptions, startTestStack, type TestStack } from '../helpers/test-stack';
import { addOperator } from '../helpers/operators';
import { OperatorStore, operatorsDbPath } from '../../src/stores/operators/store';
import type { OperatorRole } from '../../workflows/kit/types';
import { newHire } from '../processes/onboarding/helpers';
import { onboardingWorkflowId } from '../../workflows/onboarding/definition';
import { PROCESSES } from '../../src/registry';

/** The processes a caller may start, in the registry's order. */
const STARTABLE = PROCESSES.filter((p) => !p.internal).map((p) => p.shape.name);

/** The operators of this file, by name: their tokens are filled in once the stack's store exists. */
const OPERATORS: Record<string, OperatorRole> = {
  'ops.alice': 'admin',
  'ops.bob': 'operator',
  'ops.carol': 'operator',
  'ops.vic': 'viewer',
  'ops.otto': 'operator',
};
const tokens: Record<string, string> = {};
/** The bearer token of API calls: ops.alice's. */
let TOKEN: string;
let stack: TestStack;
let console_: RunningConsole;
let bearerCsrf: string;
const lines: string[] = [];

beforeAll(async () => {
  stack = await startTestStack({ ESCALATION_CONTACTS: 'oncall@it.example.com' });
  for (const [name, role] of Object.entries(OPERATORS)) tokens[name] = addOperator(stack.config.OVERTURE_DATA_DIR, name, role).token;
  TOKEN = tokens['ops.alice']!;
  console_ = await startOperatorConsole({
    client: stack.client,
    config: stack.config,
    host: '127.0.0.1',
    port: 0,
    log: (line) => lines.push(line),
    startOptions: { tuneOptions: fastOptions() },
  });
  const session = await call('GET', '/api/session');
  bearerCsrf = (session.body as { csrfToken: string }).csrfToken;
});
afterAll(async () => {
  await console_?.stop();
  await stack?.stop();
});

interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
  text: string;
}

async function call(
  method: string,
  path: string,
  opts: { body?: unknown; headers?: Record<string, string>; auth?: boolean } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...(opts.auth === false ? {} : { Authorization: `Bearer ${TOKEN}` }), ...opts.headers };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${console_.url}${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    redirect: 'manual',
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // HTML or empty
  }
  return { status: response.status, body, headers: response.headers, text };
}

/** A POST with ops.alice's token and the CSRF token, as an API client makes it. */
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  call('POST', path, { body, headers: { 'X-CSRF-Token': bearerCsrf, ...headers } });

/** Signs in through the login form with the operator's token; returns the cookie header and the session's CSRF token. */
async function login(operator: string, token = tokens[operator] ?? '') {
  const response = await fetch(`${console_.url}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: console_.url },
    body: new URLSearchParams({ token }).toString(),
    redirect: 'manual',
  });
  const setCookies = response.headers.getSetCookie();
  const cookie = setCookies.map((c) => c.split(';')[0]).join('; ');
  const csrf = /overture_csrf=([^;]+)/.exec(cookie)?.[1];
  return { status: response.status, setCookies, cookie, csrf };
}

/** A start request of an onboarding; `employeeId` and `email` as the tests read them. */
/** The receipt message of a repeated decision: on the running run, or from the status of a run that ended meanwhile. */
const repeated = (applied: string) =>
  expect.stringMatching(new RegExp(`^already applied .*: ${applied.replace(/\./g, '\\.')}; .*nothing changed$`)) as unknown;

const hireBody = (faults: Record<string, string> = {}, overrides = {}) => {
  const input = newHire(overrides);
  return { process: 'onboarding', input, faults, employeeId: input.employeeId, email: input.email };
};
/** The body POST /api/runs takes: the request without the fields the tests read. */
const bodyOf = ({ process, input, faults }: ReturnType<typeof hireBody>) => ({ process, input, faults });

describe('authentication', () => {
  it('refuses the API and serves the login page without the token', async () => {
    const api = await call('GET', '/api/runs', { auth: false });
    expect(api.status).toBe(401);
    expect((api.body as { error: string }).error).toContain('sign in');
    const wrong = await call('GET', '/api/runs', { auth: false, headers: { Authorization: 'Bearer not-the-token' } });
    expect(wrong.status).toBe(401);
    const page = await call('GET', '/', { auth: false });
    expect(page.status).toBe(401);
    expect(page.text).toContain('data-testid="login-form"');
    const events = await call('GET', '/api/events', { auth: false });
    expect(events.status).toBe(401);
    const start = await call('POST', '/api/runs', { auth: false, body: bodyOf(hireBody()) });
    expect(start.status).toBe(401);
  });

  it('sends the run links of escalation notices to the run page', async () => {
    const link = await call('GET', '/runs/onboarding-E1001', { auth: false });
    expect(link.status).toBe(302);
    expect(link.headers.get('location')).toBe('/#/runs/onboarding-E1001');
  });

  it("signs in with an operator's own token (the name comes from the store) into an HttpOnly, SameSite=Strict session", async () => {
    const refused = await login('ops.mallory', 'wrong-token');
    expect(refused.status).toBe(401);
    expect(refused.setCookies).toEqual([]);
    // The form has no name field any more: a name sent with someone's token changes nothing.
    const page0 = await call('GET', '/login', { auth: false });
    expect(page0.text).not.toContain('name="operator"');

    const session = await login('ops.alice');
    expect(session.status).toBe(303);
    const sessionCookie = session.setCookies.find((c) => c.startsWith('overture_session='))!;
    expect(sessionCookie).toMatch(/HttpOnly/);
    expect(sessionCookie).toMatch(/SameSite=Strict/);
    const me = await call('GET', '/api/session', { auth: false, headers: { Cookie: session.cookie } });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ operator: 'ops.alice', role: 'admin', csrfToken: session.csrf });
    const bob = await login('ops.bob');
    const bobMe = await call('GET', '/api/session', { auth: false, headers: { Cookie: bob.cookie } });
    expect(bobMe.body).toMatchObject({ operator: 'ops.bob', role: 'operator', csrfToken: bob.csrf });
    expect(bob.csrf).not.toBe(session.csrf);
    expect(lines).toEqual(expect.arrayContaining(['ops.alice signed in (admin)', 'ops.bob signed in (operator)']));
    const page = await call('GET', '/', { auth: false, headers: { Cookie: session.cookie } });
    expect(page.status).toBe(200);
    // The signed-in page is the console app (its shell draws the counters), not the login page.
    expect(page.text).toContain('data-testid="app"');
    expect(page.text).toContain('<script type="module" src="/main.js"></script>');
    expect(page.text).not.toContain('/login.js');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});

describe('roles', () => {
  it('lets a viewer read and refuses every change with 403 naming the role; a changed role or rotated token applies to open sessions', async () => {
    const viewer = await login('ops.vic');
    expect(viewer.status).toBe(303);
    const asViewer = (method: string, path: string, body?: unknown) =>
      call(method, path, { auth: false, body, headers: { Cookie: viewer.cookie, 'X-CSRF-Token': viewer.csrf!, Origin: console_.url } });
    expect((await asViewer('GET', '/api/runs')).status).toBe(200);
    expect((await asViewer('GET', '/api/inbox')).status).toBe(200);
    const hire = hireBody();
    const start = await asViewer('POST', '/api/runs', bodyOf(hire));
    expect(start).toMatchObject({
      status: 403,
      body: { error: 'POST /api/runs needs the role operator or above; you (ops.vic) are viewer' },
    });
    const resolve = await asViewer('POST', '/api/runs/onboarding-E1/resolve', { step: 'createWorkspace', action: 'retry' });
    expect(resolve).toMatchObject({
      status: 403,
      body: { error: expect.stringContaining('needs the role operator or above; you (ops.vic) are viewer') as unknown },
    });
    const approve = await asViewer('POST', '/api/runs/onboarding-E1/approve', { decision: 'approve' });
    expect(approve.status).toBe(403);
    await expect(stack.client.workflow.getHandle(onboardingWorkflowId(hire.employeeId)).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
    // Signing out is not a change that needs a role.
    expect((await asViewer('POST', '/api/logout', {})).status).toBe(200);

    const otto = await login('ops.otto');
    expect((await call('GET', '/api/session', { auth: false, headers: { Cookie: otto.cookie } })).status).toBe(200);
    const store = new OperatorStore(operatorsDbPath(stack.config.OVERTURE_DATA_DIR));
    try {
      store.setRole('ops.otto', 'viewer');
      expect((await call('GET', '/api/session', { auth: false, headers: { Cookie: otto.cookie } })).body).toMatchObject({
        operator: 'ops.otto',
        role: 'viewer',
      });
      store.setRole('ops.otto', 'operator');
      const bobSession = await login('ops.bob');
      tokens['ops.bob'] = store.rotateToken('ops.bob');
      expect((await call('GET', '/api/session', { auth: false, headers: { Cookie: bobSession.cookie } })).status).toBe(401);
      const rotatedBearer = await call('GET', '/api/runs', { auth: false, headers: { Authorization: `Bearer ${tokens['ops.bob']}` } });
      expect(rotatedBearer.status).toBe(200);
    } finally {
      store.close();
    }
  });
});

describe('CSRF and Origin', () => {
  it('refuses a POST without the CSRF header, with a wrong one, or from a foreign origin', async () => {
    const hire = hireBody();
    const noHeader = await call('POST', '/api/runs', { body: bodyOf(hire) });
    expect(noHeader.status).toBe(403);
    expect(noHeader.body).toMatchObject({ error: 'missing or wrong X-CSRF-Token' });
    const wrong = await post('/api/runs', bodyOf(hire), { 'X-CSRF-Token': 'guess' });
    expect(wrong.status).toBe(403);
    const foreign = await post('/api/runs', bodyOf(hire), { Origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ error: 'cross-origin request refused' });

    const session = await login('ops.bob');
    const cookieNoHeader = await call('POST', '/api/runs', { auth: false, body: bodyOf(hire), headers: { Cookie: session.cookie } });
    expect(cookieNoHeader.status).toBe(403);
    const otherSessionsToken = await call('POST', '/api/runs', {
      auth: false,
      body: bodyOf(hire),
      headers: { Cookie: session.cookie, 'X-CSRF-Token': bearerCsrf },
    });
    expect(otherSessionsToken.status).toBe(403);
    const foreignLogin = await fetch(`${console_.url}/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://evil.example' },
      body: new URLSearchParams({ token: TOKEN }).toString(),
      redirect: 'manual',
    });
    expect(foreignLogin.status).toBe(403);

    // None of the refused requests started anything.
    await expect(stack.client.workflow.getHandle(onboardingWorkflowId(hire.employeeId)).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
  });
});

describe('starting runs', () => {
  it('answers 400 naming every bad field, and starts nothing', async () => {
    const hire = hireBody({ createWorkspace: 'explode', nosuchStep: 'permanent' }, { email: 'not-an-address', startDate: 'tomorrow' });
    const answer = await post('/api/runs', bodyOf(hire));
    expect(answer.status).toBe(400);
    const problems = (answer.body as { problems: string[] }).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        'input.email: must be an email address',
        'input.startDate: must be a date as YYYY-MM-DD',
        expect.stringMatching(/^faults\.createWorkspace: .*mode must be/),
        expect.stringMatching(/^faults\.nosuchStep: .*unknown step nosuchStep/),
      ]),
    );
    expect(JSON.stringify(answer.body)).not.toContain('not-an-address'); // fields, never values
    await expect(stack.client.workflow.getHandle(onboardingWorkflowId(hire.employeeId)).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
    const notJson = await call('POST', '/api/runs', {
      headers: { 'X-CSRF-Token': bearerCsrf, 'Content-Type': 'application/json' },
      body: undefined,
    });
    expect(notJson.status).toBe(400);
  });

  it('answers 400 for an unknown process, and for a bad financial close naming its fields; nothing starts', async () => {
    const unknown = await post('/api/runs', { process: 'payroll', input: {} });
    expect(unknown.status).toBe(400);
    expect((unknown.body as { problems: string[] }).problems).toEqual([
      `process: unknown process "payroll"; processes are ${STARTABLE.join(', ')}`,
    ]);
    expect(STARTABLE).toEqual(expect.arrayContaining(['onboarding', 'financial-close', 'content-publishing', 'data-pipeline']));

    const period = `${2100 + Math.floor(Math.random() * 900)}-04`;
    const close = await post('/api/runs', {
      process: 'financial-close',
      input: { period, entities: [], controllerEmail: 'not-an-address', extra: 1 },
      faults: { lockPeriod: 'explode', reconcileEntities: 'permanent' },
    });
    expect(close.status).toBe(400);
    const problems = (close.body as { problems: string[] }).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        'input.entities: name at least one entity',
        'input.controllerEmail: must be an email address',
        'input: unknown field(s) extra',
        expect.stringMatching(/^faults\.lockPeriod: .*mode must be/),
        // A fan-out is not an activity: faults go into the child runs' own steps.
        expect.stringMatching(
          /^faults\.reconcileEntities: .*unknown step reconcileEntities; steps are lockPeriod, revalueForeignCurrency, postAccruals, publishStatements/,
        ),
      ]),
    );
    expect(JSON.stringify(close.body)).not.toContain('not-an-address');
    await expect(stack.client.workflow.getHandle(`financial-close-${period}`).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);

    const stray = await post('/api/runs', { process: 'onboarding', input: newHire(), employeeId: 'X1' });
    expect(stray.status).toBe(400);
    expect((stray.body as { problems: string[] }).problems).toEqual([expect.stringContaining('unknown field(s) employeeId')]);
    const internal = await post('/api/runs', { process: 'reconcile-entity', input: { period, item: 'acme-us', toleranceCents: 0 } });
    expect(internal.status).toBe(400);
  });
});

describe('the process registry', () => {
  it('lists every startable process with its steps, needs and example, and the internal ones flagged', async () => {
    const answer = await call('GET', '/api/processes');
    expect(answer.status).toBe(200);
    const processes = answer.body as Array<{
      name: string;
      title: string;
      internal: boolean;
      example: unknown;
      steps: Array<{ name: string; needs: string[]; kind: string; optional: boolean }>;
    }>;
    // Every installed process (a new one needs no change here): startable ones first, in the registry's order.
    expect(processes.map((p) => [p.name, p.internal])).toEqual([
      ...STARTABLE.map((name) => [name, false]),
      ...PROCESSES.filter((p) => p.internal).map((p) => [p.shape.name, true]),
    ]);
    expect(processes.filter((p) => p.internal).map((p) => p.name)).toEqual(
      expect.arrayContaining(['reconcile-entity', 'transform-partition']),
    );
    const onboarding = processes.find((p) => p.name === 'onboarding')!;
    expect(onboarding.steps.map((s) => s.name)).toEqual([
      'createAccount',
      'assignPermissions',
      'sendWelcomeEmail',
      'createWorkspace',
      'requestEquipment',
      'notifyTeam',
    ]);
    expect(onboarding.steps.find((s) => s.name === 'notifyTeam')!.needs).toEqual(['sendWelcomeEmail', 'createWorkspace']);
    expect(onboarding.steps.find((s) => s.name === 'requestEquipment')).toMatchObject({ kind: 'manual', optional: true });
    expect(Object.keys(onboarding.example as object)).toEqual(expect.arrayContaining(['employeeId', 'email', 'role']));

    const close = processes.find((p) => p.name === 'financial-close')!;
    expect(close.title).toBe('Month-end financial close');
    expect(close.steps.map((s) => [s.name, s.needs, s.kind])).toEqual([
      ['lockPeriod', [], 'activity'],
      ['reconcileEntities', ['lockPeriod'], 'fan-out'],
      ['revalueForeignCurrency', ['lockPeriod'], 'activity'],
      ['postAccruals', ['reconcileEntities', 'revalueForeignCurrency'], 'activity'],
      ['controllerSignOff', ['postAccruals'], 'approval'],
      ['publishStatements', ['controllerSignOff'], 'activity'],
    ]);
    expect(close.example).toMatchObject({ period: '2026-10', entities: ['acme-us', 'acme-uk', 'acme-de'] });
    expect(processes.find((p) => p.name === 'reconcile-entity')!.example).toBeNull();
  });
});

describe('escalations through the console', () => {
  it('shows an escalated run in the inbox; retry by the signed-in operator completes it; a stale decision is refused with 409', async () => {
    const session = await login('ops.carol');
    const asCarol = (path: string, body: unknown) =>
      call('POST', path, { auth: false, body, headers: { Cookie: session.cookie, 'X-CSRF-Token': session.csrf!, Origin: console_.url } });

    // Two permanent faults: after the first is retried the run escalates again, so it stays open for the stale decision.
    const hire = hireBody({ createWorkspace: 'permanent', notifyTeam: 'permanent' });
    const started = await asCarol('/api/runs', bodyOf(hire));
    expect(started.status).toBe(201);
    const workflowId = (started.body as { workflowId: string }).workflowId;
    expect(workflowId).toBe(onboardingWorkflowId(hire.employeeId));

    const item = await eventually(
      async () => {
        const inbox = await call('GET', '/api/inbox');
        const items = (inbox.body as { items: Array<{ workflowId: string; step: string; kind: string; detail: string }> }).items;
        return items.find((i) => i.workflowId === workflowId && i.step === 'createWorkspace');
      },
      20_000,
      'the escalation in the inbox',
    );
    expect(item.kind).toBe('escalation');
    expect(item.detail).toContain('injected permanent fault');

    // Not escalated: refused by the workflow's validator, with its message.
    const notEscalated = await asCarol(`/api/runs/${workflowId}/resolve`, { step: 'createAccount', action: 'retry' });
    expect(notEscalated.status).toBe(409);
    expect(notEscalated.body).toEqual({ error: 'step createAccount is not escalated (it is completed)' });

    const retry = await asCarol(`/api/runs/${workflowId}/resolve`, { step: 'createWorkspace', action: 'retry', reason: 'quota raised' });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ applied: true, message: 'retry createWorkspace by ops.carol' });

    // The same button pressed again is the same decision: applied once, and this request is told it was a repeat.
    const again = await asCarol(`/api/runs/${workflowId}/resolve`, { step: 'createWorkspace', action: 'retry' });
    expect(again).toMatchObject({
      status: 200,
      body: { applied: false, repeat: true, message: repeated('retry createWorkspace by ops.carol') },
    });
    // A stale button (Skip on the escalation just retried) is refused by the validator, with its message.
    const stale = await asCarol(`/api/runs/${workflowId}/resolve`, { step: 'createWorkspace', action: 'skip' });
    expect(stale.status).toBe(409);
    expect(stale.body).toEqual({ error: 'step createWorkspace is not escalated (its escalation was already decided: retry by ops.carol)' });

    await eventually(
      async () => {
        const inbox = await call('GET', '/api/inbox');
        return (inbox.body as { items: Array<{ workflowId: string; step: string }> }).items.find(
          (i) => i.workflowId === workflowId && i.step === 'notifyTeam',
        );
      },
      20_000,
      'the second escalation',
    );
    const second = await asCarol(`/api/runs/${workflowId}/resolve`, { step: 'notifyTeam', action: 'retry' });
    expect(second.status).toBe(200);

    const done = await eventually(
      async () => {
        const run = await call('GET', `/api/runs/${workflowId}`);
        // The run's own state turns completed a moment before Temporal closes the execution: wait for both.
        const body = run.body as { state: string; execution: { status: string } };
        return body.state === 'completed' && body.execution.status === 'COMPLETED' ? run.body : undefined;
      },
      20_000,
      'the run to complete',
    );
    expect(done).toMatchObject({
      workflowId,
      state: 'completed',
      temporalUiUrl: `${stack.config.temporalUiUrl}/namespaces/default/workflows/${workflowId}`,
      execution: { status: 'COMPLETED' },
    });
    const questions = (done as { questions: Array<{ kind: string; step: string; decision?: { by: string; reason: string } }> }).questions;
    expect(questions.find((q) => q.kind === 'escalation' && q.step === 'createWorkspace')!.decision).toMatchObject({
      by: 'ops.carol',
      via: 'console',
      role: 'operator',
      reason: 'quota raised',
    });
    expect(stack.mail.messages().filter((m) => m.to.includes(hire.email))).toHaveLength(1);
    const afterEnd = await asCarol(`/api/runs/${workflowId}/resolve`, { step: 'notifyTeam', action: 'abort' });
    expect(afterEnd).toMatchObject({ status: 409, body: { error: `run ${workflowId} has already ended (completed)` } });
  });

  it('validates decisions and injections before they reach the run', async () => {
    const badAction = await post('/api/runs/whatever/resolve', { step: 'createWorkspace', action: 'explode' });
    expect(badAction).toMatchObject({ status: 400, body: { error: 'action must be one of retry, skip, abort' } });
    const badMode = await post('/api/runs/whatever/inject', { step: 'createWorkspace', mode: 'explode' });
    expect(badMode.status).toBe(400);
    const longReason = await post('/api/runs/whatever/answer', { decision: 'approve', reason: 'x'.repeat(501) });
    expect(longReason).toMatchObject({ status: 400, body: { problems: ['reason: must be a string of at most 500 characters'] } });
    const manyOutputs = await post('/api/runs/whatever/resolve', {
      step: 'createWorkspace',
      action: 'skip',
      output: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])),
    });
    expect(manyOutputs.status).toBe(400);
    const notStrings = await post('/api/runs/whatever/answer', { decision: 'done', output: { assetTags: 42 } });
    expect(notStrings).toMatchObject({ status: 400, body: { problems: ['output.assetTags: must be a string of at most 500 characters'] } });
    const noDecision = await post('/api/runs/whatever/answer', {});
    expect(noDecision.status).toBe(400);
    const unknownRun = await post('/api/runs/onboarding-NO-SUCH-RUN/resolve', { step: 'createWorkspace', action: 'retry' });
    expect(unknownRun.status).toBe(404);
    const unknownRunAnswer = await post('/api/runs/onboarding-NO-SUCH-RUN/answer', { decision: 'approve' });
    expect(unknownRunAnswer.status).toBe(404);
  });

  it('approves privileged permissions once; a late reject is refused with 409', async () => {
    const hire = hireBody({ assignPermissions: 'latency:2000' }, { role: 'admin' });
    const started = await post('/api/runs', bodyOf(hire));
    expect(started.status).toBe(201);
    const workflowId = (started.body as { workflowId: string }).workflowId;
    await eventually(
      async () => {
        const inbox = await call('GET', '/api/inbox');
        return (inbox.body as { items: Array<{ workflowId: string; kind: string }> }).items.find(
          (i) => i.workflowId === workflowId && i.kind === 'approval',
        );
      },
      20_000,
      'the approval in the inbox',
    );
    // An operator may not approve (403, naming the role needed); the approval stays open.
    const byOperator = await call('POST', `/api/runs/${workflowId}/approve`, {
      auth: false,
      body: { decision: 'approve' },
      headers: { Authorization: `Bearer ${tokens['ops.otto']}`, 'X-CSRF-Token': bearerCsrf },
    });
    expect(byOperator).toMatchObject({
      status: 403,
      body: { error: 'answering an approval or a question needs the role approver or above; you (ops.otto) are operator' },
    });
    // The bearer is ops.alice (an admin): a header naming someone else changes nothing.
    const approve = await post(
      `/api/runs/${workflowId}/approve`,
      { decision: 'approve', reason: 'on-call rotation' },
      { 'X-Operator': 'ops.mallory' },
    );
    expect(approve).toMatchObject({ status: 200, body: { applied: true, message: 'approve by ops.alice' } });
    const decided = (
      (await call('GET', `/api/runs/${workflowId}`)).body as { questions: Array<{ kind: string; decision?: object }> }
    ).questions.find((q) => q.kind === 'approval');
    expect(decided!.decision).toMatchObject({ action: 'approve', by: 'ops.alice', via: 'api', role: 'admin' });
    const twice = await post(`/api/runs/${workflowId}/approve`, { decision: 'approve', reason: 'on-call rotation' });
    expect(twice).toMatchObject({ status: 200, body: { applied: false, repeat: true, message: repeated('approve by ops.alice') } });
    const late = await post(`/api/runs/${workflowId}/approve`, { decision: 'reject' });
    expect(late).toMatchObject({
      status: 409,
      body: { error: 'question assignPermissions/approval#1 was already answered: approve by ops.alice' },
    });
    // Faults name the run's own steps: another process's step is refused before it reaches the run.
    const otherStep = await post(`/api/runs/${workflowId}/inject`, { step: 'lockPeriod', mode: 'permanent' });
    expect(otherStep.status).toBe(400);
    expect((otherStep.body as { error: string }).error).toContain('step must be one of createAccount, assignPermissions');
    const inject = await post(`/api/runs/${workflowId}/inject`, { step: 'notifyTeam', mode: 'transient:1' });
    expect(inject).toMatchObject({ status: 200, body: { message: 'notifyTeam=transient:1 injected' } });
    await eventually(
      async () => ((await call('GET', `/api/runs/${workflowId}`)).body as { state: string }).state === 'completed',
      20_000,
      'approved run completes',
    );
  });
});

describe('answers', () => {
  it('starts an onboarding with equipment from { process, input }; its manual task is done through /answer with its output', async () => {
    const hire = newHire({ equipment: ['laptop', 'badge'] });
    const started = await post('/api/runs', { process: 'onboarding', input: hire, faults: {} });
    expect(started).toMatchObject({
      status: 201,
      body: { process: 'onboarding', workflowId: onboardingWorkflowId(hire.employeeId), alreadyStarted: false },
    });
    const workflowId = (started.body as { workflowId: string }).workflowId;
    const task = await eventually(
      async () => {
        const inbox = await call('GET', '/api/inbox');
        const items = (
          inbox.body as {
            items: Array<{ workflowId: string; process: string; question: string; kind: string; requiredOutput: string[]; detail: string }>;
          }
        ).items;
        return items.find((i) => i.workflowId === workflowId && i.kind === 'task');
      },
      20_000,
      'the manual task in the inbox',
    );
    expect(task).toMatchObject({ process: 'onboarding', question: 'requestEquipment/task#1', requiredOutput: ['assetTags'] });
    expect(task.detail).toContain('laptop, badge');

    const missing = await post(`/api/runs/${workflowId}/answer`, { question: task.question, decision: 'done' });
    expect(missing.status).toBe(409);
    expect((missing.body as { error: string }).error).toContain('needs its output: later steps need assetTags');
    const done = await post(`/api/runs/${workflowId}/answer`, {
      question: task.question,
      decision: 'done',
      output: { assetTags: 'LAP-1, BADGE-7' },
      reason: 'ready at the desk',
    });
    expect(done).toMatchObject({ status: 200, body: { applied: true, message: 'done requestEquipment/task#1 by ops.alice' } });
    const twice = await post(`/api/runs/${workflowId}/answer`, {
      question: task.question,
      decision: 'done',
      output: { assetTags: 'LAP-1, BADGE-7' },
    });
    expect(twice).toMatchObject({ status: 200, body: { applied: false, repeat: true } });

    const run = await eventually(
      async () => {
        const answer = await call('GET', `/api/runs/${workflowId}`);
        const body = answer.body as { state: string; steps: Array<{ step: string; state: string; outcome?: Record<string, string> }> };
        return body.state === 'completed' ? body : undefined;
      },
      20_000,
      'the run with equipment to complete',
    );
    expect(run.steps.find((s) => s.step === 'requestEquipment')).toMatchObject({
      state: 'completed',
      outcome: { assetTags: 'LAP-1, BADGE-7' },
    });
    // The same answer again is a repeat, told so from the ended run's status; with another output it is refused;
    // another decision finds the run ended.
    const late = await post(`/api/runs/${workflowId}/answer`, { decision: 'done', output: { assetTags: 'LAP-1, BADGE-7' } });
    expect(late).toMatchObject({
      status: 200,
      body: { applied: false, repeat: true, message: repeated('done requestEquipment/task#1 by ops.alice') },
    });
    const otherOutput = await post(`/api/runs/${workflowId}/answer`, { decision: 'done', output: { assetTags: 'x' } });
    expect(otherOutput).toMatchObject({
      status: 409,
      body: { error: expect.stringContaining('this one differs: its output differs (assetTags)') as unknown },
    });
    const after = await post(`/api/runs/${workflowId}/answer`, { question: task.question, decision: 'cancel' });
    expect(after).toMatchObject({ status: 409, body: { error: `run ${workflowId} has already ended (completed)` } });
  });
});

describe('runs and counters', () => {
  it('lists runs with counters that add up, and filters them', async () => {
    // Visibility is eventually consistent: wait until both runs this file completed are listed as completed.
    const all = await eventually(
      async () => {
        const answer = await call('GET', '/api/runs');
        return (answer.body as { counters: { completed: number } }).counters.completed >= 2 ? answer : undefined;
      },
      20_000,
      'completed runs in the list',
    );
    expect(all.status).toBe(200);
    const { runs, counters } = all.body as { runs: Array<{ state: string; needsAttention: boolean }>; counters: Record<string, number> };
    // The counters come from visibility counts, not the page: they count at least the runs listed.
    expect(counters.total).toBeGreaterThanOrEqual(runs.length);
    expect(counters.running! + counters.completed! + counters.needsAttention! + counters.failed! + counters.aborted!).toBe(counters.total);
    expect(counters.completed).toBeGreaterThanOrEqual(2);

    expect((runs as Array<{ process?: string }>).every((r) => typeof r.process === 'string')).toBe(true);
    const onboardings = await call('GET', '/api/runs?process=onboarding');
    expect((onboardings.body as { runs: Array<{ process: string }> }).runs.every((r) => r.process === 'onboarding')).toBe(true);

    const completed = await call('GET', '/api/runs?status=completed');
    const completedRuns = (completed.body as { runs: Array<{ state: string }> }).runs;
    expect(completedRuns.length).toBeGreaterThanOrEqual(2);
    expect(completedRuns.every((r) => r.state === 'completed')).toBe(true);
    const attention = await call('GET', '/api/runs?needsAttention=true');
    expect((attention.body as { runs: Array<{ needsAttention: boolean }> }).runs.every((r) => r.needsAttention)).toBe(true);
  });

  it('streams runs and counters as Server-Sent Events', async () => {
    const url = new URL('/api/events', console_.url);
    const first = await new Promise<string>((resolve, reject) => {
      const req = http.get(url, { headers: { Authorization: `Bearer ${TOKEN}` } }, (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toContain('text/event-stream');
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes('event: runs\ndata: ') && text.endsWith('\n\n')) {
            req.destroy();
            resolve(text);
          }
        });
      });
      req.on('error', reject);
    });
    const data = JSON.parse(/event: runs\ndata: (.*)\n\n/.exec(first)![1]!) as { counters: { total: number } };
    expect(data.counters.total).toBeGreaterThan(0);
  });
});
