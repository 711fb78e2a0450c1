/**
 * Payload encryption as required configuration, through real processes: the CLI and a worker refuse to start
 * without keys (saying how to fix it), `overture keys rotate|list` manage the key file without showing key
 * material, and OVERTURE_PAYLOAD_ENCRYPTION=off runs with a warning.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { runOverture, spawnWorker } from '../helpers/processes';

jest.setTimeout(90_000);

/** A fresh data directory, no keys anywhere: the env keys of the test run are not passed on. */
function freshEnv(extra: Record<string, string> = {}): Record<string, string> {
  const dataDir = fs.mkdtempSync(path.join(process.env.OVERTURE_TEST_DIR ?? '/tmp', 'keys-'));
  return {
    TEMPORAL_ADDRESS: process.env.OVERTURE_TEST_TEMPORAL_ADDRESS ?? '127.0.0.1:1',
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    OVERTURE_DATA_DIR: dataDir,
    OVERTURE_CODEC_KEY_FILE: '',
    OVERTURE_CODEC_KEYS: '',
    OVERTURE_PAYLOAD_ENCRYPTION: 'on',
    ...extra,
  };
}

it('refuses a CLI command without keys, with how to fix it (exit 2)', async () => {
  const result = await runOverture(['list', '--json'], freshEnv());
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/payload encryption needs a key: set OVERTURE_CODEC_KEY_FILE/);
  expect(result.stderr).toMatch(/OVERTURE_PAYLOAD_ENCRYPTION=off/);
});

it('refuses to start a worker without keys', async () => {
  const worker = spawnWorker(freshEnv());
  await expect(worker.ready).rejects.toThrow(/payload encryption needs a key/);
  expect(worker.output()).not.toContain('worker polling task queue');
});

it('rotates and lists keys: ids and which is current, never key material; the CLI then runs with them', async () => {
  const env = freshEnv();
  const created = await runOverture(['keys', 'rotate'], env);
  expect(created.code).toBe(0);
  const keyFile = path.join(env.OVERTURE_DATA_DIR!, 'codec-keys.json');
  expect(created.stdout).toContain(`created ${keyFile}`);
  expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
  const first = JSON.parse(fs.readFileSync(keyFile, 'utf8')) as { current: string; keys: Record<string, string> };

  const rotated = await runOverture(['keys', 'rotate'], env);
  expect(rotated.code).toBe(0);
  const second = JSON.parse(fs.readFileSync(keyFile, 'utf8')) as { current: string; keys: Record<string, string> };
  expect(second.current).not.toBe(first.current);
  expect(Object.keys(second.keys)).toEqual([first.current, second.current]);
  expect(rotated.stdout).toContain(`added key ${second.current}`);

  const listed = await runOverture(['keys', 'list', '--json'], env);
  expect(listed.code).toBe(0);
  expect(JSON.parse(listed.stdout)).toEqual({ source: keyFile, current: second.current, keys: [first.current, second.current] });
  const human = await runOverture(['keys', 'list'], env);
  expect(human.stdout).toMatch(new RegExp(`${second.current}\\s+\\(current`));
  for (const key of Object.values(second.keys)) {
    expect(listed.stdout + human.stdout + rotated.stdout + created.stdout).not.toContain(key);
  }
  // The key file of the data directory is found without naming it: the CLI reaches Temporal.
  const list = await runOverture(['list', '--json'], env);
  expect(list.stderr).not.toMatch(/payload encryption/);
  expect(list.code).toBe(0);
});

it('refuses a key file other users can read', async () => {
  const env = freshEnv();
  expect((await runOverture(['keys', 'rotate'], env)).code).toBe(0);
  const keyFile = path.join(env.OVERTURE_DATA_DIR!, 'codec-keys.json');
  fs.chmodSync(keyFile, 0o644);
  const result = await runOverture(['list'], env);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(`run chmod 600 ${keyFile}`);
});

it('runs with OVERTURE_PAYLOAD_ENCRYPTION=off, warning that data is stored in clear', async () => {
  const result = await runOverture(['list', '--json'], freshEnv({ OVERTURE_PAYLOAD_ENCRYPTION: 'off' }));
  expect(result.code).toBe(0);
  expect(result.stderr).toMatch(/WARNING: payload encryption is off/);
});
