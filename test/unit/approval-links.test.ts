/**
 * Approval links, one function at a time: the key file (created once, 0600, the same key when several processes
 * create it at once), signing and verifying (forged, altered, expired), the expiry cap at the question's deadline,
 * the single-use claim in SQLite, and the notice lines a worker writes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { promisify } from 'node:util';
import {
  createNoticeLinks,
  linkExpiry,
  loadLinkKey,
  newNonce,
  signLink,
  UsedLinks,
  verifyLink,
  type ApprovalLink,
} from '../../src/approval-links';

const run = promisify(execFile);
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'links-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const NOW = Date.parse('2026-11-27T12:00:00Z');
const link = (over: Partial<ApprovalLink> = {}): ApprovalLink => ({
  workflowId: 'onboarding-E1002',
  question: 'assignPermissions/approval#1',
  decision: 'approve',
  approver: 'manager@example.com',
  expiresAt: NOW + 3_600_000,
  nonce: newNonce(),
  ...over,
});

describe('the link key', () => {
  it('is created once, 32 bytes readable only by its owner, and read back after', () => {
    const file = path.join(dir, 'sub', 'link-key');
    const first = loadLinkKey(file);
    expect(first).toHaveLength(32);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadLinkKey(file).equals(first)).toBe(true);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['link-key']);
  });

  it('refuses a key file that is too short', () => {
    const file = path.join(dir, 'link-key');
    fs.writeFileSync(file, 'short');
    expect(() => loadLinkKey(file)).toThrow(/too short \(5 bytes/);
  });

  it('is the same key for every process that creates it at the same moment', async () => {
    const file = path.join(dir, 'link-key');
    const script = `process.stdout.write(require(${JSON.stringify(path.resolve('src/approval-links/key.ts'))}).loadLinkKey(${JSON.stringify(file)}).toString('hex'))`;
    const tsx = path.resolve('node_modules/.bin/tsx');
    const keys = await Promise.all(Array.from({ length: 6 }, () => run(tsx, ['-e', script]).then((r) => r.stdout)));
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toBe(fs.readFileSync(file).toString('hex'));
    expect(fs.readdirSync(dir)).toEqual(['link-key']);
  }, 60_000);
});

describe('signing and verifying', () => {
  const key = Buffer.alloc(32, 7);

  it('verifies its own token and gives the link back', () => {
    const l = link();
    expect(verifyLink(key, signLink(key, l), NOW)).toEqual({ ok: true, link: l });
  });

  it('refuses a token signed with another key, an altered payload or signature, and junk', () => {
    const token = signLink(key, link());
    const [payload, signature] = token.split('.') as [string, string];
    expect(verifyLink(Buffer.alloc(32, 8), token, NOW)).toEqual({ ok: false, problem: 'invalid' });
    const altered = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), d: 'reject' })).toString(
      'base64url',
    );
    expect(verifyLink(key, `${altered}.${signature}`, NOW)).toEqual({ ok: false, problem: 'invalid' });
    const flipped = signature.slice(0, -2) + (signature.at(-2) === 'A' ? 'B' : 'A') + signature.at(-1);
    expect(verifyLink(key, `${payload}.${flipped}`, NOW)).toEqual({ ok: false, problem: 'invalid' });
    for (const junk of ['', '.', 'abc', `${payload}.`, `${payload}.${signature}.x`, `${payload}.${signature}=`, 'a'.repeat(5_000)]) {
      expect(verifyLink(key, junk, NOW)).toEqual({ ok: false, problem: 'invalid' });
    }
  });

  it('refuses a signed token whose payload is not a link', () => {
    const payload = Buffer.from(JSON.stringify({ w: 'x' })).toString('base64url');
    const token = `${payload}.${createHmac('sha256', key).update(payload).digest('base64url')}`;
    expect(verifyLink(key, token, NOW)).toEqual({ ok: false, problem: 'invalid' });
  });

  it('refuses a link at and after its expiry, and says which link expired', () => {
    const l = link();
    expect(verifyLink(key, signLink(key, l), l.expiresAt - 1).ok).toBe(true);
    expect(verifyLink(key, signLink(key, l), l.expiresAt)).toEqual({ ok: false, problem: 'expired', link: l });
  });

  it('expires after the TTL, but never after the question deadline', () => {
    expect(linkExpiry(NOW, 72)).toBe(NOW + 72 * 3_600_000);
    expect(linkExpiry(NOW, 72, new Date(NOW + 3_600_000).toISOString())).toBe(NOW + 3_600_000);
    expect(linkExpiry(NOW, 1, new Date(NOW + 7_200_000).toISOString())).toBe(NOW + 3_600_000);
    expect(linkExpiry(NOW, 1, 'not a date')).toBe(NOW + 3_600_000);
  });
});

describe('single use', () => {
  it('claims a link once; a second claim, from another connection too, says who used it and when', () => {
    const file = path.join(dir, 'approval-links.db');
    const a = new UsedLinks(file);
    const b = new UsedLinks(file);
    try {
      const l = link();
      expect(a.find(l.nonce)).toBeUndefined();
      expect(a.claim(l, NOW)).toEqual({ claimed: true });
      expect(b.claim(l, NOW + 1_000)).toEqual({
        claimed: false,
        use: { approver: 'manager@example.com', usedAt: new Date(NOW).toISOString(), decision: 'approve' },
      });
      a.settle(l.nonce, 'approve by manager@example.com');
      expect(b.find(l.nonce)?.outcome).toBe('approve by manager@example.com');
      // A settled link is not given back.
      b.release(l.nonce);
      expect(a.find(l.nonce)).toBeDefined();
      // Another link of the same email is its own.
      expect(a.claim(link({ decision: 'reject' }), NOW)).toEqual({ claimed: true });
    } finally {
      a.close();
      b.close();
    }
  });

  it('gives back a claim whose decision never reached the run, and forgets links a day after they expired', () => {
    const store = new UsedLinks(path.join(dir, 'approval-links.db'));
    try {
      const l = link();
      store.claim(l, NOW);
      store.release(l.nonce);
      expect(store.claim(l, NOW)).toEqual({ claimed: true });
      store.claim(link(), l.expiresAt + 86_400_001);
      expect(store.find(l.nonce)).toBeUndefined();
    } finally {
      store.close();
    }
  });
});

describe('the notice lines', () => {
  const key = Buffer.alloc(32, 9);
  const make = createNoticeLinks({ key, consoleUrl: 'http://console.example:4000/', ttlHours: 72 });

  it('has one link per choice, signed for the recipient, expiring at the deadline', () => {
    const deadline = new Date(NOW + 3_600_000).toISOString();
    const text = make('onboarding-E1002', 'manager@example.com', { question: 'q#1', choices: ['approve', 'reject'], deadline }, NOW);
    const links = [...text.matchAll(/^ {2}(\w+): http:\/\/console\.example:4000\/act\?t=([\w.-]+)$/gm)].map((m) => [m[1]!, m[2]!] as const);
    expect(links.map(([label]) => label)).toEqual(['Approve', 'Reject']);
    const decoded = links.map(([, token]) => verifyLink(key, token, NOW));
    expect(
      decoded.map((d) => (d.ok ? [d.link.decision, d.link.approver, d.link.workflowId, d.link.question, d.link.expiresAt] : d)),
    ).toEqual([
      ['approve', 'manager@example.com', 'onboarding-E1002', 'q#1', NOW + 3_600_000],
      ['reject', 'manager@example.com', 'onboarding-E1002', 'q#1', NOW + 3_600_000],
    ]);
    expect(new Set(decoded.map((d) => d.ok && d.link.nonce)).size).toBe(2);
    expect(text).toContain('until 2026-11-27T13:00:00Z');
  });

  it('writes no links once the deadline has passed', () => {
    expect(make('w', 'm@example.com', { question: 'q', choices: ['approve'], deadline: new Date(NOW - 1).toISOString() }, NOW)).toBe('');
  });
});
