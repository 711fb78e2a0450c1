/**
 * The shared delivery ledger on a real PostgreSQL, with two ledgers standing for two hosts: a message is sent once
 * across hosts, a failed send gives the key up, and a claim whose worker was SIGKILLed is taken over within
 * seconds (its session's lock is gone), not after the claim's expiry.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { TransientError } from '../../activities/kit/errors';
import { connectionConfig } from '../../src/stores/postgres/connection';
import { PostgresDeliveryLedger } from '../../src/stores/delivery-ledger/postgres-ledger';
import { ROOT } from '../helpers/processes';
import { startTestPostgres, type TestPostgres } from '../helpers/private-postgres';
import { pendingSend } from '../helpers/pending-send';

let pg: TestPostgres;
let url: string;
let a: PostgresDeliveryLedger;
let b: PostgresDeliveryLedger;

beforeAll(async () => {
  pg = await startTestPostgres();
  url = pg.urlFor('overture_ledger');
  // Two "hosts" opening (and so migrating) the same, not yet existing, database at once.
  [a, b] = await Promise.all([PostgresDeliveryLedger.open(url, { host: 'host-a' }), PostgresDeliveryLedger.open(url, { host: 'host-b' })]);
}, 60_000);

afterAll(async () => {
  await a?.close();
  await b?.close();
  await pg?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until the ledger shows a claim on the key (the first claimant's transaction has committed). */
async function claimed(ledger: PostgresDeliveryLedger, key: string, channel: 'email' | 'webhook') {
  for (let i = 0; i < 100; i++) {
    const claim = await ledger.claimOf(key, channel);
    if (claim) return claim;
    await sleep(20);
  }
  throw new Error(`no claim on ${key} appeared`);
}

