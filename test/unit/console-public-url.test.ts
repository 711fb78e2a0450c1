/**
 * CONSOLE_PUBLIC_URL: the links a worker puts in mails (approve from the email, open in the console) point at the
 * console as browsers reach it, not at the address the console binds inside its container (0.0.0.0 in compose).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { noticeLinksFor } from '../../src/approval-links';

const QUESTION = { question: 'approve-expense', choices: ['approve', 'reject'], deadline: new Date(Date.now() + 86_400_000).toISOString() };

describe('CONSOLE_PUBLIC_URL', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'overture-public-url-'));
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  // A console bound on every interface of its container, as docker-compose.yml and the chart run it.
  const inContainer = { CONSOLE_HOST: '0.0.0.0', CONSOLE_ALLOW_INSECURE_BIND: 'true', CONSOLE_PORT: '4000' };

  it('is the base of the approval links in mails, without a trailing slash', () => {
    const config = loadConfig({ ...inContainer, OVERTURE_DATA_DIR: dataDir, CONSOLE_PUBLIC_URL: 'https://overture.example.com/' });
    expect(config.consoleUrl).toBe('https://overture.example.com');
    const lines = noticeLinksFor(config)('expense-E1', 'ann@example.com', QUESTION).split('\n').slice(1);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^ {2}(Approve|Reject): https:\/\/overture\.example\.com\/act\?t=\S+$/);
  });

  it('defaults to where the console listens, and a blank value counts as unset', () => {
    expect(loadConfig({ OVERTURE_DATA_DIR: dataDir }).consoleUrl).toBe('http://127.0.0.1:4000');
    expect(loadConfig({ ...inContainer, OVERTURE_DATA_DIR: dataDir, CONSOLE_PUBLIC_URL: ' ' }).consoleUrl).toBe('http://0.0.0.0:4000');
  });

  it('refuses what is not an http(s) URL', () => {
    expect(() => loadConfig({ CONSOLE_PUBLIC_URL: 'console:4000' })).toThrow(ConfigError);
    expect(() => loadConfig({ CONSOLE_PUBLIC_URL: 'ftp://overture.example.com' })).toThrow(/CONSOLE_PUBLIC_URL/);
  });
});
