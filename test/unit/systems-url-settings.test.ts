/** SYSTEMS_URL (src/stores/postgres/settings.ts): a PostgreSQL URL or nothing, and no message that repeats a password. */
import { loadConfig } from '../../src/config';
import { configErrorOf } from '../helpers/config-errors';

const SECRET = 's3cret-Pa55';

describe('SYSTEMS_URL', () => {
  it('is unset by default (systems.db in the data directory) and blank means unset', () => {
    expect(loadConfig({ OVERTURE_DATA_DIR: '/srv/overture' })).toMatchObject({ systemsDbPath: '/srv/overture/systems.db' });
    expect(loadConfig({}).SYSTEMS_URL).toBeUndefined();
    expect(loadConfig({ SYSTEMS_URL: '  ' }).SYSTEMS_URL).toBeUndefined();
  });

  it('accepts a postgres:// URL naming a database', () => {
    expect(loadConfig({ SYSTEMS_URL: `postgresql://overture:${SECRET}@db.internal:5432/overture_systems` }).SYSTEMS_URL).toBe(
      `postgresql://overture:${SECRET}@db.internal:5432/overture_systems`,
    );
  });

  it.each([
    [`mysql://overture:${SECRET}@db.internal/systems`, /SYSTEMS_URL: must be a postgres:\/\/ or postgresql:\/\/ URL \(got mysql:\/\/…\)/],
    [`postgresql://overture:${SECRET}@db.internal:5432`, /SYSTEMS_URL: must name its database in the path/],
    [`not a url ${SECRET}`, /SYSTEMS_URL: must be a PostgreSQL URL/],
  ])('rejects SYSTEMS_URL=%s with a clear error that does not repeat it', (value, message) => {
    const err = configErrorOf({ SYSTEMS_URL: value });
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain(SECRET);
  });
});
