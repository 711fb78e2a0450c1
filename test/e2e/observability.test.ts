/**
 * Observability end to end: a worker process with METRICS_PORT and an OTLP endpoint set. Its Prometheus
 * endpoint, scraped before and during a few onboardings (one with an injected transient fault, one escalated),
 * shows the SDK's and Overture's counters moving; one onboarding's trace, received by a real OTLP/HTTP
 * receiver, has the client's start, the workflow and one span per step, all in one trace.
 */
import { findFreePort } from '../../src/tools/dev-stack/temporal-server';
import { resolveEscalation } from '../../src/client';
import { ONBOARDING } from '../../workflows/onboarding/shape';
import { OVERTURE_METRICS } from '../../workflows/kit/metrics';
import { decidedBy } from '../helpers/operators';
import { kill, spawnWorker, type WorkerProcess } from '../helpers/processes';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver';
import { scrape, total, type Sample } from '../helpers/prometheus';
import { eventually, fastOptions, startTestStack, statusWhen, type TestStack } from '../helpers/test-stack';
import { newHire, startOnboarding } from '../processes/onboarding/helpers';

jest.setTimeout(180_000);

let stack: TestStack;
let receiver: OtlpReceiver;
let worker: WorkerProcess;
let metricsUrl: string;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  const metricsPort = await findFreePort();
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  // The test's client traces too (it starts the runs): its spans open each run's trace.
  stack = await startTestStack(
    { METRICS_PORT: String(metricsPort), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'overture-test' },
    { worker: false },
  );
  // Its own process: the runtime with the Prometheus exporter is installed once per process, by the worker's entry point.
  worker = spawnWorker(stack.env);
  await worker.ready;
});

afterAll(async () => {
  if (worker) await kill(worker.child, 'SIGTERM');
  await stack?.stop();
  await receiver?.stop();
});

const overture = (samples: Sample[], metric: keyof typeof OVERTURE_METRICS, labels: Record<string, string> = {}) =>
  total(samples, OVERTURE_METRICS[metric], labels);

test('the metrics endpoint shows the SDK and Overture counters moving during runs', async () => {
  const before = await scrape(metricsUrl);
  // The SDK runtime's own telemetry is on the same endpoint.
  expect(before.some((s) => s.name.startsWith('temporal_'))).toBe(true);

  const clean = await startOnboarding(stack.client, stack.config, newHire(), { tuneOptions: fastOptions() });
  const flaky = await startOnboarding(stack.client, stack.config, newHire(), {
    tuneOptions: fastOptions(),
    faults: { createAccount: { kind: 'transient', failures: 2 } },
  });
  const stuck = await startOnboarding(stack.client, stack.config, newHire(), {
    tuneOptions: fastOptions(),
    faults: { createWorkspace: { kind: 'permanent' } },
  });
  await Promise.all([clean.handle.result(), flaky.handle.result()]);
  await statusWhen(stack, stuck.workflowId, (s) => s.state === 'needs_attention', 'the escalation');

  // During the escalated run: started and escalated counted, the two others completed, the failed attempts by class.
  const during = await eventually(
    async () => {
      const now = await scrape(metricsUrl);
      return overture(now, 'runsEnded', { process: 'onboarding', outcome: 'completed' }) -
        overture(before, 'runsEnded', { process: 'onboarding', outcome: 'completed' }) >=
        2 && overture(now, 'escalations') > overture(before, 'escalations')
        ? now
        : undefined;
    },
    20_000,
    'the counters to move',
  );
  const moved = (metric: keyof typeof OVERTURE_METRICS, labels: Record<string, string> = {}) =>
    overture(during, metric, labels) - overture(before, metric, labels);
  expect(moved('runsStarted', { process: 'onboarding' })).toBe(3);
  expect(moved('runsEnded', { process: 'onboarding', outcome: 'completed' })).toBe(2);
  expect(moved('escalations', { process: 'onboarding', step: 'createWorkspace' })).toBe(1);
  expect(moved('stepAttemptFailures', { step: 'createAccount', class: 'injected' })).toBe(2);
  // Every attempt is counted too (the failure rate's denominator): one per run, and the flaky run's two that failed.
  expect(moved('stepAttempts', { step: 'createAccount' })).toBe(5);
  // A permanent fault fails once, with no retry.
  expect(moved('stepAttemptFailures', { step: 'createWorkspace', class: 'injected' })).toBe(1);
  expect(moved('stepAttemptFailures', { class: 'transient' })).toBe(0);
  // The SDK's own counters moved too (workflows completed on this worker).
  expect(total(during, 'temporal_workflow_completed') - total(before, 'temporal_workflow_completed')).toBeGreaterThanOrEqual(2);

  // A person aborts the escalated run: the run ends aborted, and how long it waited for them is recorded.
  await resolveEscalation(stack.client, stuck.workflowId, {
    step: 'createWorkspace',
    action: 'abort',
    ...decidedBy('ops.metrics'),
    reason: 'metrics test',
  });
  await statusWhen(stack, stuck.workflowId, (s) => s.state === 'aborted', 'the abort');
  const after = await eventually(
    async () => {
      const now = await scrape(metricsUrl);
      return overture(now, 'runsEnded', { process: 'onboarding', outcome: 'aborted' }) >
        overture(before, 'runsEnded', { process: 'onboarding', outcome: 'aborted' })
        ? now
        : undefined;
    },
    20_000,
    'the abort to be counted',
  );
  const waits = (samples: Sample[]) =>
    total(samples, `${OVERTURE_METRICS.personWait}_count`, { process: 'onboarding', kind: 'escalation' });
  expect(waits(after) - waits(before)).toBe(1);
  expect(
    overture(after, 'runsEnded', { process: 'onboarding', outcome: 'aborted' }) -
      overture(before, 'runsEnded', { process: 'onboarding', outcome: 'aborted' }),
  ).toBe(1);
});

