/**
 * Exactly once under overlap: the welcome email's first attempt outlives its start-to-close timeout on a live
 * worker (a slow mail relay holds its greeting), so Temporal retries it while that attempt is still sending. The
 * retry finds the key claimed in the delivery ledger and waits (or fails transiently) instead of sending again;
 * once the first send lands, a retry finds its receipt and the step completes. One email arrives.
 */
import { getRunStatus, startOnboarding } from '../../src/client';
import { DeliveryLedger } from '../../src/delivery-ledger';
import type { ProcessOptions, StepPolicy } from '../../workflows/kit/types';
import { fastOptions, newHire, startTestStack, type TestStack } from '../helpers/test-stack';

let stack: TestStack;
let ledger: DeliveryLedger;
// A stack (and worker) per case: the worker's pooled SMTP connections, once greeted, would skip the slow greeting.
beforeEach(async () => {
  stack = await startTestStack();
  ledger = new DeliveryLedger(stack.config.ledgerDbPath);
});
afterEach(async () => {
  ledger?.close();
  await stack?.stop();
});

const GREETING_DELAY_MS = 4_000;
const START_TO_CLOSE_MS = 2_000;

/** The welcome email times out after 2 s, a relay greets after 4 s: every attempt overlaps the previous one. */
function overlapping(runAs: 'activity' | 'local') {
  const tune = fastOptions();
  return <O extends ProcessOptions>(options: O): O => {
    const tuned = tune(options);
    const policy: StepPolicy = {
      ...tuned.policies.sendWelcomeEmail!,
      startToCloseTimeoutMs: START_TO_CLOSE_MS,
      initialIntervalMs: 200,
      maximumIntervalMs: 500,
      maximumAttempts: 20,
      runAs,
      ...(runAs === 'activity' ? { heartbeatTimeoutMs: 1_500 } : {}),
    };
    tuned.policies.sendWelcomeEmail = policy;
    return tuned;
  };
}

describe.each(['activity', 'local'] as const)('sendWelcomeEmail as a %s that outlives its timeout', (runAs) => {
  it('sends one email, and the step completes', async () => {
    stack.mail.delayGreeting(GREETING_DELAY_MS);
    const hire = newHire();
    const started = await startOnboarding(stack.client, stack.config, hire, { tuneOptions: overlapping(runAs) });
    const result = await started.handle.result();
    expect(result.state).toBe('completed');

    const status = await getRunStatus(stack.client, started.workflowId);
    const welcome = status.steps.find((s) => s.step === 'sendWelcomeEmail')!;
    expect(welcome.state).toBe('completed');
    // The first attempt was timed out while it was sending: the step needed retries.
    expect(welcome.attempts).toBeGreaterThanOrEqual(2);

    // Any attempt that had started a second send would land within another greeting delay.
    await new Promise((r) => setTimeout(r, GREETING_DELAY_MS + START_TO_CLOSE_MS));
    const mails = stack.mail.messages().filter((m) => m.to.includes(hire.email));
    expect(mails).toHaveLength(1);
    const key = `${started.workflowId}/${status.execution.runId}/sendWelcomeEmail`;
    expect(ledger.count('email', key)).toBe(1);
    expect(ledger.claimOf(key, 'email')).toBeUndefined();
  }, 90_000);
});
