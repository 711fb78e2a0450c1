/**
 * The console's and the gateway's metrics endpoints, scraped for real: while real runs wait for a person (two
 * escalations, one approval), the console's gauges count them by process and kind, give the oldest one's age,
 * the runs in flight and over their time budget, and which systems are degraded or paused (from the real
 * system-health store); both apps' request histograms are labelled by route template, with no id in any label.
 */
import { findFreePort } from '../../src/tools/dev-stack/temporal-server';
import { startOperatorConsole, type RunningConsole } from '../../src/apps/console/server';
import { startEventGateway, type RunningEventGateway } from '../../src/apps/events/server';
import { openSystemHealth } from '../../src/stores/open';
import { CENSUS_METRICS } from '../../src/temporal/observability/metrics-census';
import { HTTP_METRICS } from '../../src/temporal/observability/metrics-http';
import { scrape, total, type Sample } from '../helpers/prometheus';
import { eventually, fastOptions, startTestStack, statusWhen, type TestStack } from '../helpers/test-stack';
import { newHire, startOnboarding } from '../processes/onboarding/helpers';

jest.setTimeout(180_000);

const BUDGET_HOURS = 0.001; // 3.6 s: the runs below pass it while the test runs

let stack: TestStack;
let operatorConsole: RunningConsole;
let gateway: RunningEventGateway;
let consoleMetrics: string;
let gatewayMetrics: string;

beforeAll(async () => {
  const [consolePort, eventsPort] = [await findFreePort(), await findFreePort()];
  consoleMetrics = `http://127.0.0.1:${consolePort}/metrics`;
  gatewayMetrics = `http://127.0.0.1:${eventsPort}/metrics`;
  stack = await startTestStack({
    CONSOLE_METRICS_PORT: String(consolePort),
    EVENTS_METRICS_PORT: String(eventsPort),
    RUN_TIME_BUDGETS: JSON.stringify({ onboarding: BUDGET_HOURS }),
  });
  operatorConsole = await startOperatorConsole({ client: stack.client, config: stack.config, port: 0 });
  gateway = await startEventGateway({ client: stack.client, config: stack.config, port: 0 });
}, 120_000);

afterAll(async () => {
  await operatorConsole?.stop();
  await gateway?.stop();
  await stack?.stop();
});

