/**
 * The load phases every variant goes through: warm-up, runs one at a time, then closed loops that keep N runs
 * in flight; each phase with its wall time and the CPU it cost, then a sample of histories.
 */
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { inFlight } from './bench-support';
import { processCpuMs, startCpuMeter } from './cpu';
import {
  eventKinds,
  payloadBytes,
  runDurationMs,
  stepTimings,
  upserts,
  whyTasks,
  workflowTasks,
  type HistoryEvent,
  type StepTiming,
} from './history';
import { requestsPerRun, scrapeCounters, type ServerRequestsPerRun } from './server-metrics';
import { percentiles, quantile, r1, spread, type Percentiles } from './stats';
import type { RunOutcome, Variant, VariantKey } from './variants';

/** How much load each variant gets. */
export interface LoadPlan {
  warmup: number;
  /** Runs one at a time, after the warm-up. */
  runs: number;
  /** Closed loops: `concurrency` runs kept in flight until `runs` have been started. */
  loops: ReadonlyArray<{ concurrency: number; runs: number }>;
  historySample: number;
}

/**
 * One phase's figures. CPU is per completed run; `coresBusy` is the CPU both sides used over the phase's wall time,
 * `machineCoresBusy` that of every process (with the native cluster, its PostgreSQL too): near the core count, CPU is the limit.
 */
export interface PhaseFigures {
  concurrency: number;
  runs: number;
  completed: number;
  wallMs: number;
  runsPerSecond: number;
  latencyMs: Percentiles;
  /**
   * `nodeMsPerRun` is the bench process (client + worker); `systemsMsPerRun` the process of the local SMTP and
   * webhook receivers, for the variants that use them (they stand in for systems outside Overture).
   */
  cpu: { serverMsPerRun: number; nodeMsPerRun: number; systemsMsPerRun?: number; coresBusy: number; machineCoresBusy: number };
  /** The phase's start and end on the monotonic clock (µs, as `process.hrtime`, and as V8's CPU profiles count). */
  window: { startUs: number; endUs: number };
  /** The server's requests per completed run, from its /metrics (the dev server only). */
  server?: ServerRequestsPerRun;
}

/** The Temporal server a variant runs on: its process (for CPU) and its Prometheus endpoint, when it has one. */
export interface BenchServer {
  pid: number;
  metricsUrl?: string;
}

/** What the sampled histories of a variant hold per run: medians (and the largest run where it matters). */
export interface HistoryFigures {
  sampled: number;
  median: number;
  max: number;
  kindsOfMedianRun: Record<string, number>;
  workflowTasks: { median: number; max: number };
  /** What woke each workflow task after the first, over all sampled runs, per run. */
  whyExtraTasksPerRun: Record<string, number>;
  upsertsMedian: number;
  /** Start + close + one per upsert: the writes to the visibility store a run causes. */
  visibilityWritesMedian: number;
  payloadBytesMedian: number;
}

/** A step's times over the sampled runs (p50/p95 in ms; offsets from the run's start). */
export interface StepRow {
  step: string;
  kind: StepTiming['kind'];
  runs: number;
  scheduleToStartMs?: Percentiles;
  executionMs?: Percentiles;
  endToEndMs: Percentiles;
  startOffsetMsP50: number;
  doneOffsetMsP50?: number;
  endOffsetMsP50: number;
}

export interface VariantFigures {
  key: VariantKey;
  sequential: PhaseFigures;
  loops: PhaseFigures[];
  historyEvents: HistoryFigures;
  /** Runs one at a time: where each step's time goes, and the whole run's duration in its history. */
  steps: StepRow[];
  runDurationMs: Percentiles;
  totalRuns: number;
  completedRuns: number;
  /** The first few errors of runs that did not complete. */
  errors: string[];
}

/** Activities that are not steps of the process: notices to people. */
export const NOT_STEPS: ReadonlySet<string> = new Set(['sendNotice', 'postNotice']);

