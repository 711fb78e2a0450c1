/**
 * The operators, the used approval links and the event receipts on a real PostgreSQL (OPERATORS_URL,
 * APPROVAL_LINKS_URL, EVENT_RECEIPTS_URL), with two stores standing for two hosts: the contract every store keeps
 * (../helpers/console-gateway-stores-contract.ts, also run on SQLite), the URLs choosing PostgreSQL, and
 * `npm run db:migrate` covering the three.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { redactUrl } from '../../src/config/redact-url';
import { PostgresOperators } from '../../src/stores/operators/postgres-operators';
import { PostgresUsedLinks } from '../../src/stores/approval-links/postgres-used-links';
import { PostgresEventReceipts } from '../../src/stores/event-receipts/postgres-receipts';
import { OperatorStore } from '../../src/stores/operators/store';
import { openEventReceipts, openOperators, openUsedLinks } from '../../src/stores/open';
import { startTestPostgres, type TestPostgres } from '../helpers/private-postgres';
import { ROOT, runCommand } from '../helpers/processes';
import {
  describeEventReceiptsContract,
  describeOperatorsContract,
  describeUsedLinksContract,
  TEST_CLAIM_LEASE_MS,
  type TwoHosts,
} from '../helpers/console-gateway-stores-contract';

let pg: TestPostgres;

beforeAll(async () => {
  pg = await startTestPostgres();
}, 60_000);
afterAll(async () => pg?.stop());

/** Two "hosts" opening (and so migrating) the same, not yet existing, database at once. */
async function twoHosts<T extends { close(): Promise<void> }>(open: () => Promise<T>): Promise<TwoHosts<T>> {
  const [a, b] = await Promise.all([open(), open()]);
  return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
}

describeOperatorsContract(
  'PostgresOperators: two hosts on one database',
  () => twoHosts(() => PostgresOperators.open(pg.urlFor('overture_operators'))),
  60_000,
);
describeUsedLinksContract(
  'PostgresUsedLinks: two hosts on one database',
  () => twoHosts(() => PostgresUsedLinks.open(pg.urlFor('overture_links'))),
  60_000,
);
describeEventReceiptsContract(
  'PostgresEventReceipts: two hosts on one database',
  () => twoHosts(() => PostgresEventReceipts.open(pg.urlFor('overture_events'), { claimLeaseMs: TEST_CLAIM_LEASE_MS })),
  60_000,
);

describe('OPERATORS_URL, APPROVAL_LINKS_URL, EVENT_RECEIPTS_URL', () => {
  it('open the PostgreSQL stores, migrated once, and unset keep the SQLite files of the data directory', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-gateway-urls-'));
    try {
      const url = pg.urlFor('overture_shared_opened');
      const config = loadConfig({ OVERTURE_DATA_DIR: dir, OPERATORS_URL: url, APPROVAL_LINKS_URL: url, EVENT_RECEIPTS_URL: url });
      const stores = [await openOperators(config), await openUsedLinks(config), await openEventReceipts(config)];
      for (const store of stores) await store.close();
      expect(stores.map((s) => s.constructor.name)).toEqual(['PostgresOperators', 'PostgresUsedLinks', 'PostgresEventReceipts']);
      const applied = await pg.query<{ migration_set: string; name: string }>(
        'overture_shared_opened',
        'SELECT migration_set, name FROM overture_migrations ORDER BY migration_set',
      );
      expect(applied).toEqual([
        { migration_set: 'approval-links', name: '001_used_links.sql' },
        { migration_set: 'event-receipts', name: '001_event_receipts.sql' },
        { migration_set: 'operators', name: '001_operators.sql' },
      ]);
      expect(fs.readdirSync(dir)).toEqual([]);
      const local = loadConfig({ OVERTURE_DATA_DIR: dir });
      const sqlite = [await openOperators(local), await openUsedLinks(local), await openEventReceipts(local)];
      for (const store of sqlite) await store.close();
      expect(sqlite[0]).toBeInstanceOf(OperatorStore);
      expect(fs.readdirSync(dir).sort()).toEqual(expect.arrayContaining(['approval-links.db', 'events.db', 'operators.db']));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuse EVENT_RECEIPTS_URL beside EVENTS_DB_PATH: one store, never chosen silently', () => {
    expect(() => loadConfig({ EVENT_RECEIPTS_URL: pg.urlFor('x'), EVENTS_DB_PATH: '/tmp/events.db' })).toThrow(
      /EVENT_RECEIPTS_URL and EVENTS_DB_PATH are both set/,
    );
    expect(() => loadConfig({ OPERATORS_URL: 'mysql://db/overture' })).toThrow(
      /OPERATORS_URL.*must be a postgres:\/\/ or postgresql:\/\/ URL/s,
    );
  });
});

describe('npm run db:migrate', () => {
  it('brings the operators, used links and receipts databases to their schema, creating them, then finds them up to date', async () => {
    const urls = {
      OPERATORS_URL: pg.urlFor('deploy_operators'),
      APPROVAL_LINKS_URL: pg.urlFor('deploy_links'),
      EVENT_RECEIPTS_URL: pg.urlFor('deploy_events'),
    };
    const env = {
      ...urls,
      LEDGER_URL: '',
      DIRECTORY_URL: '',
      SYSTEMS_URL: '',
      OVERTURE_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'stores-migrate-')),
    };
    const migrateCli = ['--require', require.resolve('tsx/cjs'), path.join(ROOT, 'src', 'stores', 'postgres', 'migrate-cli.ts')];
    try {
      const first = await runCommand(process.execPath, migrateCli, env);
      expect(first).toMatchObject({ code: 0, stderr: '' });
      expect(first.stdout).toContain(`operators (${redactUrl(urls.OPERATORS_URL)}): applied 001_operators.sql`);
      expect(first.stdout).toContain(`approval-links (${redactUrl(urls.APPROVAL_LINKS_URL)}): applied 001_used_links.sql`);
      expect(first.stdout).toContain(`event-receipts (${redactUrl(urls.EVENT_RECEIPTS_URL)}): applied 001_event_receipts.sql`);
      const again = await runCommand(process.execPath, migrateCli, env);
      expect(
        again.stdout
          .trim()
          .split('\n')
          .filter((l) => l.endsWith(': up to date')),
      ).toHaveLength(3);
      const tables = await pg.query<{ tablename: string }>(
        'deploy_events',
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
      );
      expect(tables.map((t) => t.tablename)).toEqual(['event_receipts', 'overture_migrations', 'seen_signatures']);
    } finally {
      fs.rmSync(env.OVERTURE_DATA_DIR, { recursive: true, force: true });
    }
  }, 60_000);
});
