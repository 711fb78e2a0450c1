/**
 * The systems' health and pauses on a real PostgreSQL (SYSTEMS_URL), with two stores standing for two worker
 * hosts: the contract of every store, and two workers' guards, each with its own delivery ledger, sending ONE
 * degraded alert and ONE recovery note through real SMTP and webhook receivers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { loadConfig } from '../../src/config';
import { SqliteDeliveryLedger } from '../../src/stores/delivery-ledger/sqlite-ledger';
import { startMailReceiver } from '../../src/tools/dev-stack/mail-receiver';
import { startWebhookReceiver } from '../../src/tools/dev-stack/webhook-receiver';
import { TransientError } from '../../activities/kit/errors';
import { redactUrl } from '../../src/config/redact-url';
import { PostgresSystemHealthStore } from '../../src/stores/system-health/postgres-health';
import { openSystemHealth } from '../../src/stores/open';
import { connectSystemGuard } from '../../activities/kit/worker-guard';
import { startTestPostgres, type TestPostgres } from '../helpers/private-postgres';
import { ROOT, runCommand } from '../helpers/processes';
import { describeSystemHealthContract } from '../helpers/system-health-contract';

let pg: TestPostgres;

beforeAll(async () => {
  pg = await startTestPostgres();
}, 60_000);
afterAll(async () => pg?.stop());

describeSystemHealthContract(
  'PostgresSystemHealthStore: two hosts on one database',
  async () => {
    const url = pg.urlFor('overture_systems');
    // Two "hosts" opening (and so migrating) the same, not yet existing, database at once.
    const [a, b] = await Promise.all([PostgresSystemHealthStore.open(url), PostgresSystemHealthStore.open(url)]);
    return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
  },
  60_000,
);

describe('SYSTEMS_URL', () => {
  it('opens the PostgreSQL store, migrated once, and unset keeps the SQLite file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'systems-url-'));
    try {
      const url = pg.urlFor('overture_systems_opened');
      const store = await openSystemHealth(loadConfig({ OVERTURE_DATA_DIR: dir, SYSTEMS_URL: url }));
      await store.close();
      expect(store).toBeInstanceOf(PostgresSystemHealthStore);
      const applied = await pg.query<{ name: string }>(
        'overture_systems_opened',
        "SELECT name FROM overture_migrations WHERE migration_set = 'systems'",
      );
      expect(applied.map((r) => r.name)).toEqual(['001_health_and_pauses.sql']);
      const sqlite = await openSystemHealth(loadConfig({ OVERTURE_DATA_DIR: dir }));
      await sqlite.close();
      expect(fs.existsSync(path.join(dir, 'systems.db'))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npm run db:migrate', () => {
  it('brings the SYSTEMS_URL database to the systems schema, creating it, then finds it up to date', async () => {
    const url = pg.urlFor('overture_systems_deploy');
    const env = {
      SYSTEMS_URL: url,
      LEDGER_URL: '',
      DIRECTORY_URL: '',
      OVERTURE_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'systems-migrate-')),
    };
    const migrateCli = ['--require', require.resolve('tsx/cjs'), path.join(ROOT, 'src', 'stores', 'postgres', 'migrate-cli.ts')];
    const first = await runCommand(process.execPath, migrateCli, env);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toContain(`systems (${redactUrl(url)}): applied 001_health_and_pauses.sql`);
    const again = await runCommand(process.execPath, migrateCli, env);
    expect(again.stdout.trim()).toBe(`systems (${redactUrl(url)}): up to date`);
    const tables = await pg.query<{ tablename: string }>(
      'overture_systems_deploy',
      "SELECT tablename FROM pg_tables WHERE tablename LIKE 'system_%'",
    );
    expect(tables.map((t) => t.tablename).sort()).toEqual(['system_outages', 'system_pause_log', 'system_paused_runs', 'system_pauses']);
    fs.rmSync(env.OVERTURE_DATA_DIR, { recursive: true, force: true });
  }, 60_000);
});

describe('two workers guarding email on one PostgreSQL', () => {
  it('send one degraded alert and one recovery note to the team chat, though each has its own ledger', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'systems-hosts-'));
    const mail = await startMailReceiver();
    const webhooks = await startWebhookReceiver();
    const transport = nodemailer.createTransport(mail.url);
    const config = loadConfig({
      OVERTURE_DATA_DIR: dir,
      SMTP_URL: mail.url,
      NOTIFY_WEBHOOK_URL: webhooks.url,
      OUTAGE_ALERT_AFTER_MS: '0',
      SYSTEMS_URL: pg.urlFor('overture_systems_guards'),
    });
    // Separate ledgers: only the shared health record can keep the two hosts from alerting twice.
    const ledgers = [new SqliteDeliveryLedger(path.join(dir, 'host-a.db')), new SqliteDeliveryLedger(path.join(dir, 'host-b.db'))];
    const hosts = await Promise.all(ledgers.map((ledger) => connectSystemGuard(config, { transport, ledger })));
    try {
      const down = () => Promise.reject(new TransientError('relay unreachable'));
      const failures = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => hosts[i % 2]!.guard.run('email', down)));
      expect(failures.every((f) => f.status === 'rejected')).toBe(true);
      const texts = () => webhooks.received().map((w) => String((w.body as { text: string }).text));
      expect(texts()).toHaveLength(1);
      expect(texts()[0]).toMatch(/^:warning: \[Overture\] email is degraded: every send has failed for \d+ s/);

      await Promise.all([hosts[0]!.guard.run('email', async () => 'sent'), hosts[1]!.guard.run('email', async () => 'sent')]);
      expect(texts()).toHaveLength(2);
      expect(texts()[1]).toMatch(/email has recovered after \d+ s: 10 attempts failed meanwhile/);
      expect(mail.messages()).toEqual([]);
    } finally {
      await Promise.all(hosts.map((h) => h.close()));
      for (const ledger of ledgers) ledger.close();
      transport.close();
      await mail.stop();
      await webhooks.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
