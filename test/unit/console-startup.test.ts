/**
 * What the operator console refuses to start with: a weak CONSOLE_TOKEN and a plain-HTTP bind beyond loopback
 * (without CONSOLE_ALLOW_INSECURE_BIND=true), from loadConfig, startOperatorConsole and `npm run console` (exit 2).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { ConfigError, loadConfig } from '../../src/config';
import { startOperatorConsole } from '../../src/console/server';
import { insecureBindProblem, isLoopbackHost, weakTokenProblem } from '../../src/console/startup-checks';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const STRONG = 'Zq7-hT2pXv9mLr4sKe8wNc3y'; // 24 characters, 4 kinds

describe('weak operator tokens', () => {
  it.each([
    ['a', /at least 24 characters \(it has 1\)/],
    ['console-token', /at least 24 characters/],
    ['a'.repeat(40), /at least 10 different characters/],
    ['121212121212121212121212121212', /at least 10 different characters/],
    ['abcdefghijklmnopqrstuvwxyz', /two kinds of characters/],
  ])('refuses %j', (token, problem) => {
    expect(weakTokenProblem(token)).toMatch(problem);
    expect(() => loadConfig({ CONSOLE_TOKEN: token })).toThrow(ConfigError);
    expect(() => loadConfig({ CONSOLE_TOKEN: token })).toThrow(new RegExp(`CONSOLE_TOKEN: .*${problem.source}`));
  });

  it('accepts a random token, and an unset one (a token is then generated)', () => {
    expect(weakTokenProblem(STRONG)).toBeUndefined();
    expect(loadConfig({ CONSOLE_TOKEN: STRONG }).CONSOLE_TOKEN).toBe(STRONG);
    expect(loadConfig({}).CONSOLE_TOKEN).toBeUndefined();
  });

  it('startOperatorConsole refuses a weak token before it listens', async () => {
    const config = loadConfig({});
    await expect(startOperatorConsole({ client: {} as Client, config, port: 0, token: 'short' })).rejects.toThrow(ConfigError);
    await expect(startOperatorConsole({ client: {} as Client, config, port: 0, token: 'short' })).rejects.toThrow(/weak token: .*at least 24 characters/);
  });
});

describe('binding beyond loopback', () => {
  it('tells loopback addresses from the rest', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect([host, isLoopbackHost(host)]).toEqual([host, true]);
    for (const host of ['0.0.0.0', '::', '[::]', '192.168.1.5', '10.0.0.1', 'console.example.com']) expect([host, isLoopbackHost(host)]).toEqual([host, false]);
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
    const config = loadConfig({});
    await expect(startOperatorConsole({ client: {} as Client, config, host: '0.0.0.0', port: 0, token: STRONG })).rejects.toThrow(/CONSOLE_HOST=0\.0\.0\.0/);
    const lines: string[] = [];
    const running = await startOperatorConsole({ client: {} as Client, config: { ...config, CONSOLE_ALLOW_INSECURE_BIND: true }, host: '0.0.0.0', port: 0, token: STRONG, log: (l) => lines.push(l) });
    await running.stop();
    expect(lines[0]).toMatch(/^WARNING: the console listens on 0\.0\.0\.0 in plain HTTP/);
  });
});

describe('npm run console', () => {
  const run = (env: Record<string, string>) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(TSX, ['src/console/main.ts'], { cwd: ROOT, env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env }, timeout: 30_000 }, (_err, _stdout, stderr) =>
        resolve({ code: child.exitCode, stderr }),
      );
    });

  it('exits 2 with a message for CONSOLE_TOKEN=a and for CONSOLE_HOST=0.0.0.0', async () => {
    const weak = await run({ CONSOLE_TOKEN: 'a' });
    expect(weak.code).toBe(2);
    expect(weak.stderr).toContain('CONSOLE_TOKEN: the operator token must be at least 24 characters');
    const wide = await run({ CONSOLE_HOST: '0.0.0.0', CONSOLE_TOKEN: STRONG });
    expect(wide.code).toBe(2);
    expect(wide.stderr).toContain('CONSOLE_HOST=0.0.0.0 would serve the console');
  }, 60_000);
});