/** The monotonic clock in µs: the clock V8's CPU profiles stamp their samples with. */
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** Per-run figures of the sampled histories. */
export function historyFigures(sampled: readonly HistoryEvent[][]): HistoryFigures {
  const lengths = sampled.map((events) => events.length);
  const median = quantile(lengths, 0.5);
  const medianRun = sampled.find((events) => events.length === median) ?? [];
  const tasks = sampled.map(workflowTasks);
  const ups = sampled.map(upserts);
  const why: Record<string, number> = {};
  for (const events of sampled) for (const [kind, n] of Object.entries(whyTasks(events))) why[kind] = (why[kind] ?? 0) + n;
  const perRun = (n: number) => r1(n / Math.max(1, sampled.length));
  const upsertsMedian = quantile(ups, 0.5);
  return {
    sampled: sampled.length,
    median,
    max: lengths.length ? Math.max(...lengths) : NaN,
    kindsOfMedianRun: eventKinds(medianRun),
    workflowTasks: { median: quantile(tasks, 0.5), max: tasks.length ? Math.max(...tasks) : NaN },
    whyExtraTasksPerRun: Object.fromEntries(Object.entries(why).map(([kind, n]) => [kind, perRun(n)])),
    upsertsMedian,
    visibilityWritesMedian: 2 + upsertsMedian,
    payloadBytesMedian: quantile(sampled.map(payloadBytes), 0.5),
  };
}

/** Runs `runs` runs with `concurrency` in flight and measures the phase. */
async function phase(
  variant: Variant,
  server: BenchServer,
  concurrency: number,
  runs: number,
): Promise<{ figures: PhaseFigures; outcomes: RunOutcome[] }> {
  // Settled first: the counters of the phase before (or the warm-up) are all published.
  const counters0 = await scrapeCounters(server.metricsUrl, true);
  const cpu = startCpuMeter(server.pid);
  const systems0 = variant.systemsPid === undefined ? NaN : processCpuMs(variant.systemsPid);
  const startUs = nowUs();
  const t0 = performance.now();
  const outcomes = await inFlight(runs, concurrency, () => variant.runOne());
  const wallMs = performance.now() - t0;
  const endUs = nowUs();
  const spent = cpu();
  const systemsMs = variant.systemsPid === undefined ? undefined : processCpuMs(variant.systemsPid) - systems0;
  const completed = outcomes.filter((o) => o.completed).length;
  const perRun = (ms: number) => r1(completed > 0 ? ms / completed : NaN);
  const counters1 = counters0 && (await scrapeCounters(server.metricsUrl, true));
  return {
    outcomes,
    figures: {
      concurrency,
      runs,
      completed,
      wallMs: r1(wallMs),
      runsPerSecond: r1(completed / (wallMs / 1000)),
      latencyMs: percentiles(outcomes.map((o) => o.latencyMs)),
      cpu: {
        serverMsPerRun: perRun(spent.serverMs),
        nodeMsPerRun: perRun(spent.nodeMs),
        ...(systemsMs === undefined ? {} : { systemsMsPerRun: perRun(systemsMs) }),
        coresBusy: Math.round(((spent.serverMs + spent.nodeMs + (systemsMs ?? 0)) / wallMs) * 100) / 100,
        machineCoresBusy: Math.round((spent.machineMs / wallMs) * 100) / 100,
      },
      window: { startUs, endUs },
      ...(counters0 && counters1 ? { server: requestsPerRun(counters0, counters1, completed) } : {}),
    },
  };
}

