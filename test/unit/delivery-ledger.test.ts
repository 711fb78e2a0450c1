import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteDeliveryLedger } from '../../src/stores/delivery-ledger/sqlite-ledger';
import { TransientError } from '../../activities/kit/errors';
import { ROOT } from '../helpers/processes';
import { pendingSend } from '../helpers/pending-send';

describe('SqliteDeliveryLedger (real SQLite file)', () => {
  let dir: string;
  let file: string;
  let ledger: SqliteDeliveryLedger;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'overture-ledger-'));
    file = path.join(dir, 'data', 'overture.db');
    ledger = new SqliteDeliveryLedger(file);
  });

  afterAll(() => {
    ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends once per key: the second call returns the first receipt without sending', async () => {
    const send = jest.fn(async () => '<first@overture.local>');
    const second = jest.fn(async () => '<second@overture.local>');

    const a = await ledger.deliverOnce('wf-1/run-1/sendWelcomeEmail', 'email', send);
    const b = await ledger.deliverOnce('wf-1/run-1/sendWelcomeEmail', 'email', second);

    expect(a).toEqual({ receipt: '<first@overture.local>', alreadyDelivered: false });
    expect(b).toEqual({ receipt: '<first@overture.local>', alreadyDelivered: true });
    expect(send).toHaveBeenCalledTimes(1);
    expect(second).not.toHaveBeenCalled();
    expect(ledger.count('email', 'wf-1/run-1/')).toBe(1);
  });

  it('delivers one key once per channel: a notice goes by email and by webhook', async () => {
    const byWebhook = jest.fn(async () => 'webhook-receipt');
    const byEmail = jest.fn(async () => '<notice@overture.local>');

    await ledger.deliverOnce('wf-9/run-1/notice/createWorkspace#1:notice', 'webhook', byWebhook);
    const email = await ledger.deliverOnce('wf-9/run-1/notice/createWorkspace#1:notice', 'email', byEmail);

    expect(email).toEqual({ receipt: '<notice@overture.local>', alreadyDelivered: false });
    expect(byEmail).toHaveBeenCalledTimes(1);
    expect(ledger.count('email', 'wf-9/')).toBe(1);
    expect(ledger.count('webhook', 'wf-9/')).toBe(1);
  });

  it('counts by literal key prefix: _ and % in employee ids are not wildcards', async () => {
    await ledger.deliverOnce('onboarding-E_1/run/notifyTeam', 'webhook', async () => 'r');
    await ledger.deliverOnce('onboarding-EX1/run/notifyTeam', 'webhook', async () => 'r');
    expect(ledger.count('webhook', 'onboarding-E_1/')).toBe(1);
  });

  it('keeps different keys apart', async () => {
    const send = jest.fn(async () => 'receipt');

    await ledger.deliverOnce('wf-2/run-1/notifyTeam', 'webhook', send);
    await ledger.deliverOnce('wf-2/run-2/notifyTeam', 'webhook', send);

    expect(send).toHaveBeenCalledTimes(2);
    expect(ledger.count('webhook', 'wf-2/')).toBe(2);
    expect(ledger.count('email', 'wf-2/')).toBe(0);
  });

  it('records nothing when send throws, so the next call sends', async () => {
    const key = 'wf-3/run-1/sendWelcomeEmail';
    const failing = jest.fn(async (): Promise<string> => {
      throw new Error('connection refused');
    });

    await expect(ledger.deliverOnce(key, 'email', failing)).rejects.toThrow('connection refused');
    expect(ledger.count('email', key)).toBe(0);

    const retry = jest.fn(async () => '<retry@overture.local>');
    await expect(ledger.deliverOnce(key, 'email', retry)).resolves.toEqual({ receipt: '<retry@overture.local>', alreadyDelivered: false });
    expect(retry).toHaveBeenCalledTimes(1);
    expect(ledger.count('email', key)).toBe(1);
  });

  it('survives reopening the file (a restarted worker still knows what was sent)', async () => {
    const key = 'wf-4/run-1/notifyTeam';
    await ledger.deliverOnce(key, 'webhook', async () => 'hook-receipt');

    const reopened = new SqliteDeliveryLedger(file);
    try {
      const send = jest.fn(async () => 'other-receipt');
      await expect(reopened.deliverOnce(key, 'webhook', send)).resolves.toEqual({ receipt: 'hook-receipt', alreadyDelivered: true });
      expect(send).not.toHaveBeenCalled();
      expect(reopened.count('webhook', key)).toBe(1);
    } finally {
      reopened.close();
    }
  });

  it('survives closing every connection and opening the file afresh', async () => {
    const key = 'wf-5/run-1/sendWelcomeEmail';
    await ledger.deliverOnce(key, 'email', async () => 'mail-receipt');
    ledger.close();

    ledger = new SqliteDeliveryLedger(file);
    const send = jest.fn(async () => 'again');
    await expect(ledger.deliverOnce(key, 'email', send)).resolves.toEqual({ receipt: 'mail-receipt', alreadyDelivered: true });
    expect(send).not.toHaveBeenCalled();
  });
});

