/**
 * The KPIs of one process, or the overview of every process, over a window: the projection's rows aggregated by the
 * database (./queries.ts), shaped here into the contract's JSON (./types.ts).
 */
import type { KpiQueryRow, KpiStore } from '../stores/kpis/store';
import { approvalLatency, fanOutItems, runDurations, runsPerDay, stepCounts, stepPercentiles, type KpiQuery } from './queries';
import type { KpiOverview, ModeKpis, ProcessKpis, RunCounts, StepKpis } from './types';
import type { KpiWindow } from './window';

const DAY_MS = 86_400_000;

const run = (store: KpiStore, q: KpiQuery) => store.query(q.sql, q.params);
const num = (v: KpiQueryRow[string] | undefined): number => (v === null || v === undefined ? 0 : Number(v));
/** A percentile, absent when nothing was measured. */
const opt = (v: KpiQueryRow[string] | undefined): number | undefined => (v === null || v === undefined ? undefined : Number(v));
const rate = (part: number, whole: number): number => (whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000);
const zero = (): RunCounts => ({ started: 0, completed: 0, failed: 0, aborted: 0 });
const iso = (ms: number) => new Date(ms).toISOString();

/** Every UTC day the window touches, oldest first. */
export function daysOf(window: KpiWindow): string[] {
  const days: string[] = [];
  for (let at = Math.floor(window.since / DAY_MS) * DAY_MS; at < window.until; at += DAY_MS) days.push(iso(at).slice(0, 10));
  return days;
}

function addCounts(into: RunCounts, row: KpiQueryRow): void {
  into.started += num(row.started);
  into.completed += num(row.completed);
  into.failed += num(row.failed);
  into.aborted += num(row.aborted);
}

/** Every process with runs in the window: counts and the completed runs' duration, by process name. */
export async function kpiOverview(store: KpiStore, window: KpiWindow): Promise<KpiOverview> {
  const [counts, durations] = await Promise.all([
    run(store, runsPerDay(store.dialect, undefined, window.since, window.until)),
    run(store, runDurations(store.dialect, undefined, window.since, window.until, false)),
  ]);
  const byProcess = new Map<string, RunCounts>();
  for (const row of counts) {
    const process = String(row.process);
    if (!byProcess.has(process)) byProcess.set(process, zero());
    addCounts(byProcess.get(process)!, row);
  }
  const durationOf = new Map(durations.map((d) => [String(d.process), d]));
  const processes = [...byProcess.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([process, runs]) => {
      const d = durationOf.get(process);
      const p50 = opt(d?.p50);
      const p95 = opt(d?.p95);
      return {
        process,
        ...runs,
        ...(p50 !== undefined ? { durationP50Ms: p50 } : {}),
        ...(p95 !== undefined ? { durationP95Ms: p95 } : {}),
      };
    });
  return { since: iso(window.since), until: iso(window.until), processes };
}

/** Percentile fields, leaving out those not measured (so `--json` never prints null). */
function percentiles<K extends string>(row: KpiQueryRow | undefined, p50: K, p95: K): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  if (opt(row?.p50) !== undefined) out[p50] = opt(row?.p50)!;
  if (opt(row?.p95) !== undefined) out[p95] = opt(row?.p95)!;
  return out;
}

const keyOf = (row: KpiQueryRow, ...columns: string[]) => columns.map((c) => String(row[c])).join('\u0000');

/**
 * The KPIs of one process over the window. `stepOrder` (the process's steps in its shape's order) orders the steps;
 * steps it does not name follow in the order they first ran.
 */
export async function processKpis(
  store: KpiStore,
  process: string,
  window: KpiWindow,
  stepOrder: readonly string[] = [],
): Promise<ProcessKpis> {
  const { since, until } = window;
  const [counts, durations, durationsPerDay, steps, modes, stepTimes, stepWaits, modeTimes, approvals, items] = await Promise.all([
    run(store, runsPerDay(store.dialect, process, since, until)),
    run(store, runDurations(store.dialect, process, since, until, false)),
    run(store, runDurations(store.dialect, process, since, until, true)),
    run(store, stepCounts(process, since, until, false)),
    run(store, stepCounts(process, since, until, true)),
    run(store, stepPercentiles(process, since, until, 'duration', false)),
    run(store, stepPercentiles(process, since, until, 'personWait', false)),
    run(store, stepPercentiles(process, since, until, 'duration', true)),
    run(store, approvalLatency(process, since, until)),
    run(store, fanOutItems(process, since, until)),
  ]);

  const total = zero();
  const perDayCounts = new Map<string, RunCounts>();
  for (const row of counts) {
    addCounts(total, row);
    const day = String(row.day);
    if (!perDayCounts.has(day)) perDayCounts.set(day, zero());
    addCounts(perDayCounts.get(day)!, row);
  }
  const perDayDurations = new Map(durationsPerDay.map((d) => [String(d.day), d]));
  const days = daysOf(window);

  const timeOf = new Map(stepTimes.map((r) => [String(r.step), r]));
  const waitOf = new Map(stepWaits.map((r) => [String(r.step), r]));
  const modeCounts = new Map(modes.map((r) => [keyOf(r, 'step', 'mode'), r]));
  const modeTime = new Map(modeTimes.map((r) => [keyOf(r, 'step', 'mode'), r]));
  const mode = (step: string, which: 'manual' | 'automated'): ModeKpis => {
    const c = modeCounts.get(`${step}\u0000${which}`);
    const t = modeTime.get(`${step}\u0000${which}`);
    const median = opt(t?.p50);
    return { runs: num(c?.runs), ...(median !== undefined ? { medianMs: median } : {}), errorRate: rate(num(c?.error_runs), num(c?.runs)) };
  };
  const position = (step: string) => {
    const i = stepOrder.indexOf(step);
    return i === -1 ? stepOrder.length : i;
  };
  const stepKpis: StepKpis[] = [...steps]
    .sort((a, b) => position(String(a.step)) - position(String(b.step)) || num(a.first_started) - num(b.first_started))
    .map((row) => {
      const step = String(row.step);
      const runs = num(row.runs);
      const wait = waitOf.get(step);
      return {
        step,
        runs,
        ...percentiles(timeOf.get(step), 'medianMs', 'p95Ms'),
        personWaitMs: { ...percentiles(wait, 'median', 'p95'), share: rate(num(row.wait_sum), num(row.time_sum)) },
        escalationRate: rate(num(row.escalated_runs), runs),
        errorRate: rate(num(row.error_runs), runs),
        manual: mode(step, 'manual'),
        automated: mode(step, 'automated'),
      };
    });

  const itemRow = items[0];
  return {
    process,
    since: iso(since),
    until: iso(until),
    runs: { ...total, perDay: days.map((day) => ({ day, ...(perDayCounts.get(day) ?? zero()) })) },
    duration: {
      ...percentiles(durations[0], 'p50Ms', 'p95Ms'),
      perDay: days.map((day) => ({ day, ...percentiles(perDayDurations.get(day), 'p50Ms', 'p95Ms') })),
    },
    steps: stepKpis,
    approvalLatency: { count: num(approvals[0]?.n), ...percentiles(approvals[0], 'p50Ms', 'p95Ms') },
    fanOut: { items: num(itemRow?.items), failed: num(itemRow?.failed), failureRate: rate(num(itemRow?.failed), num(itemRow?.items)) },
  };
}
