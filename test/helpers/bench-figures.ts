/** Hand-made bench figures for the unit tests of the bench's pure parts. */
import type { PhaseFigures, VariantFigures } from '../../src/tools/bench/phases';
import type { VariantKey } from '../../src/tools/bench/variants';

/** A phase with the given figures; the rest plausible. */
export function phaseOf(over: Partial<Omit<PhaseFigures, 'cpu'>> & { cpu?: Partial<PhaseFigures['cpu']> } = {}): PhaseFigures {
  const { cpu, ...rest } = over;
  return {
    concurrency: 1,
    runs: 10,
    completed: 10,
    wallMs: 1000,
    runsPerSecond: 10,
    latencyMs: { n: 10, p50: 50, p95: 60 },
    window: { startUs: 0, endUs: 1_000_000 },
    ...rest,
    cpu: { serverMsPerRun: 20, nodeMsPerRun: 15, coresBusy: 0.5, machineCoresBusy: 0.6, ...cpu },
  };
}

/** A variant: `p50`/`p95` one at a time, `rps20` runs/s at 20 in flight, and history figures. */
export function variantOf(
  key: VariantKey,
  over: {
    p50?: number;
    p95?: number;
    rps20?: number;
    loop20?: Parameters<typeof phaseOf>[0];
    events?: { median: number; max: number };
    tasks?: { median: number; max: number };
    sequentialCpu?: Partial<PhaseFigures['cpu']>;
  } = {},
): VariantFigures {
  return {
    key,
    sequential: phaseOf({
      latencyMs: { n: 10, p50: over.p50 ?? 50, p95: over.p95 ?? 60 },
      ...(over.sequentialCpu ? { cpu: over.sequentialCpu } : {}),
    }),
    loops: [phaseOf({ concurrency: 20, runsPerSecond: over.rps20 ?? 30, latencyMs: { n: 100, p50: 600, p95: 900 }, ...over.loop20 })],
    historyEvents: {
      sampled: 5,
      median: over.events?.median ?? 11,
      max: over.events?.max ?? 11,
      kindsOfMedianRun: { 'marker:core_local_activity': 5, workflowTaskCompleted: 1, activityTaskScheduled: 2 },
      workflowTasks: over.tasks ?? { median: 1, max: 1 },
      whyExtraTasksPerRun: { activityTaskCompleted: 2 },
      upsertsMedian: 1,
      visibilityWritesMedian: 3,
      payloadBytesMedian: 4000,
    },
    steps: [],
    runDurationMs: { n: 10, p50: 40, p95: 50 },
    totalRuns: 110,
    completedRuns: 110,
    errors: [],
  };
}
