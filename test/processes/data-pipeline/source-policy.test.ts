/**
 * The pipeline's URL sources against real HTTP servers on loopback: a source is fetched only from the hosts
 * allowed for its dataset, never from an internal address however it is spelled, each redirect vetted again,
 * within a byte limit and a time budget; nothing of a refused or internal answer reaches the step's result.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createPipelineSourceActivities, type PipelineSourceDependencies } from '../../../activities/data-pipeline/source';
import { parseSourceHosts, sourcePolicy } from '../../../activities/data-pipeline/source-hosts';
import { vetAddress } from '../../../activities/kit/outbound-policy';
import { settings } from '../../../activities/data-pipeline/settings';
import { loadConfig } from '../../../src/config';
import { activityEnvFor, failureOf } from '../../helpers/activity-env';

const CSV = 'order_id,customer_id,order_date,amount,currency,country\nO1,C1,2026-11-01,12.50,EUR,DE\n';
const SECRET = 'INTERNAL_SECRET_TOKEN_7f3a';

interface TestServer {
  port: number;
  requests: string[];
  close(): Promise<void>;
}

type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A loopback server whose every answer carries an internal header, as an internal service's might. */
async function startServer(routes: Record<string, Route>): Promise<TestServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    res.setHeader('x-internal-token', SECRET);
    const route = routes[req.url ?? ''];
    if (route) route(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let dir: string;
let source: TestServer;
let internal: TestServer;

beforeAll(async () => {
  internal = await startServer({ '/secret.csv': (_req, res) => res.writeHead(200).end(`${SECRET},order_id\n1,2\n`) });
  source = await startServer({
    '/orders.csv': (_req, res) => res.writeHead(200, { 'content-type': 'text/csv' }).end(CSV),
    '/to-internal': (_req, res) => res.writeHead(302, { location: `http://127.0.0.1:${internal.port}/secret.csv` }).end(),
    '/to-orders': (_req, res) => res.writeHead(302, { location: '/orders.csv' }).end(),
    '/loop': (_req, res) => res.writeHead(302, { location: '/loop' }).end(),
    '/big': (_req, res) => {
      // 2 MiB, chunked: no Content-Length to refuse it by.
      res.writeHead(200);
      for (let i = 0; i < 32; i++) res.write(Buffer.alloc(64 * 1024, 'a'));
      res.end();
    },
    '/big-announced': (_req, res) => res.writeHead(200, { 'content-length': String(5 * 1024 * 1024) }).end(),
    '/trickle': (_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write('O,'), 50);
      res.once('close', () => clearInterval(timer));
    },
    '/silent': () => undefined,
  });
});
afterAll(async () => {
  await source.close();
  await internal.close();
});
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pipeline-source-'));
  source.requests.length = 0;
  internal.requests.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs extractSource for `url` with the given dependencies (the source server allowed for orders by default). */
function extract(url: string, deps: Partial<PipelineSourceDependencies> = {}) {
  const activities = createPipelineSourceActivities({
    inboxDir: path.join(dir, 'inbox'),
    stagingDir: path.join(dir, 'staging'),
    sourceHosts: { orders: [`127.0.0.1:${source.port}`] },
    ...deps,
  });
  return activityEnvFor('pipeline-orders-x').runActivity(activities.extractSource, { source: { url }, dataset: 'orders' });
}

