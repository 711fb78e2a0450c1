/**
 * The systems a worker offers every process: the delivery ledger (each email and post sent once), the directory,
 * email through one pooled SMTP transport, the team chat, and the guard of both (pauses, outage alerts). Built once
 * per worker from configuration; each process's worker part binds its activities to them (./process-worker.ts).
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { OvertureConfig } from '../../src/config/platform';
import { noticeLinksFor } from '../../src/approval-links';
import type { DeliveryLedger } from '../../src/stores/delivery-ledger/sqlite-ledger';
import type { DirectoryProvider } from '../../src/stores/directory/directory';
import { openDeliveryLedger, openDirectory } from '../../src/stores/open';
import type { ChatDependencies } from './chat';
import type { EmailDependencies } from './mail';
import type { SystemGuard } from './system-guard';
import { connectSystemGuard } from './worker-guard';

export interface SharedSystems {
  config: OvertureConfig;
  /** Remembers each email and post sent (and claims it while it is being sent): what is sent once stays sent once. */
  ledger: DeliveryLedger;
  /** Accounts, permissions and workspaces (SQLite by default, PostgreSQL at DIRECTORY_URL). */
  directory: DirectoryProvider;
  /** Email: the SMTP transport, sender, ledger and guard; notices also link to this worker's console. */
  mail: EmailDependencies;
  /** The team chat's webhook, ledger and guard. */
  chat: ChatDependencies;
  /** Pauses and health reports of email and chat, shared with the other workers. */
  guard: SystemGuard;
}

/** The SMTP URL with nodemailer's connection pool switched on (kept if the URL says otherwise). */
function pooled(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
  return url.toString();
}

/** Opens the shared systems; `close` releases them (PostgreSQL pools end once their connections in use are back). */
export async function connectSharedSystems(config: OvertureConfig): Promise<SharedSystems & { close(): Promise<void> }> {
  // PostgreSQL when LEDGER_URL / DIRECTORY_URL is set (shared by every host, migrated here), else this host's SQLite files.
  const ledger = await openDeliveryLedger(config);
  const directory = await openDirectory(config).catch(async (err: unknown) => {
    await ledger.close();
    throw err;
  });
  // A pooled transport keeps its SMTP connections open between messages: the greeting and EHLO exchange were
  // most of a welcome email's ~110 ms against the local relay.
  const transport: Transporter = nodemailer.createTransport(pooled(config.smtpUrl));
  // Pauses, outage alerts and recovery notes of email and chat, shared with the other workers (src/stores/system-health).
  // On PostgreSQL at SYSTEMS_URL (migrated here) one outage alerts once and a pause holds every host.
  const systemGuard = await connectSystemGuard(config, { transport, ledger }).catch(async (err: unknown) => {
    transport.close();
    await Promise.all([ledger.close(), directory.close()]);
    throw err;
  });
  const { guard } = systemGuard;
  return {
    config,
    ledger,
    directory,
    // Notices link to this worker's console, whatever the config of the client that started the run.
    mail: { transport, from: config.MAIL_FROM, ledger, consoleUrl: config.consoleUrl, noticeLinks: noticeLinksFor(config), guard },
    chat: { webhookUrl: config.webhookUrl, ledger, consoleUrl: config.consoleUrl, guard },
    guard,
    close: async () => {
      transport.close();
      await Promise.all([ledger.close(), directory.close(), systemGuard.close()]);
    },
  };
}
