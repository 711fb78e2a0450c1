/**
 * The supervisor of `npm start`'s parts, on real servers: a webhook receiver whose server closes unasked listens
 * again on its port (or, when the port is taken, gives up with the reason), and a SIGKILLed Temporal dev server
 * comes back on its port; parts released or stopped on purpose stay down.
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/tools/dev-stack/webhook-receiver';
import { findTemporalBinary } from '../../src/tools/dev-stack/temporal-binary';
import { findFreePort, isPortInUse, startTemporalDevServer, type StartDevServerOptions } from '../../src/tools/dev-stack/temporal-server';
import { RestartBudget, superviseServer, superviseTemporal, type RestartLimits } from '../../src/tools/dev-stack/supervisor';

jest.setTimeout(60_000);

const FAST: RestartLimits = { max: 2, windowMs: 60_000, firstPauseMs: 100 };

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('RestartBudget', () => {
  it('allows max restarts within the window, then none until the oldest leaves it', () => {
    let now = 0;
    const budget = new RestartBudget({ max: 3, windowMs: 300_000, firstPauseMs: 500 }, () => now);
    expect([budget.take(), budget.take(), budget.take(), budget.take()]).toEqual([1, 2, 3, undefined]);
    expect([budget.pauseMs(1), budget.pauseMs(2), budget.pauseMs(3)]).toEqual([500, 1000, 2000]);
    now = 300_000; // the first three leave the window
    expect(budget.take()).toBe(1);
    expect(budget.describe()).toBe('3 restarts within 5 min');
  });
});

describe('superviseServer', () => {
  let receiver: WebhookReceiver | undefined;
  let blocker: net.Server | undefined;
  let release = () => {};
  afterEach(async () => {
    release(); // as npm start does before it stops a part
    await receiver?.stop().catch(() => undefined);
    await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
    receiver = blocker = undefined;
  });

  it('listens again on the same port when the server closes unasked', async () => {
    receiver = await startWebhookReceiver({ port: 0 });
    const lines: string[] = [];
    const giveUp = jest.fn();
    release = superviseServer('webhook receiver', receiver.server, {
      log: (l) => lines.push(l),
      stopping: () => false,
      giveUp,
      limits: FAST,
    });

    await new Promise((resolve) => receiver!.server.close(resolve));
    await until(() => receiver!.server.listening, 'the receiver to listen again');

    const res = await fetch(receiver.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"hi"}' });
    expect(res.status).toBe(200);
    expect(receiver.received().map((w) => w.body)).toEqual([{ text: 'hi' }]);
    expect(lines[0]).toBe(`the webhook receiver closed unexpectedly; listening again on 127.0.0.1:${receiver.port} (1/2)`);
    expect(lines[1]).toMatch(/^the webhook receiver is back after \d+ ms$/);
    expect(giveUp).not.toHaveBeenCalled();
  });

  it('gives up, saying why, when its port stays taken', async () => {
    receiver = await startWebhookReceiver({ port: 0 });
    const reasons: string[] = [];
    release = superviseServer('webhook receiver', receiver.server, {
      log: () => undefined,
      stopping: () => false,
      giveUp: (r) => reasons.push(r),
      limits: FAST,
    });

    // Someone else takes the port in the moment it is free: every attempt to listen again fails.
    await new Promise((resolve) => receiver!.server.close(resolve));
    blocker = net.createServer();
    await new Promise<void>((resolve) => blocker!.listen(receiver!.port, '127.0.0.1', resolve));

    await until(() => reasons.length > 0, 'giveUp');
    expect(reasons).toEqual([
      `the webhook receiver on 127.0.0.1:${receiver.port} could not listen again (listen EADDRINUSE: address already in use 127.0.0.1:${receiver.port}) after 2 restarts within 1 min: giving up`,
    ]);
    expect(receiver.server.listening).toBe(false);
  });

  it('leaves a released server closed, and a stopping stack untouched', async () => {
    receiver = await startWebhookReceiver({ port: 0 });
    const log = jest.fn();
    release = superviseServer('webhook receiver', receiver.server, { log, stopping: () => false, giveUp: jest.fn(), limits: FAST });
    release();
    await receiver.stop();

    const other = await startWebhookReceiver({ port: 0 });
    superviseServer('webhook receiver', other.server, { log, stopping: () => true, giveUp: jest.fn(), limits: FAST });
    await other.stop();

    await sleep(FAST.firstPauseMs * 3);
    expect(log).not.toHaveBeenCalled();
    expect(await isPortInUse(receiver.port)).toBe(false);
    expect(await isPortInUse(other.port)).toBe(false);
  });
});

describe('superviseTemporal', () => {
  it('starts a SIGKILLed dev server again on its port, and none after stop()', async () => {
    const binary = findTemporalBinary();
    if (!binary) throw new Error('No Temporal CLI found: run `npm run temporal:provision` first.');
    const options: StartDevServerOptions = { binary, port: await findFreePort(), headless: true, searchAttributes: [] };
    const first = await startTemporalDevServer(options);
    const lines: string[] = [];
    const pids: number[] = [];
    const supervised = superviseTemporal(first, () => startTemporalDevServer(options), {
      log: (l) => lines.push(l),
      stopping: () => false,
      giveUp: (r) => lines.push(`gave up: ${r}`),
      limits: FAST,
      dbFile: '/data/temporal.db',
      onPid: (pid) => pids.push(pid),
    });

    process.kill(first.pid, 'SIGKILL');
    await until(() => lines.some((l) => l.startsWith('back after')), 'the server to come back', 30_000);
    expect(lines[0]).toBe('the server exited (signal SIGKILL); restarting on /data/temporal.db (1/2)');
    expect(lines[1]).toMatch(/^back after \d+ ms$/);
    expect(pids).toHaveLength(1);
    expect(pids[0]).not.toBe(first.pid);
    expect(supervised.pid).toBe(pids[0]);

    const connection = await Connection.connect({ address: first.address });
    try {
      expect((await connection.workflowService.getSystemInfo({})).capabilities).toBeTruthy();
    } finally {
      await connection.close();
    }

    await supervised.stop();
    await sleep(FAST.firstPauseMs * 3);
    expect(lines).toHaveLength(2); // no restart after a stop on purpose
    expect(await isPortInUse(options.port)).toBe(false);
  });
});