test('one onboarding is one trace: the client start, the workflow and one span per step', async () => {
  const run = await startOnboarding(stack.client, stack.config, newHire(), { tuneOptions: fastOptions() });
  await run.handle.result();
  // The activity steps (a hire without equipment has no manual step): createAccount … notifyTeam.
  const steps = ONBOARDING.steps.filter((s) => s.kind === 'activity').map((s) => s.name);
  expect(steps).toHaveLength(5);
  // Spans leave in batches (each process flushes about every second): wait until the last step's arrived.
  const traceSpans = await eventually(
    () => {
      const start = receiver.spans.find(
        (s) => s.name === 'StartWorkflow:onboarding' && Object.values(s.attributes).includes(run.workflowId),
      );
      if (!start) return undefined;
      const inTrace = receiver.spans.filter((s) => s.traceId === start.traceId);
      return inTrace.some((s) => s.name === 'RunWorkflow:onboarding') && inTrace.some((s) => s.name === 'RunActivity:notifyTeam')
        ? inTrace
        : undefined;
    },
    30_000,
    "the run's spans",
  ).catch((err: unknown) => {
    throw new Error(
      `${String(err)}; received: ${JSON.stringify(receiver.spans.map((s) => [s.name, s.traceId, s.service]))} rejected: ${receiver.rejected.join(', ')}`,
    );
  });

  expect(receiver.rejected).toEqual([]);
  const names = traceSpans.map((s) => s.name);
  expect(names.filter((n) => n === 'RunWorkflow:onboarding')).toHaveLength(1);
  for (const step of steps) expect(names.filter((n) => n === `RunActivity:${step}`)).toHaveLength(1);
  // Nothing ran in this trace beyond the five steps (no notices, no retries).
  expect(names.filter((n) => n.startsWith('RunActivity:')).sort()).toEqual(steps.map((s) => `RunActivity:${s}`).sort());
  // Parented as client → workflow → activities, and exported by the worker's and the client's processes.
  const byId = new Map(traceSpans.map((s) => [s.spanId, s]));
  const workflowSpan = traceSpans.find((s) => s.name === 'RunWorkflow:onboarding')!;
  expect(byId.get(workflowSpan.parentSpanId ?? '')?.name).toBe('StartWorkflow:onboarding');
  for (const span of traceSpans.filter((s) => s.name.startsWith('RunActivity:'))) {
    // Each activity's span hangs under the workflow's span that scheduled it (StartActivity), itself in the run.
    const scheduled = byId.get(span.parentSpanId ?? '');
    expect(scheduled?.name).toBe(span.name.replace('RunActivity:', 'StartActivity:'));
  }
  expect(new Set(traceSpans.map((s) => s.service))).toEqual(new Set(['overture-test']));
  // Personal data stays out of the spans (the workflow id carries the employee id only).
  expect(JSON.stringify(traceSpans)).not.toMatch(/Katherine|k\.johnson/);
});