describe('the hosts a dataset allows', () => {
  it('fetches a source on an allowed host', async () => {
    const { output } = await extract(`http://127.0.0.1:${source.port}/orders.csv`);
    expect(readFileSync(output.sourceFile, 'utf8')).toBe(CSV);
    expect(JSON.stringify(output)).not.toContain(SECRET);
  });

  it.each([
    ['127.0.0.1', (port: number) => `http://127.0.0.1:${port}/secret.csv`],
    ['[::1]', (port: number) => `http://[::1]:${port}/secret.csv`],
    ['2130706433', (port: number) => `http://2130706433:${port}/secret.csv`],
    ['0x7f.1', (port: number) => `http://0x7f.1:${port}/secret.csv`],
    ['localhost', (port: number) => `http://localhost:${port}/secret.csv`],
  ])('refuses a loopback address spelled %s, for good, without a request', async (_spelling, urlOf) => {
    const failure = await failureOf(extract(urlOf(internal.port)));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/which the data pipeline does not fetch: host not on the allow-list/);
    expect(failure.message).not.toContain('secret.csv');
    expect(internal.requests).toEqual([]);
  });

  it('refuses a loopback address spelled any way even when its name is allowed (the name resolves to loopback)', async () => {
    for (const host of ['localhost', 'exports.test']) {
      const resolve = async () => ['127.0.0.1'];
      const failure = await failureOf(
        extract(`http://${host}:${internal.port}/secret.csv`, { sourceHosts: { orders: [`${host}:${internal.port}`] }, resolve }),
      );
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toContain(`${host} is at a loopback address, which the data pipeline never contacts`);
    }
    // The numeric spellings are the same address as 127.0.0.1: an allow-list naming another port does not cover them.
    for (const host of ['2130706433', '0x7f.1', '[::1]', '[::ffff:127.0.0.1]']) {
      const url = new URL(`http://${host}:${internal.port}/`);
      expect(await vetAddress(url, sourcePolicy([`127.0.0.1:${source.port}`]))).toMatchObject({ allowed: false });
    }
    expect(internal.requests).toEqual([]);
  });

  it("allows a dataset's hosts to that dataset only", async () => {
    const failure = await failureOf(
      extract(`http://127.0.0.1:${source.port}/orders.csv`, { sourceHosts: { orders: [], invoices: [`127.0.0.1:${source.port}`] } }),
    );
    expect(failure.message).toContain('host not on the allow-list; allow it with PIPELINE_SOURCE_HOSTS=orders=127.0.0.1:');
    expect(source.requests).toEqual([]);
  });

  it('fetches no URL at all by default', async () => {
    const failure = await failureOf(extract(`http://127.0.0.1:${source.port}/orders.csv`, { sourceHosts: undefined }));
    expect(failure.nonRetryable).toBe(true);
    expect(source.requests).toEqual([]);
  });

  it('takes the hosts and bounds from the configuration, and refuses to start with a malformed entry', () => {
    const pipeline = settings.of(
      loadConfig({ PIPELINE_SOURCE_HOSTS: 'orders=exports.example.com, orders=127.0.0.1:8080', PIPELINE_MAX_COLUMNS: '50' }),
    );
    expect(pipeline.sourceHosts).toEqual({ orders: ['exports.example.com', '127.0.0.1:8080'] });
    expect(pipeline.sourceLimits).toMatchObject({ maxColumns: 50, maxLineBytes: 65_536, maxBytes: 1024 * 1024 * 1024 });
    expect(settings.of(loadConfig({})).sourceHosts).toEqual({ orders: [] });
    expect(() => loadConfig({ PIPELINE_SOURCE_HOSTS: 'orders=127.0.0.1:8080/exports' })).toThrow(
      /PIPELINE_SOURCE_HOSTS: "orders=127.0.0.1:8080\/exports": host or host:port/,
    );
  });

  it('reads PIPELINE_SOURCE_HOSTS entries by dataset, refusing a malformed one', () => {
    expect(parseSourceHosts(['orders=exports.example.com', 'orders=10.0.0.5:8080'], ['orders'])).toEqual({
      orders: ['exports.example.com', '10.0.0.5:8080'],
    });
    expect(() => parseSourceHosts(['payroll=x.example'], ['orders'])).toThrow(/a dataset of orders comes before "="/);
    expect(() => parseSourceHosts(['orders=http://x.example/a'], ['orders'])).toThrow(/host or host:port/);
    // Named hosts must be public; an address named by the operator is contacted as named.
    expect(sourcePolicy(['exports.example.com', '10.0.0.5:8080'])).toEqual({
      allowedHosts: ['exports.example.com'],
      trustedOrigins: ['http://10.0.0.5:8080', 'https://10.0.0.5:8080'],
    });
  });
});

describe('redirects', () => {
  it('vets each redirect again: one to a host not allowed (another port) is refused, and nothing of it is read', async () => {
    const failure = await failureOf(extract(`http://127.0.0.1:${source.port}/to-internal`));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(
      `the source redirects to 127.0.0.1:${internal.port}, which the data pipeline does not fetch: host not on the allow-list; allow it with PIPELINE_SOURCE_HOSTS=orders=127.0.0.1:${internal.port}`,
    );
    expect(failure.message).not.toContain(SECRET);
    expect(internal.requests).toEqual([]);
  });

  it('follows a redirect to an allowed place, and at most 3', async () => {
    const { output } = await extract(`http://127.0.0.1:${source.port}/to-orders`);
    expect(readFileSync(output.sourceFile, 'utf8')).toBe(CSV);
    const failure = await failureOf(extract(`http://127.0.0.1:${source.port}/loop`));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('more than 3 redirects');
    expect(source.requests.filter((r) => r === '/loop')).toHaveLength(4);
  });
});

describe('bounds on a download', () => {
  it('stops reading a source past the byte limit, for good', async () => {
    const failure = await failureOf(extract(`http://127.0.0.1:${source.port}/big`, { limits: { maxBytes: 1024 * 1024 } }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('the answer is larger than 1048576 bytes, the most the data pipeline reads');
  });

  it('refuses a source that announces more than the limit without reading it', async () => {
    const failure = await failureOf(extract(`http://127.0.0.1:${source.port}/big-announced`, { limits: { maxBytes: 1024 * 1024 } }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('the answer announces 5242880 bytes, more than the 1048576 the data pipeline reads');
  });

  it('gives up on a source that trickles past the time budget (transient: it may be quicker later)', async () => {
    const started = Date.now();
    const failure = await failureOf(extract(`http://127.0.0.1:${source.port}/trickle`, { limits: { downloadTimeoutMs: 600 } }));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toBe('the data pipeline gave up after 600 ms');
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('gives up on a source that says nothing for the idle timeout', async () => {
    const failure = await failureOf(extract(`http://127.0.0.1:${source.port}/silent`, { limits: { idleTimeoutMs: 300 } }));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toBe('no answer to the data pipeline for 300 ms');
  });
});
