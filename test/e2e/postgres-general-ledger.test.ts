/**
 * The close's general ledger on a real PostgreSQL (ACCOUNTING_URL) against the general-ledger contract every store
 * keeps (test/helpers/general-ledger-contract.ts; SqliteGeneralLedger runs the same suite). Each test gets a new
 * database, which opening the ledger creates and migrates.
 */
import { PostgresGeneralLedger } from '../../activities/financial-close/postgres-general-ledger';
import { describeGeneralLedgerContract } from '../helpers/general-ledger-contract';
import { startTestPostgres, type TestPostgres } from '../helpers/private-postgres';

let server: TestPostgres;
let seq = 0;

beforeAll(async () => {
  server = await startTestPostgres();
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describeGeneralLedgerContract(
  'PostgresGeneralLedger (real PostgreSQL)',
  async () => {
    const database = `overture_books_${++seq}`;
    const url = server.urlFor(database);
    const ledger = await PostgresGeneralLedger.open(url);
    return {
      ledger,
      openAnother: () => PostgresGeneralLedger.open(url),
      journalEntryCount: async () => (await server.query<{ n: number }>(database, 'SELECT count(*)::int AS n FROM journal_entries'))[0]!.n,
      execute: async (sql) => void (await server.query(database, sql)),
      close: () => ledger.close(),
    };
  },
  30_000,
);
