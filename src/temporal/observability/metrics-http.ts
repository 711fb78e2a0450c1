/**
 * Prometheus metrics of the console and the event gateway (prom-client): each app's own registry, with Node's
 * process metrics, the request histogram, and what the app adds (the console's gauges, ./metrics-census.ts),
 * served on a port of its own (CONSOLE_METRICS_PORT, EVENTS_METRICS_PORT on METRICS_HOST), never on the port people
 * and senders use. Requests are labelled by route template, never by path: no run, event or operator id in a label.
 */
import http from 'node:http';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { listenForOperators } from './health';

/** The names of the console's and the gateway's metrics, as their endpoints show them. */
export const HTTP_METRICS = {
  requestDuration: 'overture_http_request_duration_seconds',
} as const;

/** From a quick JSON answer to a Temporal round trip to an event stream held open. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Which app the metrics are of: a label on each request, so one dashboard tells them apart whatever the scrape job is called. */
export type MetricsApp = 'console' | 'gateway';

/** An app's metrics: its registry, and how to observe a request. */
export interface AppMetrics {
  registry: Registry;
  /** Starts timing a request; the sample is taken when the response finishes (or the client goes away). */
  observe: (req: http.IncomingMessage, res: http.ServerResponse, route: string) => void;
}

/** A registry with Node's process metrics and the request histogram of `app`. */
export function createAppMetrics(app: MetricsApp): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: HTTP_METRICS.requestDuration,
    help: 'HTTP requests answered, by route template, method and status (the _count is the request count)',
    labelNames: ['app', 'route', 'method', 'status'] as const,
    buckets: REQUEST_BUCKETS,
    registers: [registry],
  });
  return {
    registry,
    observe(req, res, route) {
      const end = duration.startTimer({ app, route, method: METHODS.has(req.method ?? '') ? req.method! : 'other' });
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        // 499, as proxies say: the client went away before an answer was sent.
        end({ status: String(res.headersSent ? res.statusCode : 499) });
      };
      res.once('finish', finish);
      res.once('close', finish);
    },
  };
}

const CONSOLE_API_RESOURCES = new Set(['session', 'processes', 'vocabulary', 'runs', 'inbox', 'events', 'escalations', 'demos', 'logout']);
const CONSOLE_API_VERBS = new Set(['resolve', 'answer', 'approve', 'inject']);

/** The console's route template of a path: its fixed words kept, each id replaced by `:id`, anything else `other`. */
export function consoleRoute(pathname: string): string {
  if (pathname === '/' || pathname === '/index.html') return '/';
  if (['/healthz', '/readyz', '/login', '/act'].includes(pathname)) return pathname;
  if (pathname === '/codec' || pathname.startsWith('/codec/')) return '/codec';
  if (pathname.startsWith('/auth/oidc/')) return '/auth/oidc';
  if (/^\/runs\/[^/]+$/.test(pathname)) return '/runs/:id';
  // The browser's modules sit one folder deep at most (/pages/runs.js, /vendor/preact.mjs).
  if (pathname.startsWith('/static/') || /^\/(?:[\w.-]+\/)?[\w.-]+\.(js|mjs|css|svg|png|ico)$/.test(pathname)) return '/static';
  const api = /^\/api(?:\/([^/]+))?(?:\/([^/]+))?(?:\/([^/]+))?\/?$/.exec(pathname);
  if (!api) return 'other';
  const [, resource, id, verb] = api;
  if (!resource) return '/api';
  if (!CONSOLE_API_RESOURCES.has(resource)) return '/api/other';
  if (!id) return `/api/${resource}`;
  if (resource === 'escalations' && id === 'bulk' && !verb) return '/api/escalations/bulk';
  if (!verb) return `/api/${resource}/:id`;
  return `/api/${resource}/:id/${CONSOLE_API_VERBS.has(verb) ? verb : 'other'}`;
}

/** The gateway's route template of a path: `/events/:type` (the type is the sender's to choose), the probes, or `other`. */
export function gatewayRoute(pathname: string): string {
  if (pathname === '/healthz' || pathname === '/readyz') return pathname;
  if (/^\/events\/[^/]+$/.test(pathname)) return '/events/:type';
  return 'other';
}

/** A running metrics endpoint. */
export interface MetricsServer {
  url: string;
  stop: () => Promise<void>;
}

/**
 * Serves `GET /metrics` of the registry on host:port (port 0: a free one). The gauges it holds may be computed at
 * scrape time (the console's census): a failed collection answers 500, and Prometheus marks the scrape down.
 */
export async function startMetricsServer(registry: Registry, host: string, port: number): Promise<MetricsServer> {
  const server = http.createServer({ headersTimeout: 5_000, requestTimeout: 30_000 }, (req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://metrics.invalid');
    if (pathname !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' }).end(text);
      },
      () => {
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics could not be collected\n');
      },
    );
  });
  const listening = await listenForOperators(server, host, port);
  return { url: `${listening.base}/metrics`, stop: listening.stop };
}
