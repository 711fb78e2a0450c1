/**
 * The console's KPI routes against a real stack: a viewer reads GET /api/kpis and /api/kpis/:process as the contract
 * says, with a completed run the worker reported; a bad `since` is a 400, an unknown process a 404, no sign-in a 401.
 */
import { startOperatorConsole, type RunningConsole } from '../../src/apps/console/server';
import { eventually, fastOptions, startTestStack, type TestStack } from '../helpers/test-stack';
import { addOperator } from '../helpers/operators';
import { newHire, startOnboarding } from '../processes/onboarding/helpers';
import type { KpiOverview, ProcessKpis } from '../../src/kpis/types';

let stack: TestStack;
let console_: RunningConsole;
let token: string;

beforeAll(async () => {
  stack = await startTestStack();
  token = addOperator(stack.config.OVERTURE_DATA_DIR, 'viewer.vera', 'viewer').token;
  console_ = await startOperatorConsole({ client: stack.client, config: stack.config, host: '127.0.0.1', port: 0, log: () => undefined });
});
afterAll(async () => {
  await console_?.stop();
  await stack?.stop();
});

async function get(path: string, auth = true): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${console_.url}${path}`, { headers: auth ? { Authorization: `Bearer ${token}` } : {}, redirect: 'manual' });
  const text = await response.text();
  return { status: response.status, body: text.startsWith('{') ? (JSON.parse(text) as unknown) : text };
}

it('serves the overview and one process to a viewer, with the run the worker reported', async () => {
  const started = await startOnboarding(stack.client, stack.config, newHire(), { tuneOptions: fastOptions() });
  await started.handle.result();
  const overview = await eventually(
    async () => {
      const answer = await get('/api/kpis?since=1d');
      expect(answer.status).toBe(200);
      const body = answer.body as KpiOverview;
      return body.processes.some((p) => p.process === 'onboarding' && p.completed === 1) ? body : undefined;
    },
    20_000,
    'the run in /api/kpis',
  );
  expect(Date.parse(overview.until) - Date.parse(overview.since)).toBe(86_400_000);
  expect(overview.processes).toEqual([expect.objectContaining({ process: 'onboarding', started: 1, completed: 1, failed: 0, aborted: 0 })]);

  const one = await get('/api/kpis/onboarding');
  expect(one.status).toBe(200);
  const kpis = one.body as ProcessKpis;
  expect(kpis).toMatchObject({
    process: 'onboarding',
    runs: { started: 1, completed: 1 },
    approvalLatency: { count: 0 },
    fanOut: { items: 0 },
  });
  expect(kpis.runs.perDay).toHaveLength(8);
  expect(kpis.steps[0]).toMatchObject({ step: 'createAccount', runs: 1, automated: { runs: 1, errorRate: 0 }, manual: { runs: 0 } });
  expect(typeof kpis.duration.p50Ms).toBe('number');
});

it('refuses a bad since (400), an unknown process (404) and a caller not signed in (401)', async () => {
  const bad = await get('/api/kpis?since=soon');
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.body)).toContain('since must be like 7d');
  expect((await get('/api/kpis/no-such-process')).status).toBe(404);
  expect((await get('/api/kpis', false)).status).toBe(401);
});
