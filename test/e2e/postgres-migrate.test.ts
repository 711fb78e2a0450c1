/**
 * The migrations of the shared stores on a real PostgreSQL: each file applied once, also when several workers
 * start at once; a changed or misnumbered file refused; a failing file leaving nothing behind.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate, migrationChecksum, MigrationError, MIGRATIONS_DIR } from '../../src/stores/postgres/migrate';
import { startTestPostgres, type TestPostgres } from '../helpers/private-postgres';

let pg: TestPostgres;
let tmp: string;

beforeAll(async () => {
  pg = await startTestPostgres();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'overture-migrations-'));
}, 60_000);

afterAll(async () => {
  await pg?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** A folder of migration files, copied so a test may change them. */
function migrationsDir(name: string, files: Record<string, string>): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, sql] of Object.entries(files)) writeFileSync(path.join(dir, file), sql);
  return dir;
}

const recorded = (database: string, set: string) =>
  pg.query<{ name: string; checksum: string }>(
    database,
    'SELECT name, checksum FROM overture_migrations WHERE migration_set = $1 ORDER BY name',
    [set],
  );

describe('the project migrations', () => {
  it('create the missing database, apply each file once and record its checksum; a second run applies nothing', async () => {
    const url = pg.urlFor('ledger_once');
    expect(await migrate(url, 'ledger')).toEqual(['001_deliveries.sql']);
    expect(await migrate(url, 'ledger')).toEqual([]);

    const sql = readFileSync(path.join(MIGRATIONS_DIR, 'ledger', '001_deliveries.sql'), 'utf8');
    expect(await recorded('ledger_once', 'ledger')).toEqual([{ name: '001_deliveries.sql', checksum: migrationChecksum(sql) }]);
    const tables = await pg.query<{ table_name: string }>(
      'ledger_once',
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.map((t) => t.table_name)).toEqual(['deliveries', 'delivery_claims', 'overture_migrations']);
  });

  it('the ledger and the directory may share one database: each set is recorded apart', async () => {
    const url = pg.urlFor('shared_one');
    const [ledger, directory] = await Promise.all([migrate(url, 'ledger'), migrate(url, 'directory')]);
    expect(ledger).toEqual(['001_deliveries.sql']);
    expect(directory).toEqual(['001_directory.sql']);
    expect((await recorded('shared_one', 'directory')).map((r) => r.name)).toEqual(['001_directory.sql']);
    expect((await recorded('shared_one', 'ledger')).map((r) => r.name)).toEqual(['001_deliveries.sql']);
  });
});

describe('migrators racing (several workers starting at once)', () => {
  it('all succeed, and each file is applied and recorded once', async () => {
    const dir = migrationsDir('race', {
      // pg_sleep widens the window in which another migrator would apply the file too, were there no lock.
      '001_first.sql': 'CREATE TABLE first_things (id int PRIMARY KEY); SELECT pg_sleep(0.3);',
      '002_second.sql': 'INSERT INTO first_things VALUES (1);',
      '010_third.sql': 'CREATE TABLE third_things (id int PRIMARY KEY);',
    });
    const url = pg.urlFor('race_db');
    const results = await Promise.all(Array.from({ length: 5 }, () => migrate(url, 'ledger', { dir })));

    expect(results.flat().sort()).toEqual(['001_first.sql', '002_second.sql', '010_third.sql']);
    expect((await recorded('race_db', 'ledger')).map((r) => r.name)).toEqual(['001_first.sql', '002_second.sql', '010_third.sql']);
    // 002 inserted its row once: run twice it would have failed on the primary key, or (were it idempotent) hidden the race.
    expect(await pg.query('race_db', 'SELECT id FROM first_things')).toEqual([{ id: 1 }]);
  });
});

describe('refused migrations', () => {
  it('a file changed after it was applied is refused with a clear error that hides the password', async () => {
    const dir = migrationsDir('changed', {
      '001_table.sql': 'CREATE TABLE things (\n  id int\n);\n',
      '002_more.sql': 'CREATE TABLE more_things (id int);',
    });
    const url = pg.urlFor('changed_db');
    await migrate(url, 'directory', { dir });
    writeFileSync(path.join(dir, '001_table.sql'), 'CREATE TABLE things (id int, name text);');
    writeFileSync(path.join(dir, '003_new.sql'), 'CREATE TABLE newer_things (id int);');

    const attempt = migrate(url, 'directory', { dir });
    await expect(attempt).rejects.toBeInstanceOf(MigrationError);
    const message = await attempt.catch((err: Error) => err.message);
    expect(message).toMatch(
      /migration directory\/001_table\.sql was changed after it was applied to postgresql:\/\/\*\*\*@127\.0\.0\.1:\d+\/changed_db on \d{4}-/,
    );
    expect(message).toContain('put the change in a new migration');
    expect(message).not.toContain(`:${pg.server.password}@`);
    // Nothing else ran: the new file waits until the changed one is restored.
    expect((await recorded('changed_db', 'directory')).map((r) => r.name)).toEqual(['001_table.sql', '002_more.sql']);

    // Only the text matters, not its line endings.
    writeFileSync(path.join(dir, '001_table.sql'), 'CREATE TABLE things (\r\n  id int\r\n);\r\n');
    expect(await migrate(url, 'directory', { dir })).toEqual(['003_new.sql']);
  });

  it('a new file numbered before an applied one is refused', async () => {
    const dir = migrationsDir('early', { '002_b.sql': 'CREATE TABLE b (id int);' });
    const url = pg.urlFor('early_db');
    await migrate(url, 'ledger', { dir });
    writeFileSync(path.join(dir, '001_a.sql'), 'CREATE TABLE a (id int);');
    await expect(migrate(url, 'ledger', { dir })).rejects.toThrow(/ledger\/001_a\.sql is new but numbered before 002_b\.sql/);
  });

  it('a failing file keeps nothing of itself and is not recorded; the files before it stay applied', async () => {
    const dir = migrationsDir('failing', {
      '001_ok.sql': 'CREATE TABLE ok (id int);',
      '002_bad.sql': 'CREATE TABLE half (id int); SELECT no_such_column FROM ok;',
    });
    const url = pg.urlFor('failing_db');
    await expect(migrate(url, 'ledger', { dir })).rejects.toThrow(
      /applying migration ledger\/002_bad\.sql \(nothing of it was kept\) at postgresql:\/\/\*\*\*@.*no_such_column/,
    );
    expect((await recorded('failing_db', 'ledger')).map((r) => r.name)).toEqual(['001_ok.sql']);
    expect(await pg.query('failing_db', "SELECT to_regclass('half') AS t")).toEqual([{ t: null }]);
  });

  it('badly named files are refused before anything is applied', async () => {
    const dir = migrationsDir('names', { '001_ok.sql': 'SELECT 1;', 'later.sql': 'SELECT 2;' });
    await expect(migrate(pg.urlFor('names_db'), 'ledger', { dir })).rejects.toThrow(/must be named NNN_description\.sql .*later\.sql/);
  });

  it('an unreachable server is reported with the URL, password hidden', async () => {
    const url = `postgresql://temporal:${pg.server.password}@127.0.0.1:1/nowhere`;
    const message = await migrate(url, 'ledger').catch((err: Error) => err.message);
    expect(message).toMatch(/connecting to the database at postgresql:\/\/\*\*\*@127\.0\.0\.1:1\/nowhere failed: .*ECONNREFUSED/);
  });
});
