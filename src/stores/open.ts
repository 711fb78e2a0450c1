/**
 * The delivery ledger, the directory and the systems' health that configuration chose: on PostgreSQL when
 * LEDGER_URL / DIRECTORY_URL / SYSTEMS_URL is set (shared by every host, migrated on open), else the SQLite files of
 * this host (LEDGER_DB_PATH, DIRECTORY_DB_PATH, or their defaults in the data directory; systems.db there).
 */
import type { OvertureConfig } from '../config/platform';
import { SqliteDeliveryLedger, type DeliveryLedger } from './delivery-ledger/sqlite-ledger';
import type { DirectoryInventory, DirectoryProvider } from './directory/directory';
import { PostgresDirectory } from './directory/postgres-directory';
import { SqliteDirectory } from './directory/sqlite-directory';
import { PostgresDeliveryLedger } from './delivery-ledger/postgres-ledger';
import { redactUrl } from '../config/redact-url';
import { PostgresSystemHealthStore } from './system-health/postgres-health';
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
  return config.LEDGER_URL ? PostgresDeliveryLedger.open(config.LEDGER_URL, { log }) : new SqliteDeliveryLedger(config.ledgerDbPath);
}

/** The configured directory: PostgreSQL at DIRECTORY_URL (migrated first), else the SQLite file. */
export async function openDirectory(config: StoreConfig, log?: (line: string) => void): Promise<DirectoryStore> {
  return config.DIRECTORY_URL
    ? PostgresDirectory.open(config.DIRECTORY_URL, config.WORKSPACE_BASE_URL, { log })
    : new SqliteDirectory(config.directoryDbPath, config.WORKSPACE_BASE_URL);
}

/** The configured systems' health and pauses: PostgreSQL at SYSTEMS_URL (migrated first), else this host's systems.db. */
export async function openSystemHealth(config: SystemsConfig, log?: (line: string) => void): Promise<SystemHealthRecords> {
  return config.SYSTEMS_URL ? PostgresSystemHealthStore.open(config.SYSTEMS_URL, { log }) : new SystemHealthStore(config.systemsDbPath);
}

/** Where the ledger, the directory and the systems' records are, for a worker's start-up line (passwords redacted). */
export function describeStores(config: StoreConfig & SystemsConfig): string {
  const where = (url: string | undefined, file: string) => (url ? `PostgreSQL ${redactUrl(url)}` : `SQLite ${file}`);
  return (
    `ledger on ${where(config.LEDGER_URL, config.ledgerDbPath)}, directory on ${where(config.DIRECTORY_URL, config.directoryDbPath)}, ` +
    `system health and pauses on ${where(config.SYSTEMS_URL, config.systemsDbPath)}`
  );
}
