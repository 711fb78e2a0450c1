/**
 * The SQLite general ledger on a real database file against the general-ledger contract every store keeps
 * (test/helpers/general-ledger-contract.ts; the PostgreSQL ledger runs the same suite in test/e2e).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteGeneralLedger } from '../../../activities/financial-close/sqlite-general-ledger';
import { describeGeneralLedgerContract } from '../../helpers/general-ledger-contract';

describeGeneralLedgerContract('SqliteGeneralLedger', async () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'overture-ledger-'));
  const file = path.join(tmp, 'ledger.db');
  const ledger = new SqliteGeneralLedger(file);
  return {
    ledger,
    openAnother: async () => new SqliteGeneralLedger(file),
    journalEntryCount: async () => (ledger.db.prepare('SELECT COUNT(*) AS n FROM journal_entries').get() as { n: number }).n,
    execute: async (sql) => void ledger.db.prepare(sql).run(),
    close: async () => {
      ledger.close();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
});