describe('SqliteDeliveryLedger claims: two ledgers (two workers) on the same SQLite file', () => {
  let dir: string;
  let file: string;
  let a: SqliteDeliveryLedger;
  let b: SqliteDeliveryLedger;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'overture-ledger-claims-'));
    file = path.join(dir, 'overture.db');
    a = new SqliteDeliveryLedger(file);
    b = new SqliteDeliveryLedger(file);
  });

  afterAll(() => {
    a.close();
    b.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a second claimant of a key in flight fails transiently, saying who holds it, and sends nothing', async () => {
    const key = 'wf-c1/run-1/sendWelcomeEmail';
    const first = pendingSend('<first@overture.local>');
    const sending = a.deliverOnce(key, 'email', first.send, { claimant: 'attempt 1' });
    await new Promise((r) => setImmediate(r));
    expect(a.claimOf(key, 'email')).toMatchObject({ holder: 'attempt 1', pid: process.pid });

    const second = jest.fn(async () => '<second@overture.local>');
    const overlapping = b.deliverOnce(key, 'email', second, { claimant: 'attempt 2' });
    await expect(overlapping).rejects.toThrow(TransientError);
    await expect(overlapping).rejects.toThrow(
      /is being sent by another attempt \(attempt 1 on .+, claimed \d+ ms ago, claim expires in \d+ ms\)/,
    );
    expect(second).not.toHaveBeenCalled();

    first.finish();
    await expect(sending).resolves.toEqual({ receipt: '<first@overture.local>', alreadyDelivered: false });
    // The receipt replaced the claim: the retry finds it.
    expect(a.claimOf(key, 'email')).toBeUndefined();
    await expect(b.deliverOnce(key, 'email', second)).resolves.toEqual({ receipt: '<first@overture.local>', alreadyDelivered: true });
    expect(second).not.toHaveBeenCalled();
    expect(first.send).toHaveBeenCalledTimes(1);
    expect(b.count('email', key)).toBe(1);
  });

  it('a claimant that may wait gets the receipt of the send in flight once it lands, heartbeating meanwhile', async () => {
    const key = 'wf-c2/run-1/notifyTeam';
    const first = pendingSend('hook-1');
    const sending = a.deliverOnce(key, 'webhook', first.send);
    await new Promise((r) => setImmediate(r));

    const second = jest.fn(async () => 'hook-2');
    const heartbeat = jest.fn();
    const waiting = b.deliverOnce(key, 'webhook', second, { waitMs: 5_000, heartbeat });
    setTimeout(() => first.finish(), 400);

    await expect(waiting).resolves.toEqual({ receipt: 'hook-1', alreadyDelivered: true });
    await sending;
    expect(second).not.toHaveBeenCalled();
    expect(heartbeat.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect(b.count('webhook', key)).toBe(1);
  });

  it('a failed send releases the claim at once: the next claimant sends without waiting', async () => {
    const key = 'wf-c3/run-1/sendWelcomeEmail';
    const first = pendingSend('never');
    const sending = a.deliverOnce(key, 'email', first.send);
    await new Promise((r) => setImmediate(r));
    first.fail(new TransientError('SMTP delivery failed (421)'));
    await expect(sending).rejects.toThrow('SMTP delivery failed (421)');
    expect(a.claimOf(key, 'email')).toBeUndefined();

    const retry = jest.fn(async () => '<retry@overture.local>');
    await expect(b.deliverOnce(key, 'email', retry)).resolves.toEqual({ receipt: '<retry@overture.local>', alreadyDelivered: false });
    expect(retry).toHaveBeenCalledTimes(1);
    expect(b.count('email', key)).toBe(1);
  });

  it('an expired claim is taken over; the first receipt recorded is the one kept', async () => {
    const key = 'wf-c4/run-1/sendWelcomeEmail';
    const first = pendingSend('<slow@overture.local>');
    const sending = a.deliverOnce(key, 'email', first.send, { claimMs: 50, claimant: 'slow attempt' });
    await new Promise((r) => setTimeout(r, 120));

    const takeover = jest.fn(async () => '<takeover@overture.local>');
    await expect(b.deliverOnce(key, 'email', takeover, { claimant: 'retry' })).resolves.toEqual({
      receipt: '<takeover@overture.local>',
      alreadyDelivered: false,
    });
    expect(takeover).toHaveBeenCalledTimes(1);
    // The window the claim's expiry leaves: the slow send lands too, but the ledger keeps one receipt.
    first.finish();
    await sending;
    expect(a.count('email', key)).toBe(1);
    await expect(a.deliverOnce(key, 'email', jest.fn())).resolves.toEqual({ receipt: '<takeover@overture.local>', alreadyDelivered: true });
    expect(a.claimOf(key, 'email')).toBeUndefined();
  });

  it('a claim whose process was killed is taken over at once, long before it expires', async () => {
    const key = 'wf-c5/run-1/sendWelcomeEmail';
    // A real worker process claims the key and hangs in its send; then it is killed with SIGKILL.
    const script = `
      const { SqliteDeliveryLedger } = require(${JSON.stringify(path.join(ROOT, 'src', 'stores', 'delivery-ledger', 'sqlite-ledger'))});
      const ledger = new SqliteDeliveryLedger(${JSON.stringify(file)});
      ledger.deliverOnce(${JSON.stringify(key)}, 'email', () => { console.log('sending'); return new Promise(() => {}); }, { claimMs: 600000, claimant: 'doomed worker' });
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('sending') && resolve());
      child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    const claim = b.claimOf(key, 'email');
    expect(claim).toMatchObject({ holder: 'doomed worker', pid: child.pid });
    expect(claim!.expiresAt - Date.now()).toBeGreaterThan(500_000);

    // While it lives, its claim holds.
    await expect(
      b.deliverOnce(
        key,
        'email',
        jest.fn(async () => 'x'),
      ),
    ).rejects.toThrow(/being sent by another attempt \(doomed worker/);
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;

    const retry = jest.fn(async () => '<after-crash@overture.local>');
    await expect(b.deliverOnce(key, 'email', retry)).resolves.toEqual({ receipt: '<after-crash@overture.local>', alreadyDelivered: false });
    expect(retry).toHaveBeenCalledTimes(1);
  }, 30_000);
});
