/**
 * The event gateway's HTTP server (node:http, no framework): `POST /events/<type>`, signed by the sender.
 * The checks that need no body come first (path, method, content type, declared size), so a request refused
 * on them is never read; the body is then read up to EVENTS_MAX_BODY_BYTES and handed to {@link receiveEvent}.
 *
 * Answers: 202 accepted, 200 duplicate, 400 invalid (each bad field named), 401 not authenticated,
 * 403 source not allowed the type, 404 unknown type, 405 not POST, 409 run completed or same event in flight,
 * 413 too large, 415 not JSON, 503 Temporal unreachable (retry).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { connectClient, type StartOptions } from '../../client';
import type { OvertureConfig } from '../../config/platform';
import { EVENT_TYPE_PATTERN } from './envelope';
import { receiveEvent, type Answer, type GatewayContext } from './gateway';
import { openEventReceipts } from '../../stores/open';
import { eventRoutes } from './routes';
import { ANY_TYPE, loadEventSources } from './sources';
import { runAlone } from '../run-alone';
import { listen } from '../../tools/dev-stack/listen';
import { handleHealthRoute, storesOpen, temporalReachable } from '../../temporal/observability/health';
import { startGatewayMetrics } from '../../temporal/observability/metrics-apps';
import { gatewayRoute } from '../../temporal/observability/metrics-http';

export interface EventGatewayOptions {
  client: Client;
  config: OvertureConfig;
  /** Defaults to config.EVENTS_HOST. */
  host?: string;
  /** Defaults to config.EVENTS_PORT; 0 picks a free port. */
  port?: number;
  log?: (line: string) => void;
  startOptions?: StartOptions;
}

export interface RunningEventGateway {
  url: string;
  /** The HTTP server (for supervision: `npm start` listens again if it closes unasked). */
  server: http.Server;
  stop(): Promise<void>;
}

const PATH = /^\/events\/([^/]+)$/;
const STOP_GRACE_MS = 5_000;

function send(res: http.ServerResponse, answer: Answer): void {
  const body = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...answer.headers,
  });
  res.end(body);
}

/** Refuses a request without reading its body: the connection closes, so the unread rest is never taken in. */
function refuseUnread(req: http.IncomingMessage, res: http.ServerResponse, answer: Answer): void {
  res.shouldKeepAlive = false;
  send(res, { ...answer, headers: { ...answer.headers, Connection: 'close' } });
  res.once('finish', () => req.socket.destroySoon());
}

/** The body, or undefined once it passes the limit (the request is then answered 413 and not read further). */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** Path, method, content type and declared size: what can be refused before reading a byte of the body. */
function precheck(req: http.IncomingMessage, limit: number): { type: string } | Answer {
  const { pathname } = new URL(req.url ?? '/', 'http://gateway.invalid');
  const match = PATH.exec(pathname);
  let type: string | undefined;
  try {
    type = match ? decodeURIComponent(match[1]!) : undefined;
  } catch {
    type = undefined; // a malformed %-escape names no event type
  }
  if (!type || !EVENT_TYPE_PATTERN.test(type)) return { status: 404, body: { error: 'not found: events are posted to /events/<type>' } };
  if (req.method !== 'POST') return { status: 405, body: { error: 'method not allowed: use POST' }, headers: { Allow: 'POST' } };
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (contentType !== 'application/json') return { status: 415, body: { error: 'unsupported content type: send application/json' } };
  if (Number(req.headers['content-length'] ?? 0) > limit) return { status: 413, body: { error: `the body is larger than ${limit} bytes` } };
  return { type };
}

/** Starts the gateway; resolves once it listens. Closes nothing it was given (the client). */
export async function startEventGateway(opts: EventGatewayOptions): Promise<RunningEventGateway> {
  const { client, config } = opts;
  const log = opts.log ?? (() => undefined);
  const { sources } = loadEventSources(config);
  const routes = eventRoutes();
  // This host's file, or the receipts every gateway shares (EVENT_RECEIPTS_URL): one event posted to two gateways acts once.
  const receipts = await openEventReceipts(config, log);
  const ctx: GatewayContext = { client, config, sources, routes, receipts, log, startOptions: opts.startOptions };
  const limit = config.EVENTS_MAX_BODY_BYTES;

  // Probes' /healthz and /readyz, unauthenticated (src/temporal/observability/health.ts); metrics on EVENTS_METRICS_PORT.
  let storesAreOpen = true;
  const readinessChecks = [temporalReachable(client.connection), storesOpen(() => storesAreOpen)];
  const metrics = await startGatewayMetrics(config);

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const { pathname } = new URL(req.url ?? '/', 'http://gateway.invalid');
    metrics?.observe(req, res, gatewayRoute(pathname));
    if (await handleHealthRoute(req, res, pathname, readinessChecks)) return;
    const checked = precheck(req, limit);
    if ('status' in checked) return refuseUnread(req, res, checked);
    const body = await readBody(req, limit);
    if (!body) return refuseUnread(req, res, { status: 413, body: { error: `the body is larger than ${limit} bytes` } });
    send(res, await receiveEvent(ctx, checked.type, { headers: req.headers, body }));
  };
  // A sender has seconds, not minutes, to send its headers and body: slow senders must not hold sockets open.
  const server = http.createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`internal error: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) send(res, { status: 500, body: { error: 'internal error' } });
      else res.destroy();
    });
  });
  const host = opts.host ?? config.EVENTS_HOST;
  await listen(server, opts.port ?? config.EVENTS_PORT, host);
  const { port } = server.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  if (metrics) log(`event gateway metrics at ${metrics.url}`);
  return {
    url: `http://${urlHost}:${port}`,
    server,
    async stop() {
      storesAreOpen = false;
      // Requests in flight get their answer (a sender cut off would retry, and be told "duplicate"); idle keep-alives close now.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
      await closed;
      clearTimeout(timer);
      await metrics?.stop();
      await receipts.close();
    },
  };
}

/** `npm start`'s gateway: its own Temporal client, on EVENTS_HOST:EVENTS_PORT; stop closes both. */
export async function startEventGatewayFromConfig(config: OvertureConfig, log: (line: string) => void): Promise<RunningEventGateway> {
  const client = await connectClient(config);
  let running: RunningEventGateway;
  try {
    running = await startEventGateway({ client, config, log });
  } catch (err) {
    await client.connection.close();
    throw err;
  }
  const { sources, origin } = loadEventSources(config);
  const types = [...eventRoutes().keys()].sort();
  log(`event gateway: POST ${running.url}/events/<type> (${types.join(', ') || 'no event types registered'}); sources from ${origin}`);
  // A typo in a source's types would only show as 404s at the sender's end: say it now.
  for (const [source, { types: allowed }] of Object.entries(sources)) {
    const unknown = allowed.filter((t) => t !== ANY_TYPE && !types.includes(t));
    if (unknown.length > 0) log(`warning: source ${source} lists event types no process routes: ${unknown.join(', ')}`);
  }
  return {
    url: running.url,
    server: running.server,
    async stop() {
      await running.stop();
      await client.connection.close();
    },
  };
}

/** `npm run events`: the gateway alone, beside `npm run worker` (e.g. on the host that receives webhooks). */
if (require.main === module) runAlone('event gateway', 'events', startEventGatewayFromConfig);
