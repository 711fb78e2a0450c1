/**
 * The console's side-by-side demo against real stacks: without OVERTURE_DEMO=on its routes do not exist; with it, a
 * demo (the script twice and an Overture run taken to the end) sends nothing to the stack's SMTP receiver or webhook
 * receiver and leaves no row in its directory, and one operator runs one demo at a time.
 */
import { startOperatorConsole, type RunningConsole } from '../../src/apps/console/server';
import { getRunStatus } from '../../src/client';
import { eventually, fastOptions, startTestStack, type TestStack } from '../helpers/test-stack';
import { addOperator } from '../helpers/operators';

jest.setTimeout(120_000);

/** A stack and its console, with a signed-in operator's bearer token and CSRF token. */
interface DemoConsole {
  stack: TestStack;
  console: RunningConsole;
  token: string;
  csrf: string;
}

async function startConsole(env: Record<string, string>): Promise<DemoConsole> {
  const stack = await startTestStack({ ESCALATION_CONTACTS: 'oncall@it.example.com', ...env });
  const token = addOperator(stack.config.OVERTURE_DATA_DIR, 'ops.demo', 'operator').token;
  const running = await startOperatorConsole({
    client: stack.client,
    config: stack.config,
    host: '127.0.0.1',
    port: 0,
    log: () => undefined,
    startOptions: { tuneOptions: fastOptions() },
  });
  const at: DemoConsole = { stack, console: running, token, csrf: '' };
  at.csrf = ((await call(at, 'GET', '/api/session')).body as { csrfToken: string }).csrfToken;
  return at;
}

async function stop(at: DemoConsole | undefined): Promise<void> {
  await at?.console.stop();
  await at?.stack.stop();
}

async function call(at: DemoConsole, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { Authorization: `Bearer ${at.token}` };
  if (method === 'POST') Object.assign(headers, { 'Content-Type': 'application/json', 'X-CSRF-Token': at.csrf });
  const response = await fetch(`${at.console.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    return { status: response.status, body: text };
  }
}

describe('with OVERTURE_DEMO unset', () => {
  let at: DemoConsole;
  beforeAll(async () => {
    at = await startConsole({});
  });
  afterAll(() => stop(at));

  it('has no demo routes, and the session tells the browser so', async () => {
    expect((await call(at, 'GET', '/api/session')).body).toMatchObject({ demo: false });
    expect((await call(at, 'GET', '/api/demos')).status).toBe(404);
    expect((await call(at, 'POST', '/api/demos/onboarding', { inject: 'createWorkspace' })).status).toBe(404);
  });
});

describe('with OVERTURE_DEMO=on', () => {
  let at: DemoConsole;
  beforeAll(async () => {
    at = await startConsole({ OVERTURE_DEMO: 'on' });
  });
  afterAll(() => stop(at));

  it('runs both halves on its own systems: nothing reaches the SMTP or webhook receiver, nothing the directory', async () => {
    expect((await call(at, 'GET', '/api/session')).body).toMatchObject({ demo: true });
    expect((await call(at, 'GET', '/api/demos')).body).toMatchObject([{ process: 'onboarding' }]);
    const run = await call(at, 'POST', '/api/demos/onboarding', { inject: 'createWorkspace' });
    expect(run.status).toBe(200);
    const result = run.body as { script: { effects: Array<{ id: string; count: number }> }; overture: { workflowId: string } };
    // The script still shows its duplicate: counted in the demo's own outbox.
    expect(result.script.effects).toEqual([
      expect.objectContaining({ id: 'emails', count: 2 }),
      expect.objectContaining({ id: 'notifications', count: 1 }),
    ]);

    // The Overture half, escalated on the demo's worker, then retried to the end (welcome email, team post and all).
    const { workflowId } = result.overture;
    await eventually(async () => (await getRunStatus(at.stack.client, workflowId)).state === 'needs_attention', 30_000, 'the escalation');
    const retry = await call(at, 'POST', `/api/runs/${encodeURIComponent(workflowId)}/resolve`, {
      step: 'createWorkspace',
      action: 'retry',
    });
    expect(retry.status).toBe(200);
    await eventually(
      async () => (await getRunStatus(at.stack.client, workflowId)).state === 'completed',
      30_000,
      'the demo run to complete',
    );

    expect(at.stack.mail.messages()).toEqual([]);
    expect(at.stack.webhooks.received()).toEqual([]);
    const rows = at.stack.directory.db.prepare('SELECT COUNT(*) AS n FROM accounts').get() as { n: number };
    expect(rows.n).toBe(0);
  });

  it('runs one demo at a time per operator', async () => {
    const both = await Promise.all([
      call(at, 'POST', '/api/demos/onboarding', { inject: 'notifyTeam' }),
      call(at, 'POST', '/api/demos/onboarding', { inject: 'notifyTeam' }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
  });
});