/** Whether the run's question notice went out by email: its sendNotice activity completed. */
async function noticeSent(workflowId: string): Promise<boolean> {
  const events = (await stack.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const sendNotices = new Set(
    events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendNotice').map((e) => String(e.eventId)),
  );
  return events.some((e) => sendNotices.has(String(e.activityTaskCompletedEventAttributes?.scheduledEventId)));
}

const gauge = (samples: Sample[], name: string, labels: Record<string, string>) => {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return found.length === 1 ? found[0]!.value : undefined;
};

test('the gauges count the runs waiting for a person, their oldest question, the runs in flight and the systems', async () => {
  const escalated = await Promise.all(
    [1, 2].map(() =>
      startOnboarding(stack.client, stack.config, newHire(), {
        tuneOptions: fastOptions(),
        faults: { createWorkspace: { kind: 'permanent' } },
      }),
    ),
  );
  const approval = await startOnboarding(stack.client, stack.config, newHire({ role: 'admin' }), { tuneOptions: fastOptions() });
  const escalations = await Promise.all(
    escalated.map((r) => statusWhen(stack, r.workflowId, (s) => s.state === 'needs_attention', 'the escalation')),
  );
  await statusWhen(stack, approval.workflowId, (s) => s.state === 'awaiting_approval', 'the approval');
  const firstAsked = Math.min(...escalations.flatMap((s) => s.questions.filter((q) => q.open).map((q) => Date.parse(q.openedAt))));

  // Each question's notice went out first: a notice email sent after the outage below is recorded would end it (the
  // system guard records every send's outcome, and the activity completes only after it has).
  await eventually(
    async () => ((await Promise.all([...escalated, approval].map((r) => noticeSent(r.workflowId)))).every(Boolean) ? true : undefined),
    30_000,
    'the three notices sent',
  );

  // Email fails past the alert threshold (the operators were alerted: degraded); chat is paused.
  const systems = await openSystemHealth(stack.config);
  await systems.recordFailure('email', 'connection refused', 0);
  await systems.pause('chat', { operator: 'ops.metrics', role: 'operator' }, 'maintenance');
  await systems.close();

  // Visibility is eventually consistent, and a census is reused for 10 s: wait for one that sees all three runs.
  // What the last census showed, in the timeout's message: which of the three it did not see.
  let seen = 'no scrape';
  const samples = await eventually(
    async () => {
      const now = await scrape(consoleMetrics);
      const [overBudget, approvals, emailDegraded, up] = [
        gauge(now, CENSUS_METRICS.runsOverBudget, { process: 'onboarding' }),
        gauge(now, CENSUS_METRICS.questionsOpen, { process: 'onboarding', kind: 'approval' }),
        gauge(now, CENSUS_METRICS.systemDegraded, { system: 'email' }),
        gauge(now, CENSUS_METRICS.censusUp, {}),
      ];
      seen = `census up ${up}, over budget ${overBudget}, approvals ${approvals}, email degraded ${emailDegraded}`;
      return overBudget === 3 && approvals === 1 && emailDegraded === 1 ? now : undefined;
    },
    40_000,
    'a census that sees the three waiting runs',
  ).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)} (last seen: ${seen})`);
  });
  const scrapedAt = Date.now();
  expect(gauge(samples, CENSUS_METRICS.censusUp, {})).toBe(1);
  expect(gauge(samples, CENSUS_METRICS.questionsOpen, { process: 'onboarding', kind: 'escalation' })).toBe(2);
  expect(gauge(samples, CENSUS_METRICS.questionsOpen, { process: 'onboarding', kind: 'approval' })).toBe(1);
  expect(total(samples, CENSUS_METRICS.questionsOpen)).toBe(3);
  expect(gauge(samples, CENSUS_METRICS.runsInFlight, { process: 'onboarding' })).toBe(3);
  expect(gauge(samples, CENSUS_METRICS.runsInFlight, { process: 'financial-close' })).toBe(0);
  expect(gauge(samples, CENSUS_METRICS.runTimeBudget, { process: 'onboarding' })).toBeCloseTo(BUDGET_HOURS * 3600);
  expect(gauge(samples, CENSUS_METRICS.runTimeBudget, { process: 'financial-close' })).toBe(7 * 24 * 3600);

  // The oldest escalation's age is that of the first question asked, as of the census (at most 10 s old).
  const age = gauge(samples, CENSUS_METRICS.questionOldestAge, { process: 'onboarding', kind: 'escalation' })!;
  const expected = (scrapedAt - firstAsked) / 1000;
  expect(age).toBeGreaterThan(0);
  expect(age).toBeLessThanOrEqual(expected + 1);
  expect(age).toBeGreaterThanOrEqual(expected - 12);
  expect(gauge(samples, CENSUS_METRICS.questionLadder, { kind: 'escalation' })).toBe(stack.config.ESCALATION_AUTO_ACTION_HOURS * 3600);
  expect(gauge(samples, CENSUS_METRICS.questionLadder, { kind: 'approval' })).toBe(stack.config.APPROVAL_TIMEOUT_HOURS * 3600);

  expect(gauge(samples, CENSUS_METRICS.systemDegraded, { system: 'email' })).toBe(1);
  expect(gauge(samples, CENSUS_METRICS.systemDegraded, { system: 'chat' })).toBe(0);
  expect(gauge(samples, CENSUS_METRICS.systemPaused, { system: 'chat' })).toBe(1);
  expect(gauge(samples, CENSUS_METRICS.systemPaused, { system: 'email' })).toBe(0);
});

test('requests are counted and timed by route template and status, with no id in a label', async () => {
  const runId = 'onboarding-E12345-secret-looking-id';
  expect((await fetch(`${operatorConsole.url}/healthz`)).status).toBe(200);
  expect((await fetch(`${operatorConsole.url}/api/runs/${runId}`)).status).toBe(401);
  expect((await fetch(`${operatorConsole.url}/no-such-page-${runId}`)).status).toBe(404);
  const unsigned = await fetch(`${gateway.url}/events/hr.employee-hired`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: runId, data: {} }),
  });
  expect(unsigned.status).toBe(401);

  const count = `${HTTP_METRICS.requestDuration}_count`;
  const consoleSamples = await scrape(consoleMetrics);
  expect(total(consoleSamples, count, { app: 'console', route: '/healthz', method: 'GET', status: '200' })).toBe(1);
  expect(total(consoleSamples, count, { app: 'console', route: '/api/runs/:id', method: 'GET', status: '401' })).toBe(1);
  expect(total(consoleSamples, count, { app: 'console', route: 'other', status: '404' })).toBe(1);
  const gatewaySamples = await scrape(gatewayMetrics);
  expect(total(gatewaySamples, count, { app: 'gateway', route: '/events/:type', method: 'POST', status: '401' })).toBe(1);
  // The histogram's buckets are there for latency quantiles; Node's own process metrics too.
  expect(gatewaySamples.some((s) => s.name === `${HTTP_METRICS.requestDuration}_bucket` && s.labels.le === '+Inf')).toBe(true);
  expect(gatewaySamples.some((s) => s.name === 'process_resident_memory_bytes')).toBe(true);

  for (const s of [...consoleSamples, ...gatewaySamples])
    for (const value of Object.values(s.labels)) expect([s.name, value]).not.toEqual([s.name, expect.stringContaining('E12345')]);
});
