/**
 * Headline figures of a bench against the previous committed results: a change for the worse above 10% is flagged,
 * so that a regression in one bench shows even when the others improve.
 */
import type { BenchResults } from './report';
import type { FanOutSummary, PipelineSummary } from './summary';
import { r1 } from './stats';
import { VARIANT_KEYS } from './variants';

/** A change for the worse beyond this fraction is a regression. */
export const REGRESSION_THRESHOLD = 0.1;

/** One compared figure. `changePercent` is (now − before) / before. */
export interface Comparison {
  figure: string;
  before: number;
  now: number;
  changePercent: number;
  regression: boolean;
}

/** Every bench's results that a folder can hold. */
export interface AllResults {
  onboarding?: BenchResults;
  fanOut?: FanOutSummary;
  pipeline?: PipelineSummary;
}

/** Compares what both runs measured; `higherIsBetter` decides which direction is a regression. */
export function compareHeadlines(before: AllResults, now: AllResults): Comparison[] {
  const out: Comparison[] = [];
  const add = (figure: string, b: number | undefined, n: number | undefined, higherIsBetter: boolean) => {
    if (b === undefined || n === undefined || !Number.isFinite(b) || !Number.isFinite(n) || b === 0) return;
    const change = (n - b) / b;
    out.push({
      figure,
      before: b,
      now: n,
      changePercent: r1(change * 100),
      regression: higherIsBetter ? change < -REGRESSION_THRESHOLD : change > REGRESSION_THRESHOLD,
    });
  };
  for (const key of VARIANT_KEYS) {
    const b = before.onboarding?.variants[key];
    const n = now.onboarding?.variants[key];
    if (!b || !n) continue;
    add(`(${key}) p50 ms, one at a time`, b.sequential.latencyMs.p50, n.sequential.latencyMs.p50, false);
    for (const loop of n.loops) {
      const old = b.loops.find((l) => l.concurrency === loop.concurrency);
      add(`(${key}) runs/s at ${loop.concurrency} in flight`, old?.runsPerSecond, loop.runsPerSecond, true);
      add(`(${key}) server CPU ms/run at ${loop.concurrency}`, old?.cpu.serverMsPerRun, loop.cpu.serverMsPerRun, false);
      add(`(${key}) Node CPU ms/run at ${loop.concurrency}`, old?.cpu.nodeMsPerRun, loop.cpu.nodeMsPerRun, false);
    }
    add(`(${key}) history events per run`, b.historyEvents.median, n.historyEvents.median, false);
  }
  add('parked worker RSS MB', before.onboarding?.parked?.rssMb.waitingPeak, now.onboarding?.parked?.rssMb.waitingPeak, false);
  add('fan-out: kit items/s', before.fanOut?.overtureKit.itemsPerSecondMedian, now.fanOut?.overtureKit.itemsPerSecondMedian, true);
  add('pipeline: rows/s', before.pipeline?.pipeline.rowsPerSecondMedian, now.pipeline?.pipeline.rowsPerSecondMedian, true);
  return out;
}
