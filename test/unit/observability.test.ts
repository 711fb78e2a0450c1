/**
 * Observability is off unless configured: no runtime exporter, no tracer provider, no interceptors; and when
 * configured, where the endpoint binds and where spans go. Plus the classes of failed step attempts.
 */
import { trace } from '@opentelemetry/api';
import { ApplicationFailure } from '@temporalio/common';
import { ConfigError, loadConfig } from '../../src/config';
import { metricsBindAddress, metricsUrl, tracesUrl } from '../../src/temporal/observability/settings';
import { failureClass } from '../../src/temporal/observability/step-failures';
import { clientTracingInterceptors, startTracing } from '../../src/temporal/observability/tracing';
import { runtimeTelemetryOptions, workerObservability, workflowInterceptorModules } from '../../src/temporal/observability/worker';

test('unconfigured, nothing is installed or exported', () => {
  const config = loadConfig({});
  expect(config.METRICS_PORT).toBeUndefined();
  expect(config.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
  expect(runtimeTelemetryOptions(config)).toBeUndefined();
  expect(startTracing(config, 'worker')).toBeUndefined();
  expect(clientTracingInterceptors(startTracing(config, 'client'))).toBeUndefined();
  expect(workerObservability(config).options).toEqual({});
  // No global tracer provider was registered: spans from the API go nowhere.
  expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
});

test('METRICS_PORT turns on the Prometheus exporter, on loopback unless METRICS_HOST says otherwise', () => {
  const config = loadConfig({ METRICS_PORT: '9464' });
  expect(metricsBindAddress(config)).toBe('127.0.0.1:9464');
  expect(runtimeTelemetryOptions(config)?.metrics).toMatchObject({ prometheus: { bindAddress: '127.0.0.1:9464' } });
  expect(metricsUrl(loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }))).toBe('http://127.0.0.1:9464/metrics');
  expect(metricsBindAddress(loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '::1' }))).toBe('[::1]:9464');
  // Metrics alone add the failed-attempt counter, and no tracing (no workflow module, no sink).
  const { options } = workerObservability(config);
  expect(options.interceptors?.activity).toHaveLength(1);
  expect(workflowInterceptorModules(config)).toEqual([]);
  expect(options.sinks).toBeUndefined();
});

test('the OTLP endpoint is the standard base URL; traces go to its /v1/traces', () => {
  expect(tracesUrl(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }))).toBe('http://collector:4318/v1/traces');
  expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }).OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
  expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317' })).toThrow(ConfigError);
  expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  expect(() => loadConfig({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
});

test('blank variables (docker-compose.yml passes unset ones through as "") leave observability off', () => {
  const config = loadConfig({ METRICS_PORT: '', METRICS_HOST: ' ', OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_SERVICE_NAME: '' });
  expect(config.METRICS_PORT).toBeUndefined();
  expect(config.METRICS_HOST).toBe('127.0.0.1');
  expect(config.OTEL_SERVICE_NAME).toBe('overture');
  expect(runtimeTelemetryOptions(config)).toBeUndefined();
});

test('a failed attempt is injected, permanent or transient', () => {
  expect(failureClass(ApplicationFailure.create({ message: 'x', nonRetryable: true, details: [{ attempt: 1, injected: true }] }))).toBe(
    'injected',
  );
  expect(failureClass(ApplicationFailure.create({ message: 'x', details: [{ attempt: 2, injected: true }] }))).toBe('injected');
  expect(failureClass(ApplicationFailure.create({ message: 'x', nonRetryable: true, details: [{ attempt: 1, injected: false }] }))).toBe(
    'permanent',
  );
  expect(failureClass(ApplicationFailure.create({ message: 'x', details: [{ attempt: 1, injected: false }] }))).toBe('transient');
  expect(failureClass(new Error('socket hang up'))).toBe('transient');
});
