/**
 * Deliveries made by activity attempts (activities/delivery-attempt.ts), against a real SMTP receiver and a real
 * ledger file: a regular activity heartbeats while it sends, a local one cannot; the claim outlives the attempt's
 * start-to-close timeout; an attempt that meets another attempt's live claim waits, then fails transiently.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { DefaultLogger } from '@temporalio/worker';
import { sendEmailOnce } from '../../activities/kit/mail';
import { CLAIM_MARGIN_MS } from '../../activities/kit/delivery-attempt';
import { SqliteDeliveryLedger } from '../../src/stores/delivery-ledger/sqlite-ledger';
import { startMailReceiver, type MailReceiver } from '../../src/tools/dev-stack/mail-receiver';
import { TransientError } from '../../activities/kit/errors';
import { ActivityEnv } from '../helpers/activity-env';

let dir: string;
let ledger: SqliteDeliveryLedger;
let mail: MailReceiver;
let transport: Transporter;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'overture-delivery-attempt-'));
  ledger = new SqliteDeliveryLedger(path.join(dir, 'overture.db'));
  mail = await startMailReceiver();
  transport = nodemailer.createTransport(mail.url);
});
afterAll(async () => {
  transport.close();
  await mail.stop();
  ledger.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => mail.delayGreeting(0));

function attempt(opts: { attempt?: number; startToCloseTimeoutMs: number; isLocal?: boolean }) {
  const env = new ActivityEnv(
    {
      workflowExecution: { workflowId: 'wf-overlap', runId: 'run-1' },
      activityType: 'sendWelcomeEmail',
      attempt: opts.attempt ?? 1,
      startToCloseTimeoutMs: opts.startToCloseTimeoutMs,
      isLocal: opts.isLocal ?? false,
    },
    { logger: new DefaultLogger('ERROR') },
  );
  let heartbeats = 0;
  env.on('heartbeat', () => (heartbeats += 1));
  const send = (key: string, to: string) =>
    env.runActivity(async () => sendEmailOnce({ transport, from: 'overture@example.com', ledger }, key, to, 'Welcome', 'Hello'));
  return { send, heartbeats: () => heartbeats };
}

it('a regular activity heartbeats while it sends, and claims for its start-to-close timeout plus a margin', async () => {
  mail.delayGreeting(2_200);
  const key = 'wf-overlap/run-1/regular';
  const first = attempt({ startToCloseTimeoutMs: 4_000 });
  const sending = first.send(key, 'regular@example.com');
  await new Promise((r) => setTimeout(r, 200));
  const claim = ledger.claimOf(key, 'email');
  expect(claim?.holder).toBe(`wf-overlap sendWelcomeEmail attempt 1 (pid ${process.pid})`);
  expect(claim!.expiresAt - claim!.claimedAt).toBe(4_000 + CLAIM_MARGIN_MS);

  await expect(sending).resolves.toMatchObject({ alreadyDelivered: false });
  // One before the send and one a second for the 2.2 s the relay held it.
  expect(first.heartbeats()).toBeGreaterThanOrEqual(3);
  expect(ledger.claimOf(key, 'email')).toBeUndefined();
});

it('a local activity cannot heartbeat: it sends without', async () => {
  const local = attempt({ startToCloseTimeoutMs: 4_000, isLocal: true });
  await expect(local.send('wf-overlap/run-1/local', 'local@example.com')).resolves.toMatchObject({ alreadyDelivered: false });
  expect(local.heartbeats()).toBe(0);
});

it('the retry of an attempt still sending waits half its own timeout, then fails transiently; one email arrives', async () => {
  mail.delayGreeting(2_500);
  const key = 'wf-overlap/run-1/overlap';
  const first = attempt({ startToCloseTimeoutMs: 10_000 });
  const sending = first.send(key, 'overlap@example.com');
  await new Promise((r) => setTimeout(r, 200));

  const retry = attempt({ attempt: 2, startToCloseTimeoutMs: 1_000 });
  const started = Date.now();
  const overlapping = retry.send(key, 'overlap@example.com');
  await expect(overlapping).rejects.toThrow(TransientError);
  await expect(overlapping).rejects.toThrow(/is being sent by another attempt \(wf-overlap sendWelcomeEmail attempt 1 \(pid \d+\) on /);
  expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  expect(retry.heartbeats()).toBeGreaterThanOrEqual(1);

  await expect(sending).resolves.toMatchObject({ alreadyDelivered: false });
  const third = attempt({ attempt: 3, startToCloseTimeoutMs: 1_000 });
  await expect(third.send(key, 'overlap@example.com')).resolves.toMatchObject({ alreadyDelivered: true });
  expect(mail.messages().filter((m) => m.to.includes('overlap@example.com'))).toHaveLength(1);
});
