/**
 * What observability adds to a worker process: the runtime's Prometheus exporter (installed once, before any
 * worker), and the interceptors and sinks of metrics and tracing. Nothing when unconfigured.
 */
import type { TelemetryOptions, WorkerOptions } from '@temporalio/worker';
import { OVERTURE_METRICS } from '../../../workflows/kit/metrics';
import { metricsBindAddress, type ObservabilitySettings } from './settings';
import { countStepAttemptFailures } from './step-failures';
import { startTracing, traceActivities, workflowSpanSinks, WORKFLOW_TRACING_MODULE } from './tracing';

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

/** A worker's observability: options to merge into Worker.create's, and what to flush when the worker stops. */
export interface WorkerObservability {
  options: Partial<WorkerOptions>;
  shutdown(): Promise<void>;
}

/**
 * The worker options of the configured observability: the failed-attempt counter when metrics are on; the
 * activity and workflow tracing interceptors and the workflow span sink when tracing is on. Workflow spans need
 * the workflows bundled by the worker itself (a prebuilt bundle must include {@link WORKFLOW_TRACING_MODULE}).
 */
export function workerObservability(settings: ObservabilitySettings): WorkerObservability {
  const tracing = startTracing(settings, 'worker');
  const metrics = settings.METRICS_PORT !== undefined;
  if (!tracing && !metrics) return { options: {}, shutdown: async () => undefined };
  const activity = [...(tracing ? [traceActivities] : []), ...(metrics ? [countStepAttemptFailures] : [])];
  return {
    options: {
      interceptors: { activity, ...(tracing ? { workflowModules: [WORKFLOW_TRACING_MODULE] } : {}) },
      ...(tracing ? { sinks: workflowSpanSinks(tracing) } : {}),
    },
    shutdown: async () => {
      await tracing?.shutdown();
    },
  };
}