/** Each sampled step's p50/p95, in the order steps first appear. */
function stepRows(timings: StepTiming[][]): StepRow[] {
  const byStep = new Map<string, StepTiming[]>();
  for (const t of timings.flat()) byStep.set(t.step, [...(byStep.get(t.step) ?? []), t]);
  return [...byStep.entries()].map(([step, ts]) => {
    const defined = (values: Array<number | undefined>) => values.filter((v): v is number => v !== undefined);
    const scheduleToStart = defined(ts.map((t) => t.scheduleToStartMs));
    const execution = defined(ts.map((t) => t.executionMs));
    const doneAt = defined(ts.map((t) => t.doneOffsetMs));
    return {
      step,
      kind: ts.some((t) => t.kind === 'activity') ? 'activity' : 'local',
      runs: ts.length,
      ...(scheduleToStart.length ? { scheduleToStartMs: percentiles(scheduleToStart) } : {}),
      ...(execution.length ? { executionMs: percentiles(execution) } : {}),
      endToEndMs: percentiles(ts.map((t) => t.endToEndMs)),
      startOffsetMsP50: r1(
        quantile(
          ts.map((t) => t.startOffsetMs),
          0.5,
        ),
      ),
      ...(doneAt.length ? { doneOffsetMsP50: r1(quantile(doneAt, 0.5)) } : {}),
      endOffsetMsP50: r1(
        quantile(
          ts.map((t) => t.endOffsetMs),
          0.5,
        ),
      ),
    };
  });
}

/** The history of each run, a few at a time. */
async function histories(client: Client, runs: RunOutcome[]): Promise<HistoryEvent[][]> {
  return inFlight(runs.length, 5, async (i) => {
    const run = runs[i]!;
    const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    return history.events ?? [];
  });
}

/**
 * Puts a variant through the plan: warm-up (not counted; `onWarmedUp` runs after it), one at a time, the closed
 * loops, then its histories.
 */
export async function measureVariant(
  variant: Variant,
  client: Client,
  server: BenchServer,
  plan: LoadPlan,
  log: (line: string) => void,
  onWarmedUp?: () => void | Promise<void>,
): Promise<VariantFigures> {
  log(`(${variant.key}) warming up with ${plan.warmup} runs`);
  for (let i = 0; i < plan.warmup; i++) {
    const run = await variant.runOne();
    if (!run.completed)
      throw new Error(`(${variant.key}) a warm-up run did not complete (${run.error ?? 'no error'}); the stack is not healthy`);
  }
  await onWarmedUp?.();
  log(`(${variant.key}) ${plan.runs} runs one at a time`);
  const sequential = await phase(variant, server, 1, plan.runs);
  const loops: Array<Awaited<ReturnType<typeof phase>>> = [];
  for (const loop of plan.loops) {
    log(`(${variant.key}) ${loop.runs} runs, ${loop.concurrency} in flight`);
    loops.push(await phase(variant, server, loop.concurrency, loop.runs));
  }
  const all = [...sequential.outcomes, ...loops.flatMap((l) => l.outcomes)];
  const done = (runs: RunOutcome[]) => runs.filter((o) => o.completed);

  // Runs one at a time show the critical path without queueing; loop runs only top the sample up.
  const seqSample = spread(done(sequential.outcomes), plan.historySample);
  const extra = spread(done(loops.flatMap((l) => l.outcomes)), plan.historySample - seqSample.length);
  log(`(${variant.key}) reading ${seqSample.length + extra.length} histories`);
  const seqHistories = await histories(client, seqSample);
  const sampled = [...seqHistories, ...(await histories(client, extra))];
  return {
    key: variant.key,
    sequential: sequential.figures,
    loops: loops.map((l) => l.figures),
    historyEvents: historyFigures(sampled),
    steps: stepRows(seqHistories.map((events, i) => stepTimings(events, NOT_STEPS, variant.clock?.spans(seqSample[i]!.workflowId)))),
    runDurationMs: percentiles(seqHistories.map(runDurationMs)),
    totalRuns: all.length,
    completedRuns: done(all).length,
    errors: [...new Set(all.flatMap((o) => (o.error ? [o.error] : [])))].slice(0, 3),
  };
}
