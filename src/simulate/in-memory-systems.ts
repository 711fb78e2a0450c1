/**
 * The systems a simulation's activities talk to, none of them real: an SMTP receiver and a webhook receiver that keep
 * what they get in memory (on 127.0.0.1, for this simulation only), and every store (delivery ledger, directory,
 * health, general ledger, warehouse, CRM, site) as SQLite files in a temporary folder removed afterwards. The activities
 * are the worker's own, built by the same code from a configuration that points at these, so a simulated step does what
 * a real one does. Sources are read where configuration says (the data inbox, the bank statements, the rates, the
 * link checker's allowed hosts): reading them changes nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadConfig, type OvertureConfig } from '../config';
import { startMailReceiver, type MailReceiver } from '../tools/dev-stack/mail-receiver';
import { startWebhookReceiver, type WebhookReceiver } from '../tools/dev-stack/webhook-receiver';
import { connectSystems } from '../../workers/overture-worker';

/** The simulation's systems: its configuration, the activities bound to them, what was sent, and close. */
export interface SimulationSystems {
  config: OvertureConfig;
  activities: Record<string, unknown>;
  /** Every email the run "sent" (kept in memory, never relayed). */
  mail: MailReceiver;
  /** Every chat and social post the run "made". */
  webhooks: WebhookReceiver;
  close(): Promise<void>;
}

/** Variables that name where something is written or sent: a simulation points all of them at its own. */
const WRITES = /(_URL|_DB_PATH|_DIR|_FILE)$|^(OTEL_|TEMPORAL_|METRICS_|OVERTURE_CODEC|OVERTURE_TOKEN)/;

/** Sources a simulation reads where configuration says (folders only when they exist: it creates none). */
const READ_ONLY_SOURCES = ['BANK_STATEMENTS_DIR', 'PIPELINE_INBOX_DIR'];

/** The environment of a simulation: the configured one with every outlet and store moved into `dir` and the receivers. */
export function simulationEnv(
  base: NodeJS.ProcessEnv,
  dir: string,
  outlets: { smtpUrl: string; webhookBaseUrl: string; taskQueue: string; address: string },
): NodeJS.ProcessEnv {
  const kept = Object.fromEntries(Object.entries(base).filter(([name]) => !WRITES.test(name)));
  const sources = Object.fromEntries(
    READ_ONLY_SOURCES.flatMap((name) => {
      const value = base[name];
      return value && fs.existsSync(value) ? [[name, value]] : [];
    }),
  );
  // The inbox the stack's own data directory holds, when configuration names none: that is where files are dropped.
  const dataInbox = path.resolve(base.OVERTURE_DATA_DIR ?? '.data', 'inbox');
  if (!sources.PIPELINE_INBOX_DIR && fs.existsSync(dataInbox)) sources.PIPELINE_INBOX_DIR = dataInbox;
  return {
    ...kept,
    ...sources,
    OVERTURE_DATA_DIR: dir,
    TEMPORAL_ADDRESS: outlets.address,
    TEMPORAL_TASK_QUEUE: outlets.taskQueue,
    // Nothing leaves the process: payloads stay in the private test server's memory, which dies with the simulation.
    OVERTURE_PAYLOAD_ENCRYPTION: 'off',
    SMTP_URL: outlets.smtpUrl,
    NOTIFY_WEBHOOK_URL: `${outlets.webhookBaseUrl}/hooks/team`,
    SOCIAL_WEBHOOK_URL: `${outlets.webhookBaseUrl}/hooks/social`,
  };
}

/** Opens the simulation's systems for a run on `address`, task queue of its own; `close` removes every trace. */
export async function openSimulationSystems(base: OvertureConfig, address: string): Promise<SimulationSystems> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'overture-simulate-'));
  const mail = await startMailReceiver({ port: 0, host: '127.0.0.1' });
  const webhooks = await startWebhookReceiver({ port: 0, host: '127.0.0.1' }).catch(async (err: unknown) => {
    await mail.stop();
    throw err;
  });
  const release = async () => {
    await Promise.all([mail.stop(), webhooks.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const env = simulationEnv(base.env, dir, {
      smtpUrl: mail.url,
      webhookBaseUrl: webhooks.baseUrl,
      taskQueue: `simulate-${randomUUID()}`,
      address,
    });
    const config = loadConfig(env);
    const systems = await connectSystems(config);
    return {
      config,
      activities: systems.activities,
      mail,
      webhooks,
      async close() {
        await systems.close();
        await release();
      },
    };
  } catch (err) {
    await release();
    throw err;
  }
}
