/**
 * The observability settings (README "Observability"): off unless configured. METRICS_PORT turns on the
 * Prometheus endpoint of the worker (the SDK's metrics and Overture's own); OTEL_EXPORTER_OTLP_ENDPOINT turns on
 * OpenTelemetry tracing, exported over OTLP/HTTP to any collector.
 */
import { z } from 'zod';

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

/** A blank variable is unset: docker-compose.yml passes `METRICS_PORT: ${METRICS_PORT:-}` through as an empty string. */
const blankAsUnset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** The zod fields that src/config/platform.ts spreads into its schema. */
export const OBSERVABILITY_SETTINGS = {
  // Unset: no metrics endpoint, the SDK's runtime exports nothing.
  METRICS_PORT: z.preprocess(blankAsUnset, z.coerce.number().int().min(1).max(65_535).optional()),
  // Loopback by default: the endpoint has no authentication, so exposing it is a deliberate choice.
  METRICS_HOST: z.preprocess(blankAsUnset, z.string().min(1).default('127.0.0.1')),
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
  METRICS_HOST: string;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_SERVICE_NAME: string;
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
