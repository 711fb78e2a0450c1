/**
 * A URL's credentials never reach an error message or a log line: configured URLs that fail (the team webhook,
 * the event gateway's, a PostgreSQL URL, the rates source, SMTP), and URLs quoted by a library's error.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { postToTeamOnce } from '../../activities/kit/chat';
import { classifySmtpError } from '../../activities/kit/mail';
import { toStepFailure } from '../../activities/kit/step-attempt';
import { checkImageAltText } from '../../activities/content-publishing/house-style';
import { checkDraftLinks } from '../../activities/content-publishing/link-checks';
import { fetchPublishedRates } from '../../activities/financial-close/rates-source';
import { runCli } from '../../src/apps/cli/main';
import { loadConfig } from '../../src/config';
import { redactUrl, redactUrlsIn } from '../../src/config/redact-url';
import { SqliteDeliveryLedger } from '../../src/stores/delivery-ledger/sqlite-ledger';
import { databaseError } from '../../src/stores/postgres/connection';

const SECRET = 'pa55-Wörd.S3CRET';
const USER = 'hook-user-token';
const leaks = (text: string) => text.includes(SECRET) || text.includes(encodeURIComponent(SECRET)) || text.includes(USER);

let dir: string;
let server: http.Server;
let port: number;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'overture-credentials-'));
  server = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('redaction', () => {
  it('replaces the whole userinfo of a URL, and a password parameter', () => {
    expect(redactUrl(`https://${USER}:${encodeURIComponent(SECRET)}@hooks.example/team?x=1`)).toBe('https://***@hooks.example/team?x=1');
    expect(redactUrl(`https://${USER}@hooks.example/`)).toBe('https://***@hooks.example/');
    expect(redactUrl(`postgresql://db/ledger?password=${SECRET}`)).toBe('postgresql://db/ledger?password=***');
    expect(redactUrl(`not a url ${SECRET}`)).toBe('(an unparsable URL)');
  });

  it('finds every URL with credentials in free text, even a password holding @', () => {
    const text = `fetch http://${USER}:p@ss@127.0.0.1:1/x failed; retried smtp://a:${SECRET}@relay.example:587 and postgres://db/x?sslmode=require&password=${SECRET} too`;
    const redacted = redactUrlsIn(text);
    expect(redacted).toBe(
      'fetch http://***@127.0.0.1:1/x failed; retried smtp://***@relay.example:587 and postgres://db/x?sslmode=require&password=*** too',
    );
    expect(redactUrlsIn('mail ada@example.com about https://example.com/a@b')).toBe('mail ada@example.com about https://example.com/a@b');
  });
});

describe('a failing URL with credentials', () => {
  it('the team webhook: the error names no credential (Node fetch quotes the URL whole)', async () => {
    const ledger = new SqliteDeliveryLedger(path.join(dir, 'ledger.db'));
    try {
      const webhookUrl = `http://${USER}:${encodeURIComponent(SECRET)}@127.0.0.1:${port}/hook`;
      const failure = await postToTeamOnce({ webhookUrl, ledger }, 'credentials', 'hello').then(
        () => undefined,
        (err: Error) => err,
      );
      expect(failure?.message).toMatch(/^webhook unreachable: /);
      expect(failure!.message).toContain(`http://***@127.0.0.1:${port}/hook`);
      expect(leaks(failure!.message)).toBe(false);
    } finally {
      ledger.close();
    }
  });

  it('a step failure quoting a URL (a host without dots too): the failure the workflow and the logs see names none', () => {
    const failure = toStepFailure(new Error(`connect to postgres://${USER}:${SECRET}@localhost:1/ledger refused`), 1);
    expect(failure.message).toBe('connect to postgres://***@localhost:1/ledger refused');
  });

  it('the event gateway URL of `overture emit`: stderr names none', async () => {
    const file = path.join(dir, 'event.json');
    fs.writeFileSync(file, JSON.stringify({ id: 'e-1', data: {} }));
    const stderr: string[] = [];
    const io = { stdout: () => undefined, stderr: (t: string) => stderr.push(t), readStdin: () => '', isTty: false };
    const saved = { ...process.env };
    process.env.OVERTURE_DATA_DIR = dir;
    process.env.EVENT_SOURCES = JSON.stringify({ hr: { secret: 'h'.repeat(64), types: ['*'] } });
    try {
      const url = `http://${USER}:${encodeURIComponent(SECRET)}@127.0.0.1:${port}`;
      expect(await runCli(['emit', 'hr.employee-hired', file, '--source', 'hr', '--url', url], io)).toBe(1);
    } finally {
      process.env = saved;
    }
    expect(stderr.join('\n')).toContain(`cannot reach the event gateway at http://***@127.0.0.1:${port}/`);
    expect(leaks(stderr.join('\n'))).toBe(false);
  });

  it('PostgreSQL, SMTP, the rates source and the configuration: messages name none', async () => {
    const pgUrl = `postgresql://${USER}:${encodeURIComponent(SECRET)}@db.internal/ledger`;
    const pg = databaseError('the ledger', pgUrl, new Error(`no pg_hba.conf entry for ${pgUrl}`));
    expect(pg.message).toBe(
      'the ledger at postgresql://***@db.internal/ledger failed: no pg_hba.conf entry for postgresql://***@db.internal/ledger',
    );

    const smtp = classifySmtpError(new Error(`cannot use smtp://${USER}:${SECRET}@relay.example:587`));
    expect(leaks(smtp.message)).toBe(false);

    const rates = await fetchPublishedRates(`http://${USER}:${encodeURIComponent(SECRET)}@127.0.0.1:1/rates.json`, '2026-10', 2_000).catch(
      (err: Error) => err,
    );
    expect(rates).toBeInstanceOf(Error);
    expect(leaks((rates as Error).message)).toBe(false);

    for (const env of [
      { SMTP_URL: `smtp://${USER}:${SECRET}@bad host` },
      { NOTIFY_WEBHOOK_URL: `http://${USER}:${SECRET}@[bad` },
      { LEDGER_URL: `mysql://${USER}:${SECRET}@db/x` },
    ]) {
      expect(() => loadConfig({ OVERTURE_DATA_DIR: dir, ...env })).toThrow(/invalid configuration/);
      try {
        loadConfig({ OVERTURE_DATA_DIR: dir, ...env });
      } catch (err) {
        expect(leaks((err as Error).message)).toBe(false);
      }
    }
  });

  it("a draft's link: the link checker's and house style's findings name none", async () => {
    const report = checkImageAltText(`![](https://${USER}:${SECRET}@cdn.example/a.png)`);
    expect(report.findings).toEqual(['image https://***@cdn.example/a.png has no alt text']);

    // A page of the site redirects to a URL with credentials on another port: refused, and the finding quotes it.
    const site = http.createServer((_req, res) => res.writeHead(302, { location: `http://${USER}:${SECRET}@127.0.0.1:${port}/ok` }).end());
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    try {
      const origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
      const policy = { allowedHosts: [origin.slice('http://'.length)], siteOrigin: origin };
      const links = await checkDraftLinks(`[moved](${origin}/moved)`, `${origin}/post.html`, { policy, timeoutMs: 2_000 });
      expect(links.findings).toHaveLength(1);
      expect(links.findings[0]).toContain(`redirects to http://***@127.0.0.1:${port}/ok`);
      expect(leaks(links.findings.join('\n'))).toBe(false);
    } finally {
      await new Promise((resolve) => site.close(resolve));
    }
  });
});
