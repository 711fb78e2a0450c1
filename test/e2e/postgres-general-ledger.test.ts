/**
 * The close's general ledger on a real PostgreSQL (ACCOUNTING_URL) against the general-ledger contract every store
 * keeps (test/helpers/general-ledger-contract.ts; SqliteGeneralLedger runs the same suite). Each test gets a new
 * database, which opening the ledger creates and migrates. And `npm run db:migrate` migrating the books and the
 * pipeline's warehouse (WAREHOUSE_URL) ahead of the workers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PostgresGeneralLedger } from '../../activities/financial-close/postgres-general-ledger';
import { redactUrl } from '../../src/config/redact-url';
import { ROOT, runCommand } from '../helpers/processes';
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

describe('npm run db:migrate', () => {
  it("brings the processes' ACCOUNTING_URL and WAREHOUSE_URL databases to their schemas, creating them, then finds them up to date", async () => {
    const books = server.urlFor('overture_books_deploy');
    const warehouse = server.urlFor('overture_warehouse_deploy');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'books-migrate-'));
    const env = { ACCOUNTING_URL: books, WAREHOUSE_URL: warehouse, LEDGER_URL: '', DIRECTORY_URL: '', OVERTURE_DATA_DIR: dataDir };
    const migrateCli = ['--require', require.resolve('tsx/cjs'), path.join(ROOT, 'src', 'stores', 'postgres', 'migrate-cli.ts')];
    try {
      const first = await runCommand(process.execPath, migrateCli, env);
      expect(first).toMatchObject({ code: 0, stderr: '' });
      expect(first.stdout).toContain(`books (${redactUrl(books)}): applied 001_general_ledger.sql`);
      expect(first.stdout).toContain(`warehouse (${redactUrl(warehouse)}): applied 001_orders.sql`);
      const again = await runCommand(process.execPath, migrateCli, env);
      expect(again.stdout).toContain(`books (${redactUrl(books)}): up to date`);
      expect(again.stdout).toContain(`warehouse (${redactUrl(warehouse)}): up to date`);
      const tables = await server.query<{ tablename: string }>(
        'overture_books_deploy',
        "SELECT tablename FROM pg_tables WHERE tablename LIKE 'journal_%'",
      );
      expect(tables.map((t) => t.tablename).sort()).toEqual(['journal_entries', 'journal_lines']);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
