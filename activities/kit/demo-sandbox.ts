/**
 * The console demo's own systems, all in memory: a directory, a delivery ledger and a health store in SQLite's
 * memory, an outbox that keeps each email instead of relaying it, and a team channel that keeps each post instead of
 * calling the webhook. Anyone signed in may run the demo as often as the console lets them, so nothing of it may
 * reach the relay, the team's channel or the directory people use: the demo's script and its Overture run (on the
 * demo's task queue, served by the worker's demo part) both use a sandbox, never the configured systems.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { OvertureConfig } from '../../src/config/platform';
import { SqliteDeliveryLedger } from '../../src/stores/delivery-ledger/sqlite-ledger';
import { SqliteDirectory } from '../../src/stores/directory/sqlite-directory';
import { SystemHealthStore } from '../../src/stores/system-health/sqlite-health';
import type { SharedSystems } from './shared-systems';
import { SystemGuard } from './system-guard';

/** What the sandbox was sent: every email and every team post, in order. */
export interface DemoOutbox {
  emails: Array<{ to: string; subject: string }>;
  posts: Array<{ text: string }>;
}

/** A sandbox: the systems a worker shares, bound to memory, what they were sent, and close. */
export interface DemoSandbox {
  systems: SharedSystems;
  outbox: DemoOutbox;
  /** The team channel's fetch (the chat of `systems` posts through it): keeps the post, answers 200. */
  channel: typeof fetch;
  close(): Promise<void>;
}

/** Where nothing is reachable: `.invalid` never resolves, so a path that still read these would fail, not send. */
const NOWHERE_SMTP = 'smtp://outbox.demo.invalid';
const NOWHERE_WEBHOOK = 'http://channel.demo.invalid/hooks/team';

/** The task queue of the demo's Overture runs: only the worker's demo part, on its sandbox, polls it. */
export function demoTaskQueue(config: Pick<OvertureConfig, 'TEMPORAL_TASK_QUEUE'>): string {
  return `${config.TEMPORAL_TASK_QUEUE}-demo`;
}

/** The configuration a sandbox runs with: the demo's task queue, and every store and outlet in memory or nowhere. */
export function demoConfig(config: OvertureConfig): OvertureConfig {
  return {
    ...config,
    TEMPORAL_TASK_QUEUE: demoTaskQueue(config),
    LEDGER_URL: undefined,
    DIRECTORY_URL: undefined,
    SYSTEMS_URL: undefined,
    SMTP_URL: undefined,
    NOTIFY_WEBHOOK_URL: undefined,
    ledgerDbPath: ':memory:',
    directoryDbPath: ':memory:',
    systemsDbPath: ':memory:',
    smtpUrl: NOWHERE_SMTP,
    webhookUrl: NOWHERE_WEBHOOK,
  };
}

/** A nodemailer transport that keeps each message in the outbox (nodemailer's custom transport interface). */
function outboxTransport(outbox: DemoOutbox): Transporter {
  return nodemailer.createTransport({
    name: 'overture-demo-outbox',
    version: '1',
    send(mail, callback) {
      const envelope = mail.message.getEnvelope();
      outbox.emails.push({ to: envelope.to.join(', '), subject: typeof mail.data.subject === 'string' ? mail.data.subject : '' });
      callback(null, { envelope, messageId: mail.message.messageId() });
    },
  });
}

/** The team channel's fetch: keeps the post and answers 200, as a webhook that accepted it would. */
function channelFetch(outbox: DemoOutbox): typeof fetch {
  return async (_url, init) => {
    // The chat activities send one JSON string: `{ text }`.
    const body = JSON.parse(typeof init?.body === 'string' ? init.body : '{}') as { text?: unknown };
    outbox.posts.push({ text: typeof body.text === 'string' ? body.text : '' });
    return new Response('ok', { status: 200 });
  };
}

/** Opens a sandbox: its stores live as long as it does, and what it was sent is in `outbox`. */
export function openDemoSandbox(config: OvertureConfig): DemoSandbox {
  const sandboxed = demoConfig(config);
  const outbox: DemoOutbox = { emails: [], posts: [] };
  const ledger = new SqliteDeliveryLedger(':memory:');
  const directory = new SqliteDirectory(':memory:', config.WORKSPACE_BASE_URL);
  const health = new SystemHealthStore(':memory:');
  const transport = outboxTransport(outbox);
  const channel = channelFetch(outbox);
  // Neither outlet can fail, so there is no outage to alert about: no alert channel.
  const guard = new SystemGuard({ store: health, alertAfterMs: config.OUTAGE_ALERT_AFTER_MS, alertBy: {} });
  return {
    systems: {
      config: sandboxed,
      ledger,
      directory,
      mail: { transport, from: config.MAIL_FROM, ledger, consoleUrl: config.consoleUrl, guard },
      chat: { webhookUrl: NOWHERE_WEBHOOK, ledger, consoleUrl: config.consoleUrl, guard, fetch: channel },
      guard,
    },
    outbox,
    channel,
    async close() {
      transport.close();
      ledger.close();
      directory.close();
      health.close();
    },
  };
}