describe('PostgresDeliveryLedger: two hosts on one database', () => {
  it('two hosts racing for one key: send is called once and both return its receipt', async () => {
    const key = 'wf-r1/run-1/sendWelcomeEmail';
    const sends = jest.fn(async (who: string) => {
      await sleep(150);
      return `<${who}@overture.local>`;
    });
    const [fromA, fromB] = await Promise.all([
      a.deliverOnce(key, 'email', () => sends('a'), { waitMs: 5_000, claimant: 'attempt on a' }),
      b.deliverOnce(key, 'email', () => sends('b'), { waitMs: 5_000, claimant: 'attempt on b' }),
    ]);

    expect(sends).toHaveBeenCalledTimes(1);
    expect(fromA.receipt).toBe(fromB.receipt);
    expect([fromA.alreadyDelivered, fromB.alreadyDelivered].sort()).toEqual([false, true]);
    expect(await a.count('email', key)).toBe(1);
    expect(await b.claimOf(key, 'email')).toBeUndefined();
  });

  it('many keys raced by both hosts at once: each key is sent exactly once', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `wf-many-${i}/run-1/notifyTeam`);
    const sent: string[] = [];
    const send = (key: string, host: string) => async () => {
      sent.push(key);
      await sleep(Math.random() * 30);
      return `${host}:${key}`;
    };
    const results = await Promise.all(
      keys.flatMap((key) => [a, b].map((ledger, i) => ledger.deliverOnce(key, 'webhook', send(key, `host-${i}`), { waitMs: 10_000 }))),
    );

    expect(sent.sort()).toEqual([...keys].sort());
    for (let i = 0; i < keys.length; i++) expect(results[2 * i]!.receipt).toBe(results[2 * i + 1]!.receipt);
    expect(await b.count('webhook', 'wf-many-')).toBe(keys.length);
  });

  it('a second claimant of a key in flight fails transiently, saying who holds it on which host, and sends nothing', async () => {
    const key = 'wf-c1/run-1/sendWelcomeEmail';
    const first = pendingSend('<first@overture.local>');
    const sending = a.deliverOnce(key, 'email', first.send, { claimant: 'attempt 1' });
    expect(await claimed(b, key, 'email')).toMatchObject({ holder: 'attempt 1', host: 'host-a', pid: process.pid, live: true });

    const second = jest.fn(async () => '<second@overture.local>');
    const overlapping = b.deliverOnce(key, 'email', second, { claimant: 'attempt 2' });
    await expect(overlapping).rejects.toThrow(TransientError);
    await expect(overlapping).rejects.toThrow(
      /is being sent by another attempt \(attempt 1 on host-a, claimed \d+ ms ago, claim expires in \d+ ms\)/,
    );
    expect(second).not.toHaveBeenCalled();

    first.finish();
    await expect(sending).resolves.toEqual({ receipt: '<first@overture.local>', alreadyDelivered: false });
    expect(await a.claimOf(key, 'email')).toBeUndefined();
    await expect(b.deliverOnce(key, 'email', second)).resolves.toEqual({ receipt: '<first@overture.local>', alreadyDelivered: true });
    expect(second).not.toHaveBeenCalled();
    expect(await b.count('email', key)).toBe(1);
  });

  it('a claimant that may wait gets the receipt once the send in flight lands, heartbeating meanwhile', async () => {
    const key = 'wf-c2/run-1/notifyTeam';
    const first = pendingSend('hook-1');
    const sending = a.deliverOnce(key, 'webhook', first.send);
    await claimed(b, key, 'webhook');

    const second = jest.fn(async () => 'hook-2');
    const heartbeat = jest.fn();
    const waiting = b.deliverOnce(key, 'webhook', second, { waitMs: 5_000, heartbeat });
    setTimeout(() => first.finish(), 400);

    await expect(waiting).resolves.toEqual({ receipt: 'hook-1', alreadyDelivered: true });
    await sending;
    expect(second).not.toHaveBeenCalled();
    expect(heartbeat.mock.calls.length).toBeGreaterThanOrEqual(2);
  });

  it('a failed send releases the claim at once: the other host sends without waiting', async () => {
    const key = 'wf-c3/run-1/sendWelcomeEmail';
    const first = pendingSend('never');
    const sending = a.deliverOnce(key, 'email', first.send);
    await claimed(b, key, 'email');
    first.fail(new TransientError('SMTP delivery failed (421)'));
    await expect(sending).rejects.toThrow('SMTP delivery failed (421)');
    expect(await a.claimOf(key, 'email')).toBeUndefined();
    expect(await a.count('email', key)).toBe(0);

    const retry = jest.fn(async () => '<retry@overture.local>');
    await expect(b.deliverOnce(key, 'email', retry)).resolves.toEqual({ receipt: '<retry@overture.local>', alreadyDelivered: false });
    expect(retry).toHaveBeenCalledTimes(1);
    expect(await b.count('email', key)).toBe(1);
  });

  it('an expired claim is taken over although its holder lives; the first receipt recorded is the one kept', async () => {
    const key = 'wf-c4/run-1/sendWelcomeEmail';
    const first = pendingSend('<slow@overture.local>');
    const sending = a.deliverOnce(key, 'email', first.send, { claimMs: 50, claimant: 'slow attempt' });
    await claimed(b, key, 'email');
    await sleep(120);
    expect(await b.claimOf(key, 'email')).toMatchObject({ holder: 'slow attempt', live: false });

    const takeover = jest.fn(async () => '<takeover@overture.local>');
    await expect(b.deliverOnce(key, 'email', takeover, { claimant: 'retry' })).resolves.toEqual({
      receipt: '<takeover@overture.local>',
      alreadyDelivered: false,
    });
    expect(takeover).toHaveBeenCalledTimes(1);
    first.finish();
    await sending;
    expect(await a.count('email', key)).toBe(1);
    await expect(a.deliverOnce(key, 'email', jest.fn())).resolves.toEqual({ receipt: '<takeover@overture.local>', alreadyDelivered: true });
    expect(await a.claimOf(key, 'email')).toBeUndefined();
  });

  it('counts by literal key prefix: _ and % in employee ids are not wildcards', async () => {
    await a.deliverOnce('onboarding-E_1/run/notifyTeam', 'webhook', async () => 'r');
    await b.deliverOnce('onboarding-EX1/run/notifyTeam', 'webhook', async () => 'r');
    await b.deliverOnce('onboarding-E%1/run/notifyTeam', 'webhook', async () => 'r');
    expect(await a.count('webhook', 'onboarding-E_1/')).toBe(1);
    expect(await a.count('webhook', 'onboarding-E%')).toBe(1);
    expect(await a.count('email', 'onboarding-E_1/')).toBe(0);
  });

  it('a reopened ledger (a restarted worker) still knows what was sent; no session keeps a lock once its call ended', async () => {
    const key = 'wf-4/run-1/notifyTeam';
    await a.deliverOnce(key, 'webhook', async () => 'hook-receipt');
    const reopened = await PostgresDeliveryLedger.open(url, { host: 'host-c' });
    try {
      const send = jest.fn(async () => 'other-receipt');
      await expect(reopened.deliverOnce(key, 'webhook', send)).resolves.toEqual({ receipt: 'hook-receipt', alreadyDelivered: true });
      expect(send).not.toHaveBeenCalled();
    } finally {
      await reopened.close();
    }
    const locks = await pg.query<{ n: number }>('overture_ledger', "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'");
    expect(locks).toEqual([{ n: 0 }]);
  });

  it("every session asks the server for TCP keepalives, so a vanished host's claims end in about a minute", async () => {
    const client = new Client(connectionConfig(url, 'keepalive-check'));
    await client.connect();
    try {
      const show = async (name: string) => (await client.query<Record<string, string>>(`SHOW ${name}`)).rows[0]![name];
      expect([await show('tcp_keepalives_idle'), await show('tcp_keepalives_interval'), await show('tcp_keepalives_count')]).toEqual([
        '20',
        '10',
        '4',
      ]);
      expect(await show('application_name')).toBe('keepalive-check');
    } finally {
      await client.end();
    }
  });

  it('closing does not wait for ever on a send that hangs: a worker shutting down goes on after a grace period', async () => {
    const ledger = await PostgresDeliveryLedger.open(url, { host: 'host-hung' });
    void ledger.deliverOnce('wf-hung/run-1/notifyTeam', 'webhook', () => new Promise<string>(() => {})).catch(() => undefined);
    await claimed(a, 'wf-hung/run-1/notifyTeam', 'webhook');
    const started = Date.now();
    await ledger.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_500);
    expect(Date.now() - started).toBeLessThan(8_000);
  }, 20_000);

  it('a claim held by a worker killed with SIGKILL mid-send is taken over within seconds, long before it expires', async () => {
    const key = 'wf-c5/run-1/sendWelcomeEmail';
    // A real worker process on "host-doomed" claims the key and hangs in its send; then it is killed with SIGKILL.
    const script = `
      const { PostgresDeliveryLedger } = require(${JSON.stringify(path.join(ROOT, 'src', 'stores', 'delivery-ledger', 'postgres-ledger'))});
      PostgresDeliveryLedger.open(${JSON.stringify(url)}, { host: 'host-doomed' }).then((ledger) =>
        ledger.deliverOnce(${JSON.stringify(key)}, 'email', () => { console.log('sending'); return new Promise(() => {}); }, { claimMs: 600000, claimant: 'doomed worker' }));
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('sending') && resolve());
      child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    const claim = await b.claimOf(key, 'email');
    expect(claim).toMatchObject({ holder: 'doomed worker', host: 'host-doomed', pid: child.pid, live: true });
    expect(claim!.expiresInMs).toBeGreaterThan(500_000);

    // While it lives, its claim holds.
    await expect(
      b.deliverOnce(
        key,
        'email',
        jest.fn(async () => 'x'),
      ),
    ).rejects.toThrow(/being sent by another attempt \(doomed worker on host-doomed/);
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;

    const killedAt = Date.now();
    const retry = jest.fn(async () => '<after-crash@overture.local>');
    await expect(b.deliverOnce(key, 'email', retry, { waitMs: 10_000 })).resolves.toEqual({
      receipt: '<after-crash@overture.local>',
      alreadyDelivered: false,
    });
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    expect(retry).toHaveBeenCalledTimes(1);
    expect(await a.count('email', key)).toBe(1);
  }, 60_000);
});
