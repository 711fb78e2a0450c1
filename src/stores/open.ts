/**
 * The delivery ledger, the directory and the systems' health that configuration chose: on PostgreSQL when
 * LEDGER_URL / DIRECTORY_URL / SYSTEMS_URL is set (shared by every host, migrated on open), else the SQLite files of
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
