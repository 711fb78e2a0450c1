/**
 * What observability adds to a worker process: the runtime's Prometheus exporter (installed once, before any
 * worker), and the interceptors and sinks of metrics and tracing. Nothing when unconfigured.
 */
import type { TelemetryOptions, WorkerOptions } from '@temporalio/worker';
import { OVERTURE_METRICS } from '../../../workflows/kit/metrics';
import { countStepAttemptFailures } from './step-failures';
import { startTracing, WORKFLOW_TRACING_MODULE } from './tracing';
import { metricsBindAddress, tracesUrl, type ObservabilitySettings } from './settings';

const MINUTE = 60;
const HOUR = 60 * MINUTE;

/** Buckets for waiting on people: seconds in tests and for quick approvals, up to the week of a slow escalation. */
const PERSON_WAIT_BUCKETS = [1, 10, MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 4 * HOUR, 8 * HOUR, 24 * HOUR, 72 * HOUR, 168 * HOUR];

/** The runtime's telemetry options for `Runtime.install`: the Prometheus exporter when METRICS_PORT is set, else undefined. */
export function runtimeTelemetryOptions(settings: ObservabilitySettings): TelemetryOptions | undefined {
  const bindAddress = metricsBindAddress(settings);
  if (!bindAddress) return undefined;
  return {
    metrics: {
      prometheus: {
        bindAddress,
        histogramBucketOverrides: { [OVERTURE_METRICS.personWait]: PERSON_WAIT_BUCKETS },
      },
    },
  };
}

/** The workflow interceptor modules to bundle into the workflow code: the tracing interceptors when tracing is on. */
export function workflowInterceptorModules(settings: ObservabilitySettings): string[] {
  return tracesUrl(settings) ? [WORKFLOW_TRACING_MODULE] : [];
}

/** A worker's observability: options to merge into Worker.create's, and what to flush when the worker stops. */
export interface WorkerObservability {
  options: Partial<WorkerOptions>;
  shutdown(): Promise<void>;
}

/**
 * The worker options of the configured observability: the failed-attempt counter when metrics are on; the
 * activity tracing interceptors and the workflow span sink when tracing is on. Workflow spans also need the workflow
 * code bundled with {@link workflowInterceptorModules} (a prebuilt bundle must include {@link WORKFLOW_TRACING_MODULE}).
 */
export function workerObservability(settings: ObservabilitySettings): WorkerObservability {
  const tracing = startTracing(settings, 'worker');
  const metrics = settings.METRICS_PORT !== undefined;
  if (!tracing && !metrics) return { options: {}, shutdown: async () => undefined };
  const activity = [...(tracing ? [tracing.activityInterceptors] : []), ...(metrics ? [countStepAttemptFailures] : [])];
  return {
    options: {
      interceptors: { activity },
      ...(tracing ? { sinks: tracing.workflowSinks() } : {}),
    },
    shutdown: async () => {
      await tracing?.shutdown();
    },
  };
}
