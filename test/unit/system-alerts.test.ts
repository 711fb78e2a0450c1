/**
 * Where a worker's outage alerts go, against a real SMTP receiver, webhook receiver and delivery ledger: never
 * through the failing system (email down → team chat; chat down → email to the escalation contacts), once each.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { loadConfig } from '../../src/config';
import { SqliteDeliveryLedger } from '../../src/stores/delivery-ledger/sqlite-ledger';
import { startMailReceiver, type MailReceiver } from '../../src/tools/dev-stack/mail-receiver';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/tools/dev-stack/webhook-receiver';
import { TransientError } from '../../activities/kit/errors';
import { connectSystemGuard, type SystemGuardConnection } from '../../activities/kit/worker-guard';

let dir: string;
let mail: MailReceiver;
let webhooks: WebhookReceiver;
let ledger: SqliteDeliveryLedger;
let transport: Transporter;
let systems: SystemGuardConnection;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alerts-'));
  mail = await startMailReceiver();
  webhooks = await startWebhookReceiver();
  const config = loadConfig({
    OVERTURE_DATA_DIR: dir,
    SMTP_URL: mail.url,
    NOTIFY_WEBHOOK_URL: webhooks.url,
    OUTAGE_ALERT_AFTER_MS: '0',
    ESCALATION_CONTACTS: 'oncall@it.example.com,lead@it.example.com',
  });
  ledger = new SqliteDeliveryLedger(config.ledgerDbPath);
  transport = nodemailer.createTransport(mail.url);
  systems = await connectSystemGuard(config, { transport, ledger });
});
afterEach(async () => {
  await systems.close();
  transport.close();
  ledger.close();
  await mail.stop();
  await webhooks.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const down = (what: string) => () => Promise.reject(new TransientError(`${what} unreachable`));
const texts = () => webhooks.received().map((w) => String((w.body as { text: string }).text));

it('reports an email outage to the team chat, once, and its recovery there', async () => {
  for (let i = 0; i < 3; i++) await expect(systems.guard.run('email', down('relay'))).rejects.toThrow('relay unreachable');
  expect(texts()).toHaveLength(1);
  expect(texts()[0]).toMatch(/^:warning: \[Overture\] email is degraded: every send has failed for \d+ s \(1 failed attempts/);
  expect(mail.messages()).toEqual([]);
  await systems.guard.run('email', async () => 'sent');
  expect(texts()).toHaveLength(2);
  expect(texts()[1]).toContain('email has recovered');
});

it('reports a chat outage by email to the escalation contacts, once, and its recovery the same way', async () => {
  for (let i = 0; i < 3; i++) await expect(systems.guard.run('chat', down('webhook'))).rejects.toThrow('webhook unreachable');
  expect(webhooks.received()).toEqual([]);
  expect(mail.messages().map((m) => [m.to.sort(), m.subject])).toEqual([
    [['lead@it.example.com', 'oncall@it.example.com'], '[Overture] chat is degraded'],
  ]);
  await systems.guard.run('chat', async () => 'posted');
  expect(mail.messages().map((m) => m.subject)).toEqual(['[Overture] chat is degraded', '[Overture] chat has recovered']);
});

it('tries the alert again on the next failure when it could not be delivered', async () => {
  webhooks.respondWith(503);
  await expect(systems.guard.run('email', down('relay'))).rejects.toThrow();
  expect((await systems.store.currentOutage('email'))?.alertedAt).toBeUndefined();
  webhooks.respondWith(undefined);
  await expect(systems.guard.run('email', down('relay'))).rejects.toThrow();
  expect(texts().filter((t) => t.includes('email is degraded'))).toHaveLength(1);
  expect((await systems.store.currentOutage('email'))?.alertedAt).toBeDefined();
});
