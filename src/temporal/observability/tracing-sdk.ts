/**
 * The OpenTelemetry side of tracing (./tracing.ts): the tracer provider, the OTLP exporter and the SDK's tracing
 * interceptors. Loaded only when tracing is configured, so that a process without it neither loads nor holds them.
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

/** The tracing of this process: where spans go, the interceptors that make them, and how to flush them on the way out. */
export interface Tracing {
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** The client interceptors that begin a trace at a run's start and hand it to the workflow in its headers. */
  clientInterceptors(): { workflow: WorkflowClientInterceptor[] };
  /** The activity interceptors that give each activity attempt a span under the workflow's. */
  activityInterceptors: ActivityInterceptorsFactory;
  /** The sink through which the workflow sandbox hands its finished spans to this process's exporter. */
  workflowSinks(): InjectedSinks<Record<string, never>>;
  /** Sends the spans still buffered and stops exporting. */
  shutdown(): Promise<void>;
}

/** Registers this process's tracer provider, exporting to `url`; `onShutdown` runs first when it is shut down. */
export function createTracing(url: string, serviceName: string, role: string, onShutdown: () => void): Tracing {
  const resource = new Resource({ 'service.name': serviceName, 'overture.role': role });
  // Batched: a run's spans leave in a few requests, off the path of the steps.
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 1_000 });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // The interceptors find the current span through the context manager (a client's start span, to put in the run's
  // headers; an activity's parent, read from its headers): without one every span would begin a trace of its own.
  // register() also sets the W3C trace-context propagator the headers are written with.
  provider.register({ contextManager: new AsyncLocalStorageContextManager().enable() });
  return {
    spanProcessor,
    resource,
    clientInterceptors: () => ({ workflow: [new OpenTelemetryWorkflowClientInterceptor()] }),
    activityInterceptors: (ctx) => ({
      inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
      outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
    }),
    workflowSinks: () => ({ exporter: makeWorkflowExporter(spanProcessor, resource) }) as unknown as ReturnType<Tracing['workflowSinks']>,
    async shutdown() {
      onShutdown();
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
