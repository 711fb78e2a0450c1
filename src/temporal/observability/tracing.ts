/**
 * OpenTelemetry tracing through the SDK's interceptors: the client's start of a run, the run's workflow and each
 * activity it schedules, in one trace, exported over OTLP/HTTP (JSON) to the configured collector.
 * Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; then each process has one tracer provider.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  makeWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import { tracesUrl, type ObservabilitySettings } from './settings';

/** The tracing of this process: where spans go, and how to flush them on the way out. */
export interface Tracing {
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** Sends the spans still buffered and stops exporting. */
  shutdown(): Promise<void>;
}

/** The workflow interceptor module of the SDK's OpenTelemetry package, bundled into the workflow code. */
export const WORKFLOW_TRACING_MODULE = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

// One provider per process: the OpenTelemetry API keeps a single global one, registered once.
let current: Tracing | undefined;

/** Starts this process's tracing when configured (once; later calls return the same); undefined when off. */
export function startTracing(settings: ObservabilitySettings, role: string): Tracing | undefined {
  const url = tracesUrl(settings);
  if (!url) return undefined;
  if (current) return current;
  const resource = new Resource({ 'service.name': settings.OTEL_SERVICE_NAME, 'overture.role': role });
  // Batched: a run's spans leave in a few requests, off the path of the steps.
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 1_000 });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // The interceptors find the current span through the context manager (a client's start span, to put in the run's
  // headers; an activity's parent, read from its headers): without one every span would begin a trace of its own.
  // register() also sets the W3C trace-context propagator the headers are written with.
  provider.register({ contextManager: new AsyncLocalStorageContextManager().enable() });
  current = {
    spanProcessor,
    resource,
    async shutdown() {
      current = undefined;
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
  return current;
}

/** The client interceptors that begin a trace at a run's start and hand it to the workflow in its headers. */
export function clientTracingInterceptors(tracing: Tracing | undefined): { workflow: WorkflowClientInterceptor[] } | undefined {
  return tracing ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined;
}

/** The activity interceptors that give each activity attempt a span under the workflow's. */
export const traceActivities: ActivityInterceptorsFactory = (ctx) => ({
  inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
  outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
});

/** The sink through which the workflow sandbox hands its finished spans to this process's exporter. */
export function workflowSpanSinks(tracing: Tracing): InjectedSinks<Record<string, never>> {
  return { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) } as unknown as InjectedSinks<Record<string, never>>;
}
