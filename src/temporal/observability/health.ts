/**
 * Liveness and readiness, for an orchestrator's probes (compose healthchecks, the chart's probes):
 * `GET /healthz` answers 200 while the process serves HTTP at all (alive: restarting it would not help otherwise);
 * `GET /readyz` answers 200 only when every readiness check passes (Temporal reachable, stores open, the worker
 * polling), else 503. Both are unauthenticated and say only which check failed, never why: no addresses, no
 * names, no personal data. The console and the gateway answer them on their own port; the worker, which has no
 * HTTP server of its own, on HEALTH_PORT ({@link startHealthServer}).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen } from '../../tools/dev-stack/listen';

/** One readiness check: resolves when the part it checks is ready, throws (or rejects) when not. */
export interface ReadinessCheck {
  /** What it checks, as the /readyz answer names it: `temporal`, `stores`, `worker`. */
  name: string;
  check(): Promise<void> | void;
}

/** How long a check may take before it counts as failed: a probe must answer before the orchestrator's timeout (1 s by default). */
export const CHECK_TIMEOUT_MS = 800;

/** The part of a Temporal connection (the client's or the worker's native one) that a readiness check calls. */
export interface TemporalConnectionLike {
  withDeadline<R>(deadline: number | Date, fn: () => Promise<R>): Promise<R>;
  workflowService: { getSystemInfo(request: object): Promise<unknown> };
}

/** Temporal is reachable: the frontend answers GetSystemInfo (the cheapest call) within the check's deadline. */
export function temporalReachable(connection: TemporalConnectionLike): ReadinessCheck {
  return {
    name: 'temporal',
    check: async () => {
      await connection.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () => connection.workflowService.getSystemInfo({}));
    },
  };
}

/** A check that passes while `isOpen()` holds (the stores a process opened at start and has not closed). */
export function storesOpen(isOpen: () => boolean): ReadinessCheck {
  return {
    name: 'stores',
    check: () => {
      if (!isOpen()) throw new Error('closed');
    },
  };
}

/** The outcome of every check: ready when all passed. */
export interface Readiness {
  ready: boolean;
  checks: Record<string, 'ok' | 'failed'>;
}

async function passes(check: ReadinessCheck): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS + 200);
  });
  const run = (async () => {
    await check.check();
    return true;
  })().catch(() => false);
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check at once, each bounded in time. */
export async function readiness(checks: readonly ReadinessCheck[]): Promise<Readiness> {
  const results = await Promise.all(checks.map(async (c) => [c.name, (await passes(c)) ? 'ok' : 'failed'] as const));
  return { ready: results.every(([, r]) => r === 'ok'), checks: Object.fromEntries(results) };
}

function answer(res: http.ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

/** The health routes' paths: what a request router hands to {@link handleHealthRoute} before authentication. */
export const HEALTH_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

/**
 * Answers `/healthz` and `/readyz` (GET or HEAD); returns false for any other path, so the caller routes it.
 * Readiness runs the checks on each call: probes come every few seconds, and each check is one cheap call.
 */
export async function handleHealthRoute(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  pathname: string,
  checks: readonly ReadinessCheck[],
): Promise<boolean> {
  if (!HEALTH_PATHS.has(pathname)) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return true;
  }
  if (pathname === '/healthz') {
    answer(res, 200, { status: 'alive' });
    return true;
  }
  const result = await readiness(checks);
  answer(res, result.ready ? 200 : 503, { status: result.ready ? 'ready' : 'not ready', checks: result.checks });
  return true;
}

/** A running health server. */
export interface HealthServer {
  url: string;
  stop(): Promise<void>;
}

/** Serves only /healthz and /readyz on host:port (port 0: a free one), for a process with no HTTP server of its own. */
export async function startHealthServer(host: string, port: number, checks: () => readonly ReadinessCheck[]): Promise<HealthServer> {
  const server = http.createServer({ headersTimeout: 5_000, requestTimeout: 5_000 }, (req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://health.invalid');
    handleHealthRoute(req, res, pathname, checks())
      .then((handled) => {
        if (!handled) answer(res, 404, { error: 'not found: /healthz or /readyz' });
      })
      .catch(() => {
        if (!res.headersSent) answer(res, 500, { error: 'internal error' });
      });
  });
  const listening = await listenForOperators(server, host, port);
  return { url: listening.base, stop: listening.stop };
}

/**
 * Listens for an operational endpoint (health, metrics) on host:port (0: a free port); resolves with its base URL
 * as a scraper on this machine reaches it (a wildcard bind on loopback) and how to stop it.
 */
export async function listenForOperators(
  server: http.Server,
  host: string,
  port: number,
): Promise<{ base: string; stop: () => Promise<void> }> {
  await listen(server, port, host);
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    base: `http://${urlHost}:${bound}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
