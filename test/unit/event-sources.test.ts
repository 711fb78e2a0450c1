/**
 * Event sources: EVENT_SOURCES validated with the configuration, else the embedded secrets file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { loadEventSources, mayEmit, secretOf } from '../../src/apps/events/sources';

const secret = 's'.repeat(40);

it('reads EVENT_SOURCES: per source, a secret and the types it may send', () => {
  const config = loadConfig({ EVENT_SOURCES: JSON.stringify({ hr: { secret, types: ['hr.employee-hired'] } }) });
  const { sources, origin } = loadEventSources(config);
  expect(origin).toBe('EVENT_SOURCES');
  expect(secretOf(sources, 'hr')).toBe(secret);
  expect(secretOf(sources, 'toString')).toBeUndefined();
  expect(mayEmit(sources, 'hr', 'hr.employee-hired')).toBe(true);
  expect(mayEmit(sources, 'hr', 'draft.submitted')).toBe(false);
  expect(mayEmit(sources, 'crm', 'hr.employee-hired')).toBe(false);
});

it('refuses an invalid EVENT_SOURCES, naming what is wrong', () => {
  expect(() => loadConfig({ EVENT_SOURCES: '{not json' })).toThrow(/EVENT_SOURCES: must be JSON/);
  expect(() => loadConfig({ EVENT_SOURCES: JSON.stringify({ hr: { secret: 'short', types: [] } }) })).toThrow(ConfigError);
  let message = '';
  try {
    loadConfig({ EVENT_SOURCES: JSON.stringify({ hr: { secret: 'short', types: [] } }) });
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).toContain('EVENT_SOURCES.hr.secret: each secret must be at least 32 characters');
  expect(message).toContain('EVENT_SOURCES.hr.types: name at least one event type');
  expect(message).not.toContain('short');
});

it('creates the secrets file on first use, readable only by its owner, and keeps it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'event-sources-'));
  try {
    const config = loadConfig({ OVERTURE_DATA_DIR: dir });
    const first = loadEventSources(config);
    expect(first.origin).toBe(path.join(dir, 'event-sources.json'));
    expect(fs.statSync(first.origin).mode & 0o777).toBe(0o600);
    expect(secretOf(first.sources, 'local')).toMatch(/^[0-9a-f]{64}$/);
    expect(mayEmit(first.sources, 'local', 'hr.employee-hired')).toBe(true);
    expect(loadEventSources(config).sources).toEqual(first.sources);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

it('has the gateway defaults', () => {
  const config = loadConfig({ OVERTURE_DATA_DIR: '/srv/overture' });
  expect(config).toMatchObject({
    EVENTS_HOST: '127.0.0.1',
    EVENTS_PORT: 4080,
    EVENTS_MAX_BODY_BYTES: 262_144,
    EVENTS_TOLERANCE_SECONDS: 300,
  });
  expect(config.eventsUrl).toBe('http://127.0.0.1:4080');
  expect(config.eventsDbPath).toBe('/srv/overture/events.db');
  expect(loadConfig({ EVENTS_HOST: '0.0.0.0', EVENTS_PORT: '9000' }).eventsUrl).toBe('http://127.0.0.1:9000');
});
