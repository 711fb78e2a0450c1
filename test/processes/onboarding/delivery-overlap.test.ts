/**
 * Exactly once under overlap: the welcome email's first attempt outlives its start-to-close timeout on a live
 * worker (a slow mail relay holds its greeting), so Temporal retries it while that attempt is still sending. The
 * retry finds the key claimed in the delivery ledger and waits (or fails transiently) instead of sending again;
 * once the first send lands, a retry finds its receipt and the step completes. One email arrives.
 */
import { getRunStatus } from '../../../src/client';
import { SqliteDeliveryLedger } from '../../../src/stores/delivery-ledger/sqlite-ledger';
import { GREETING_DELAY_MS, overlappingWelcome, START_TO_CLOSE_MS } from '../../helpers/overlap';
import { startTestStack, type TestStack } from '../../helpers/test-stack';
import { newHire, startOnboarding } from './helpers';

let stack: TestStack;
let ledger: SqliteDeliveryLedger;
// A stack (and worker) per case: the worker's pooled SMTP connections, once greeted, would skip the slow greeting.
beforeEach(async () => {
  stack = await startTestStack();
  ledger = new SqliteDeliveryLedger(stack.config.ledgerDbPath);
});
afterEach(async () => {
  ledger?.close();
  await stack?.stop();
});

describe.each(['activity', 'local'] as const)('sendWelcomeEmail as a %s that outlives its timeout', (runAs) => {
  it('sends one email, and the step completes', async () => {
    stack.mail.delayGreeting(GREETING_DELAY_MS);
    const hire = newHire();
    const started = await startOnboarding(stack.client, stack.config, hire, { tuneOptions: overlappingWelcome(runAs) });
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
