/**
 * A worker's guard of its downstream systems: the shared health store, and the channel each system's alerts go by —
 * never the failing system itself (email down: the team chat; chat down: an email to the escalation contacts).
 */
import type { Transporter } from 'nodemailer';
import { postToTeamOnce } from './chat';
import { sendEmailOnce } from './mail';
import { SystemGuard } from './system-guard';
import type { OvertureConfig } from '../../src/config/platform';
import type { DeliveryLedger } from '../../src/stores/delivery-ledger/sqlite-ledger';
import { openSystemHealth } from '../../src/stores/open';
import type { SystemHealthRecords } from '../../src/stores/system-health/sqlite-health';

/** A worker's guard, the health store behind it, and how to release the store. */
export interface SystemGuardConnection {
  store: SystemHealthRecords;
  guard: SystemGuard;
  close(): Promise<void>;
}

/** The guard a worker passes to its email and chat activities; `close` releases the health store. */
export async function connectSystemGuard(
  config: OvertureConfig,
  shared: { transport: Transporter; ledger: DeliveryLedger },
): Promise<SystemGuardConnection> {
  // PostgreSQL at SYSTEMS_URL (every host's alerts and pauses in one place), else this host's systems.db.
  const store = await openSystemHealth(config);
  // The alerts' own sends are not guarded: they must not wait on a pause or count in the health of their channel.
  const guard = new SystemGuard({
    store,
    alertAfterMs: config.OUTAGE_ALERT_AFTER_MS,
    alertBy: {
      email: async (key, _subject, text) => {
        await postToTeamOnce({ webhookUrl: config.webhookUrl, ledger: shared.ledger }, key, `:warning: ${text}`);
      },
      chat: async (key, subject, text) => {
        await sendEmailOnce(
          { transport: shared.transport, from: config.MAIL_FROM, ledger: shared.ledger },
          key,
          config.ESCALATION_CONTACTS.join(', '),
          subject,
          text,
        );
      },
    },
  });
  return { store, guard, close: async () => store.close() };
}
