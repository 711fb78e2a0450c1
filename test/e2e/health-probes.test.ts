/**
 * /healthz and /readyz of the worker (its own process, HEALTH_PORT), the console and the gateway, against a
 * Temporal server of this file's own: all ready while it runs; when it is stopped, every /readyz turns 503 naming
 * the Temporal check, while every /healthz stays 200 (the processes are alive: restarting them would not help).
 */
import { findFreePort, startTemporalDevServer, type DevServer } from '../../src/tools/dev-stack/temporal-server';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../workflows/kit/search-attributes';
import { startOperatorConsole, type RunningConsole } from '../../src/apps/console/server';
import { startEventGateway, type RunningEventGateway } from '../../src/apps/events/server';
import { kill, spawnWorker, type WorkerProcess } from '../helpers/processes';
import { eventually, startTestStack, type TestStack } from '../helpers/test-stack';

jest.setTimeout(180_000);

let server: DevServer;
let stack: TestStack;
let worker: WorkerProcess;
let operatorConsole: RunningConsole;
let gateway: RunningEventGateway;
let probed: Record<'worker' | 'console' | 'gateway', string>;

beforeAll(async () => {
  const binary = process.env.OVERTURE_TEST_TEMPORAL_BINARY;
  if (!binary) throw new Error('OVERTURE_TEST_TEMPORAL_BINARY is not set: run the tests with jest (globalSetup provisions Temporal)');
  server = await startTemporalDevServer({
    binary,
    port: await findFreePort(),
    headless: true,
    searchAttributes: SEARCH_ATTRIBUTE_DEFINITIONS,
  });
  const healthPort = await findFreePort();
  stack = await startTestStack({ TEMPORAL_ADDRESS: server.address, HEALTH_PORT: String(healthPort) }, { worker: false });
  worker = spawnWorker(stack.env);
  await worker.ready;
  operatorConsole = await startOperatorConsole({ client: stack.client, config: stack.config, port: 0 });
  gateway = await startEventGateway({ client: stack.client, config: stack.config, port: 0 });
  probed = { worker: `http://127.0.0.1:${healthPort}`, console: operatorConsole.url, gateway: gateway.url };
}, 150_000);

afterAll(async () => {
  if (worker) await kill(worker.child);
  await operatorConsole?.stop();
  await gateway?.stop();
  await stack?.stop();
  await server?.stop();
});

async function probe(base: string, path: '/healthz' | '/readyz'): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test('alive and ready while Temporal runs; still alive, not ready, once it is stopped', async () => {
  for (const [part, base] of Object.entries(probed)) {
    expect([part, (await probe(base, '/healthz')).status]).toEqual([part, 200]);
    // The worker's answer names its three checks; the console's and gateway's Temporal and their stores.
    const ready = await probe(base, '/readyz');
    expect([part, ready.status, ready.body.status]).toEqual([part, 200, 'ready']);
    expect(ready.body.checks).toMatchObject({ temporal: 'ok', stores: 'ok', ...(part === 'worker' ? { worker: 'ok' } : {}) });
  }

  await server.stop();

  for (const [part, base] of Object.entries(probed)) {
    const notReady = await eventually(
      async () => {
        const r = await probe(base, '/readyz');
        return r.status === 503 ? r : undefined;
      },
      15_000,
      `${part}'s /readyz to turn 503`,
    );
    expect(notReady.body).toMatchObject({ status: 'not ready', checks: { temporal: 'failed' } });
    expect([part, (await probe(base, '/healthz')).status]).toEqual([part, 200]);
  }
  // The worker process is still there to be probed: it waits for Temporal to come back rather than exiting.
  expect(worker.child.exitCode).toBeNull();
});

test('the probes need no sign-in and accept only GET and HEAD', async () => {
  const head = await fetch(`${probed.console}/healthz`, { method: 'HEAD' });
  expect(head.status).toBe(200);
  const post = await fetch(`${probed.gateway}/readyz`, { method: 'POST' });
  expect(post.status).toBe(405);
});
