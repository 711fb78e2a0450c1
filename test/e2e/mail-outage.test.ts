/**
 * The mail relay down for minutes during many onboardings (issue 10): the welcome emails wait within their time
 * budget instead of escalating, the operators get ONE "email degraded" alert and ONE recovery note in the team
 * chat (the channel that does not depend on the relay), and after the relay comes back every run completes
 * with each email delivered exactly once.
 *
 * The full test: 100 onboardings, 5 minutes down (about 7 minutes in all). OVERTURE_TEST_OUTAGE_MS and
 * OVERTURE_TEST_OUTAGE_RUNS shorten it while developing.
 */
import { getRunStatus } from '../../src/client';
import { eventually, startTestStack, type TestStack } from '../helpers/test-stack';
import type { NewHire } from '../../workflows/onboarding/types';
import { newHire, startOnboarding } from '../processes/onboarding/helpers';

const OUTAGE_MS = Number(process.env.OVERTURE_TEST_OUTAGE_MS ?? 5 * 60_000);
const RUNS = Number(process.env.OVERTURE_TEST_OUTAGE_RUNS ?? 100);
/** The longest wait between two tries of a welcome email: the runs go on within this after the relay is back. */
const MAX_INTERVAL_MS = 20_000;
const ALERT_AFTER_MS = 60_000;

jest.setTimeout(OUTAGE_MS + 6 * 60_000);

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({
    // A realistic budget (30 min, far beyond the outage), waits bounded so the runs resume soon after recovery.
    RETRY_BUDGET_EMAIL_MS: String(30 * 60_000),
    RETRY_MAX_INTERVAL_MS: String(MAX_INTERVAL_MS),
    OUTAGE_ALERT_AFTER_MS: String(ALERT_AFTER_MS),
  });
});
afterAll(async () => stack.stop());

const texts = () => stack.webhooks.received().map((w) => String((w.body as { text?: string }).text ?? ''));

it(`keeps ${RUNS} onboardings waiting through a ${OUTAGE_MS / 1000} s relay outage: no escalation, one alert, each email once`, async () => {
  await stack.stopMail();
  const hires: NewHire[] = Array.from({ length: RUNS }, () => newHire());
  const runs: string[] = [];
  for (let i = 0; i < hires.length; i += 20) {
    const batch = await Promise.all(hires.slice(i, i + 20).map((hire) => startOnboarding(stack.client, stack.config, hire)));
    runs.push(...batch.map((r) => r.workflowId));
  }
  const downSince = Date.now();

  // Once the relay has been failing for the alert delay, the team chat hears about it, once.
  await eventually(() => texts().some((t) => t.includes('email is degraded')), ALERT_AFTER_MS + 60_000, 'the degraded alert');
  await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - downSince))));

  // Still down at the end of the outage: nobody was asked anything, and nothing was sent.
  const sample = await Promise.all(runs.slice(0, 10).map((id) => getRunStatus(stack.client, id)));
  for (const status of sample) {
    expect(status.questions.filter((q) => q.kind === 'escalation')).toEqual([]);
    expect(status.state).toBe('running');
  }
  expect(texts().filter((t) => t.includes('email is degraded'))).toHaveLength(1);

  await stack.restartMail();
  const up = Date.now();
  const results = await Promise.all(runs.map((id) => stack.client.workflow.getHandle(id).result()));
  const recoveredWithinMs = Date.now() - up;
  expect(results.map((r: { state?: string }) => r.state)).toEqual(runs.map(() => 'completed'));
  // Every run tried again within its longest wait (plus time to send 100 emails on 2 shared cores).
  expect(recoveredWithinMs).toBeLessThan(MAX_INTERVAL_MS + 60_000);

  // No escalation in any run, and no step failed for good.
  const statuses = await Promise.all(runs.map((id) => getRunStatus(stack.client, id)));
  for (const status of statuses) {
    expect(status.questions.filter((q) => q.kind === 'escalation')).toEqual([]);
    expect(status.steps.find((s) => s.step === 'sendWelcomeEmail')).toMatchObject({ state: 'completed', path: 'primary' });
  }
  const attempts = statuses.map((s) => s.steps.find((x) => x.step === 'sendWelcomeEmail')!.attempts);
  expect(Math.min(...attempts)).toBeGreaterThan(1); // they did fail meanwhile, and were retried

  // Each hire got exactly one welcome email, and no message went twice to anyone.
  const mails = stack.mail.messages();
  for (const hire of hires) expect(mails.filter((m) => m.to.includes(hire.email) && m.subject.startsWith('Welcome')).length).toBe(1);
  const perRecipientAndKind = new Map<string, number>();
  for (const m of mails)
    for (const to of m.to) perRecipientAndKind.set(`${to} ${m.subject}`, (perRecipientAndKind.get(`${to} ${m.subject}`) ?? 0) + 1);
  expect([...perRecipientAndKind.values()].filter((n) => n > 1)).toEqual([]);

  // One alert and one recovery note in the team chat, naming the system and no hire.
  await eventually(() => texts().some((t) => t.includes('email has recovered')), 30_000, 'the recovery note');
  const alerts = texts().filter((t) => t.includes('email is degraded'));
  const recoveries = texts().filter((t) => t.includes('email has recovered'));
  expect(alerts).toHaveLength(1);
  expect(recoveries).toHaveLength(1);
  expect(recoveries[0]).toMatch(/recovered after \d+ min \d+ s: \d+ attempts failed meanwhile/);
  for (const text of [...alerts, ...recoveries]) {
    for (const hire of hires.slice(0, 5)) {
      expect(text).not.toContain(hire.employeeId);
      expect(text).not.toContain(hire.email);
    }
    expect(text).not.toContain('Katherine');
  }
  // The team announcements (chat was up) went as usual: one per run.
  expect(texts().filter((t) => t.startsWith(':wave:'))).toHaveLength(RUNS);
});
