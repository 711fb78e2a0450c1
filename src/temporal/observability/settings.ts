/**
 * The observability settings (docs/operating.md, "Metrics and tracing settings"): off unless configured. METRICS_PORT turns on the
 * Prometheus endpoint of the worker (the SDK's metrics and Overture's own); CONSOLE_METRICS_PORT and
 * EVENTS_METRICS_PORT the console's and the gateway's (requests, and on the console the gauges of waiting
 * questions, runs and systems); HEALTH_PORT the worker's /healthz and /readyz. All of them bind METRICS_HOST.
 * OTEL_EXPORTER_OTLP_ENDPOINT turns on OpenTelemetry tracing, exported over OTLP/HTTP to any collector.
 */
import { z } from 'zod';

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

/** A blank variable is unset: docker-compose.yml passes `METRICS_PORT: ${METRICS_PORT:-}` through as an empty string. */
const blankAsUnset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const optionalPort = z.preprocess(blankAsUnset, z.coerce.number().int().min(1).max(65_535).optional());
const HOUR = 3_600;

/** A process's time budget in hours, per process name (`{"financial-close": 240}`); names are checked against the registry by the console. */
const runTimeBudgets = z.preprocess(
  blankAsUnset,
  z
    .string()
    .default('{}')
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON, e.g. {"financial-close": 240} (hours per process)' });
        return z.NEVER;
      }
    })
    .pipe(z.record(z.string(), z.number().positive())),
);

/** The zod fields that src/config/platform.ts spreads into its schema. */
export const OBSERVABILITY_SETTINGS = {
  // Unset: no metrics endpoint, the SDK's runtime exports nothing.
  METRICS_PORT: optionalPort,
  // The console's and the gateway's own /metrics, on a port apart from the one people and senders use: the gateway
  // faces the internet and the console's port needs a session, while Prometheus scrapes with neither. Unset: none.
  CONSOLE_METRICS_PORT: optionalPort,
  EVENTS_METRICS_PORT: optionalPort,
  // The worker's /healthz and /readyz. Off unless set: `npm run worker` twice on one host must not collide on a
  // default port, and `npm start` has no orchestrator to ask; the image, compose and the chart set it.
  HEALTH_PORT: optionalPort,
  // Loopback by default: these endpoints have no authentication, so exposing them is a deliberate choice.
  METRICS_HOST: z.preprocess(blankAsUnset, z.string().min(1).default('127.0.0.1')),
  // How long a run may take before the "run past its time budget" alert (deploy/prometheus/rules): every process,
  // unless RUN_TIME_BUDGETS gives its own (hours per process name).
  RUN_TIME_BUDGET_HOURS: z.preprocess(
    blankAsUnset,
    z.coerce
      .number()
      .positive()
      .default(7 * 24),
  ),
  RUN_TIME_BUDGETS: runTimeBudgets,
  // The standard OpenTelemetry variable: the collector's base URL (spans go to <endpoint>/v1/traces). Unset: no tracing.
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v.trim() : undefined))
    .pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. http://127.0.0.1:4318' }).optional()),
  OTEL_SERVICE_NAME: z.preprocess(blankAsUnset, z.string().min(1).default('overture')),
};

/** What of observability a configuration turns on. */
export interface ObservabilitySettings {
  METRICS_PORT?: number;
  CONSOLE_METRICS_PORT?: number;
  EVENTS_METRICS_PORT?: number;
  HEALTH_PORT?: number;
  METRICS_HOST: string;
  RUN_TIME_BUDGET_HOURS: number;
  RUN_TIME_BUDGETS: Record<string, number>;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_SERVICE_NAME: string;
}

/** A process's time budget in seconds: its own from RUN_TIME_BUDGETS, else RUN_TIME_BUDGET_HOURS. */
export function runTimeBudgetSeconds(settings: Pick<ObservabilitySettings, 'RUN_TIME_BUDGET_HOURS' | 'RUN_TIME_BUDGETS'>, process: string) {
  return (settings.RUN_TIME_BUDGETS[process] ?? settings.RUN_TIME_BUDGET_HOURS) * HOUR;
}

/** The address the Prometheus exporter binds (`host:port`, an IPv6 host in brackets), or undefined when metrics are off. */
export function metricsBindAddress(settings: ObservabilitySettings): string | undefined {
  if (settings.METRICS_PORT === undefined) return undefined;
  const host = settings.METRICS_HOST.replace(/^\[(.*)\]$/, '$1');
  return host.includes(':') ? `[${host}]:${settings.METRICS_PORT}` : `${host}:${settings.METRICS_PORT}`;
}

/** Where a scraper on this machine reaches the metrics endpoint (a wildcard bind is reached on loopback). */
export function metricsUrl(settings: ObservabilitySettings): string | undefined {
  if (settings.METRICS_PORT === undefined) return undefined;
  const host = WILDCARD_HOSTS.has(settings.METRICS_HOST) ? '127.0.0.1' : settings.METRICS_HOST;
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${settings.METRICS_PORT}/metrics`;
}

/** The OTLP/HTTP traces URL of the configured collector, or undefined when tracing is off. */
export function tracesUrl(settings: ObservabilitySettings): string | undefined {
  const base = settings.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!base) return undefined;
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}
