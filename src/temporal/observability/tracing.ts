/**
 * OpenTelemetry tracing through the SDK's interceptors: the client's start of a run, the run's workflow and each
 * activity it schedules, in one trace, exported over OTLP/HTTP (JSON) to the configured collector.
 * Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; then each process has one tracer provider. The OpenTelemetry
 * packages (./tracing-sdk.ts) are loaded only then: off, they would cost every worker and client ~20 MB and ~0.2 s.
 */
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { tracesUrl, type ObservabilitySettings } from './settings';
import type * as TracingSdk from './tracing-sdk';
import type { Tracing } from './tracing-sdk';

export type { Tracing } from './tracing-sdk';

/** The workflow interceptor module of the SDK's OpenTelemetry package, bundled into the workflow code (resolved, not loaded). */
export const WORKFLOW_TRACING_MODULE = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

// One provider per process: the OpenTelemetry API keeps a single global one, registered once.
let current: Tracing | undefined;

/** Starts this process's tracing when configured (once; later calls return the same); undefined when off. */
export function startTracing(settings: ObservabilitySettings, role: string): Tracing | undefined {
  const url = tracesUrl(settings);
  if (!url) return undefined;
  if (current) return current;
  // Loaded here, not at the top: a process with tracing off never loads OpenTelemetry.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('./tracing-sdk') as typeof TracingSdk;
  current = sdk.createTracing(url, settings.OTEL_SERVICE_NAME, role, () => (current = undefined));
  return current;
}

/** The client interceptors of this process's tracing, or undefined when tracing is off. */
export function clientTracingInterceptors(tracing: Tracing | undefined): { workflow: WorkflowClientInterceptor[] } | undefined {
  return tracing?.clientInterceptors();
}
