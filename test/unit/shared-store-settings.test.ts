/**
 * LEDGER_URL and DIRECTORY_URL (src/stores/postgres/settings.ts): PostgreSQL URLs or nothing, never beside the SQLite
 * path of the same store, and no message that repeats a password.
 */
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { redactUrl } from '../../src/config/redact-url';
import { describeStores } from '../../src/stores/open';
import { configErrorOf } from '../helpers/config-errors';

const SECRET = 's3cret-Pa55';

describe('LEDGER_URL and DIRECTORY_URL', () => {
  it('are unset by default: the SQLite files of the data directory, as before', () => {
    const config = loadConfig({ OVERTURE_DATA_DIR: '/srv/overture' });
    expect(config.LEDGER_URL).toBeUndefined();
    expect(config.DIRECTORY_URL).toBeUndefined();
    expect(config.ledgerDbPath).toBe(path.join('/srv/overture', 'overture.db'));
    expect(describeStores(config)).toBe(
      'ledger on SQLite /srv/overture/overture.db, directory on SQLite /srv/overture/directory.db, system health and pauses on SQLite /srv/overture/systems.db',
    );
  });

  it('accept postgres:// and postgresql:// URLs naming a database; blank means unset', () => {
    const config = loadConfig({
      LEDGER_URL: `postgres://overture:${SECRET}@db.internal:5432/overture_ledger`,
      DIRECTORY_URL: `postgresql://overture:${SECRET}@db.internal/overture_directory?sslmode=require`,
      SYSTEMS_URL: `postgresql://overture:${SECRET}@db.internal/overture_systems`,
    });
    expect(config.LEDGER_URL).toBe(`postgres://overture:${SECRET}@db.internal:5432/overture_ledger`);
    expect(config.DIRECTORY_URL).toBe(`postgresql://overture:${SECRET}@db.internal/overture_directory?sslmode=require`);
    expect(loadConfig({ LEDGER_URL: '  ', DIRECTORY_URL: '' }).LEDGER_URL).toBeUndefined();
    // The worker's start-up line names the stores without their passwords.
    const line = describeStores(config);
    expect(line).toBe(
      'ledger on PostgreSQL postgres://***@db.internal:5432/overture_ledger, directory on PostgreSQL postgresql://***@db.internal/overture_directory?sslmode=require, ' +
        'system health and pauses on PostgreSQL postgresql://***@db.internal/overture_systems',
    );
    expect(line).not.toContain(SECRET);
  });

  it.each([
    [
      'LEDGER_URL',
      `mysql://overture:${SECRET}@db.internal/ledger`,
      /LEDGER_URL: must be a postgres:\/\/ or postgresql:\/\/ URL \(got mysql:\/\/…\)/,
    ],
    [
      'DIRECTORY_URL',
      `db.internal:5432/${SECRET}`,
      /DIRECTORY_URL: must be a postgres:\/\/ or postgresql:\/\/ URL \(got db\.internal:\/\/…\)/,
    ],
    ['LEDGER_URL', `not a url ${SECRET}`, /LEDGER_URL: must be a PostgreSQL URL, e\.g\. postgresql:\/\//],
    ['DIRECTORY_URL', `postgresql://overture:${SECRET}@db.internal:5432`, /DIRECTORY_URL: must name its database in the path/],
    ['LEDGER_URL', `postgresql:///ledger?password=${SECRET}`, /LEDGER_URL: must name the database server/],
  ])('rejects %s=%s with a clear error that does not repeat it', (name, value, message) => {
    const err = configErrorOf({ [name]: value });
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain(SECRET);
  });

  it('refuses a URL and a SQLite path for the same store, naming both variables', () => {
    const ledger = configErrorOf({ LEDGER_URL: `postgresql://o:${SECRET}@db/l`, LEDGER_DB_PATH: '/var/lib/ledger.db' });
    expect(ledger.message).toContain('LEDGER_URL and LEDGER_DB_PATH are both set');
    expect(ledger.message).not.toContain(SECRET);
    const directory = configErrorOf({ DIRECTORY_URL: `postgresql://o:${SECRET}@db/d`, DIRECTORY_DB_PATH: '/var/lib/dir.db' });
    expect(directory.message).toContain('DIRECTORY_URL and DIRECTORY_DB_PATH are both set');
    // Each store on its own: a PostgreSQL ledger with a SQLite directory is fine.
    expect(loadConfig({ LEDGER_URL: `postgresql://o:${SECRET}@db/l`, DIRECTORY_DB_PATH: '/var/lib/dir.db' }).directoryDbPath).toBe(
      '/var/lib/dir.db',
    );
  });
});

describe('redactUrl', () => {
  it('replaces the user and password, keeps everything else, and never echoes what it cannot parse', () => {
    expect(redactUrl(`postgresql://overture:${SECRET}@db:5432/ledger?sslmode=require`)).toBe(
      'postgresql://***@db:5432/ledger?sslmode=require',
    );
    // A lone user name may be the secret itself (https://TOKEN@host): it goes too.
    expect(redactUrl(`https://${SECRET}@hooks.example/team`)).toBe('https://***@hooks.example/team');
    expect(redactUrl('postgresql://db/ledger')).toBe('postgresql://db/ledger');
    expect(redactUrl(`postgresql://overture@db/ledger?password=${SECRET}`)).toBe('postgresql://***@db/ledger?password=***');
    expect(redactUrl(`nonsense ${SECRET}`)).toBe('(an unparsable URL)');
  });
});
