/**
 * The general ledger the close's settings chose: PostgreSQL at ACCOUNTING_URL (migrated on open, shared by every
 * worker host), else this host's SQLite file. The PostgreSQL ledger (and `pg`) is required only when the URL asks for
 * it, so a worker on the SQLite default never loads it; `require`, as src/stores/open.ts explains.
 */
import type { GeneralLedger } from './general-ledger';
import type * as PostgresLedgerModule from './postgres-general-ledger';
import { SqliteGeneralLedger } from './sqlite-general-ledger';
import type { CloseSettings } from './settings';

/** A general ledger this process opened, and must close. */
export type OpenGeneralLedger = GeneralLedger & { close(): void | Promise<void> };

/** Opens the configured books: PostgreSQL at ACCOUNTING_URL, else the SQLite file. */
export async function openGeneralLedger(
  close: Pick<CloseSettings, 'accountingUrl' | 'accountingDbPath'>,
  log?: (line: string) => void,
): Promise<OpenGeneralLedger> {
  if (!close.accountingUrl) return new SqliteGeneralLedger(close.accountingDbPath);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PostgresGeneralLedger } = require('./postgres-general-ledger') as typeof PostgresLedgerModule;
  return PostgresGeneralLedger.open(close.accountingUrl, { log });
}
