/**
 * What the operator console refuses to start with: the retired CONSOLE_TOKEN and a plain-HTTP bind beyond loopback
 * (without CONSOLE_ALLOW_INSECURE_BIND=true), from loadConfig, startOperatorConsole and `npm run console` (exit 2).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { ConfigError, loadConfig } from '../../src/config';
import { startOperatorConsole } from '../../src/apps/console/server';
import { insecureBindProblem, isLoopbackHost } from '../../src/apps/console/startup-checks';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

describe('the shared console token is gone', () => {
  it('refuses CONSOLE_TOKEN, saying that operators sign in with their own tokens', () => {
    for (const token of ['a', 'Zq7-hT2pXv9mLr4sKe8wNc3y']) {
      expect(() => loadConfig({ CONSOLE_TOKEN: token })).toThrow(ConfigError);
      expect(() => loadConfig({ CONSOLE_TOKEN: token })).toThrow(
        /CONSOLE_TOKEN: is no longer used: each operator signs in with a personal token \(overture operators add NAME --role ROLE\)/,
      );
    }
    expect(loadConfig({}).CONSOLE_TOKEN).toBeUndefined();
  });
});

describe('binding beyond loopback', () => {
  it('tells loopback addresses from the rest', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1'])
      expect([host, isLoopbackHost(host)]).toEqual([host, true]);
    for (const host of ['0.0.0.0', '::', '[::]', '192.168.1.5', '10.0.0.1', 'console.example.com'])
      expect([host, isLoopbackHost(host)]).toEqual([host, false]);
  });

  it('refuses CONSOLE_HOST=0.0.0.0 without the override, and accepts it with CONSOLE_ALLOW_INSECURE_BIND=true', () => {
    expect(() => loadConfig({ CONSOLE_HOST: '0.0.0.0' })).toThrow(ConfigError);
    expect(() => loadConfig({ CONSOLE_HOST: '0.0.0.0' })).toThrow(/CONSOLE_HOST=0\.0\.0\.0 .*plain HTTP.*CONSOLE_ALLOW_INSECURE_BIND=true/);
    expect(() => loadConfig({ CONSOLE_HOST: '192.168.1.5', CONSOLE_ALLOW_INSECURE_BIND: 'false' })).toThrow(ConfigError);
    expect(() => loadConfig({ CONSOLE_ALLOW_INSECURE_BIND: 'yes' })).toThrow(/CONSOLE_ALLOW_INSECURE_BIND: must be true or false/);
    expect(loadConfig({ CONSOLE_HOST: '0.0.0.0', CONSOLE_ALLOW_INSECURE_BIND: 'true' }).CONSOLE_ALLOW_INSECURE_BIND).toBe(true);
    expect(loadConfig({ CONSOLE_HOST: '::1' }).CONSOLE_HOST).toBe('::1');
    expect(insecureBindProblem('0.0.0.0', true)).toBeUndefined();
  });

  it('startOperatorConsole refuses a wildcard host without the override, and warns with it', async () => {
    // Its own data directory: the console opens the operator store there.
    const config = loadConfig({
      OVERTURE_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'console-startup-')),
      OVERTURE_PAYLOAD_ENCRYPTION: 'off',
    });
    await expect(startOperatorConsole({ client: {} as Client, config, host: '0.0.0.0', port: 0 })).rejects.toThrow(
      /CONSOLE_HOST=0\.0\.0\.0/,
    );
    const lines: string[] = [];
    const running = await startOperatorConsole({
      client: {} as Client,
      config: { ...config, CONSOLE_ALLOW_INSECURE_BIND: true },
      host: '0.0.0.0',
      port: 0,
      log: (l) => lines.push(l),
    });
    await running.stop();
    expect(lines[0]).toMatch(/^WARNING: the console listens on 0\.0\.0\.0 in plain HTTP/);
  });
});

describe('npm run console', () => {
  const run = (env: Record<string, string>) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(
        TSX,
        ['src/apps/console/main.ts'],
        { cwd: ROOT, env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env }, timeout: 30_000 },
        (_err, _stdout, stderr) => resolve({ code: child.exitCode, stderr }),
      );
    });

  it('exits 2 with a message for CONSOLE_TOKEN (retired) and for CONSOLE_HOST=0.0.0.0', async () => {
    const retired = await run({ CONSOLE_TOKEN: 'a' });
    expect(retired.code).toBe(2);
    expect(retired.stderr).toContain('CONSOLE_TOKEN: is no longer used');
    const wide = await run({ CONSOLE_HOST: '0.0.0.0' });
    expect(wide.code).toBe(2);
    expect(wide.stderr).toContain('CONSOLE_HOST=0.0.0.0 would serve the console');
  }, 60_000);
});
