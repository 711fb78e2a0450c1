/**
 * The stores that configuration chose (the delivery ledger, the directory, the systems' health; the operators, the
 * used approval links, the event receipts): on PostgreSQL when LEDGER_URL / DIRECTORY_URL / SYSTEMS_URL /
 * OPERATORS_URL / APPROVAL_LINKS_URL / EVENT_RECEIPTS_URL is set (shared by every host, migrated on open), else the SQLite files of
 * this host (LEDGER_DB_PATH, DIRECTORY_DB_PATH, or their defaults in the data directory; systems.db there).
 * The PostgreSQL stores (and `pg`) are imported only when a URL asks for them: a worker on the SQLite default never
 * loads them (~16 MB and ~0.2 s of start-up). `require`, not `import()`: a worker run through tsx's CommonJS hook
 * (`npm run worker`) resolves a dynamic import with Node's ESM loader, which cannot find an extensionless `.ts` file.
 */
import type { OvertureConfig } from '../config/platform';
import { SqliteDeliveryLedger, type DeliveryLedger } from './delivery-ledger/sqlite-ledger';
import type { DirectoryInventory, DirectoryProvider } from './directory/directory';
import { SqliteDirectory } from './directory/sqlite-directory';
import { redactUrl } from '../config/redact-url';
import type * as PostgresLedgerModule from './delivery-ledger/postgres-ledger';
import type * as PostgresDirectoryModule from './directory/postgres-directory';
import type * as PostgresHealthModule from './system-health/postgres-health';
import { SystemHealthStore, type SystemHealthRecords } from './system-health/sqlite-health';
import { OperatorStore, operatorsDbPath, type OperatorRecords } from './operators/store';
import { UsedLinks, type UsedLinkRecords } from './approval-links/used-links';
import { EventReceipts, type EventReceiptRecords } from './event-receipts/sqlite-receipts';
import type * as PostgresOperatorsModule from './operators/postgres-operators';
import type * as PostgresUsedLinksModule from './approval-links/postgres-used-links';
import type * as PostgresReceiptsModule from './event-receipts/postgres-receipts';

/** A directory as the worker and the console hold it: the provider, what one employee has, and close. */
export interface DirectoryStore extends DirectoryProvider {
  inventory(employeeId: string): DirectoryInventory | Promise<DirectoryInventory>;
  close(): void | Promise<void>;
}

type StoreConfig = Pick<OvertureConfig, 'LEDGER_URL' | 'DIRECTORY_URL' | 'ledgerDbPath' | 'directoryDbPath' | 'WORKSPACE_BASE_URL'>;
type SystemsConfig = Pick<OvertureConfig, 'SYSTEMS_URL' | 'systemsDbPath'>;

/** The configured delivery ledger: PostgreSQL at LEDGER_URL (migrated first), else the SQLite file. */
export async function openDeliveryLedger(config: StoreConfig, log?: (line: string) => void): Promise<DeliveryLedger> {
  if (!config.LEDGER_URL) return new SqliteDeliveryLedger(config.ledgerDbPath);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PostgresDeliveryLedger } = require('./delivery-ledger/postgres-ledger') as typeof PostgresLedgerModule;
  return PostgresDeliveryLedger.open(config.LEDGER_URL, { log });
}

/** The configured directory: PostgreSQL at DIRECTORY_URL (migrated first), else the SQLite file. */
export async function openDirectory(config: StoreConfig, log?: (line: string) => void): Promise<DirectoryStore> {
  if (!config.DIRECTORY_URL) return new SqliteDirectory(config.directoryDbPath, config.WORKSPACE_BASE_URL);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PostgresDirectory } = require('./directory/postgres-directory') as typeof PostgresDirectoryModule;
  return PostgresDirectory.open(config.DIRECTORY_URL, config.WORKSPACE_BASE_URL, { log });
}

/** The configured systems' health and pauses: PostgreSQL at SYSTEMS_URL (migrated first), else this host's systems.db. */
export async function openSystemHealth(config: SystemsConfig, log?: (line: string) => void): Promise<SystemHealthRecords> {
  if (!config.SYSTEMS_URL) return new SystemHealthStore(config.systemsDbPath);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PostgresSystemHealthStore } = require('./system-health/postgres-health') as typeof PostgresHealthModule;
  return PostgresSystemHealthStore.open(config.SYSTEMS_URL, { log });
}

/** Where the ledger, the directory and the systems' records are, for a worker's start-up line (passwords redacted). */
export function describeStores(config: StoreConfig & SystemsConfig): string {
  const where = (url: string | undefined, file: string) => (url ? `PostgreSQL ${redactUrl(url)}` : `SQLite ${file}`);
  return (
    `ledger on ${where(config.LEDGER_URL, config.ledgerDbPath)}, directory on ${where(config.DIRECTORY_URL, config.directoryDbPath)}, ` +
    `system health and pauses on ${where(config.SYSTEMS_URL, config.systemsDbPath)}`
  );
}

/** The configured operators: PostgreSQL at OPERATORS_URL (migrated first), else `<data dir>/operators.db`. */
export async function openOperators(
  config: Pick<OvertureConfig, 'OPERATORS_URL' | 'OVERTURE_DATA_DIR'>,
  log?: (line: string) => void,
): Promise<OperatorRecords> {
  if (!config.OPERATORS_URL) return new OperatorStore(operatorsDbPath(config.OVERTURE_DATA_DIR));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PostgresOperators } = require('./operators/postgres-operators') as typeof PostgresOperatorsModule;
  return PostgresOperators.open(config.OPERATORS_URL, { log });
}

/** The configured record of used approval links: PostgreSQL at APPROVAL_LINKS_URL (migrated first), else the SQLite file. */
export async function openUsedLinks(
  config: Pick<OvertureConfig, 'APPROVAL_LINKS_URL' | 'approvalLinksDbPath'>,
  log?: (line: string) => void,
): Promise<UsedLinkRecords> {
  if (!config.APPROVAL_LINKS_URL) return new UsedLinks(config.approvalLinksDbPath);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PostgresUsedLinks } = require('./approval-links/postgres-used-links') as typeof PostgresUsedLinksModule;
  return PostgresUsedLinks.open(config.APPROVAL_LINKS_URL, { log });
}

/** The configured event receipts: PostgreSQL at EVENT_RECEIPTS_URL (migrated first), else the SQLite file (EVENTS_DB_PATH). */
export async function openEventReceipts(
  config: Pick<OvertureConfig, 'EVENT_RECEIPTS_URL' | 'eventsDbPath'>,
  log?: (line: string) => void,
): Promise<EventReceiptRecords> {
  if (!config.EVENT_RECEIPTS_URL) return new EventReceipts(config.eventsDbPath);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PostgresEventReceipts } = require('./event-receipts/postgres-receipts') as typeof PostgresReceiptsModule;
  return PostgresEventReceipts.open(config.EVENT_RECEIPTS_URL, { log });
}
