/**
 * The KPIs of one process, or the overview of every process, over a window: the projection's rows counted and grouped
 * by the database (./queries.ts), percentiles by ./percentiles.ts, shaped here into the contract's JSON (./types.ts).
 */
import type { KpiQueryRow, KpiStore } from '../stores/kpis/store';
import { approvalLatency, fanOutItems, runDurations, runsPerDay, stepCounts, stepMeasures, type KpiQuery } from './queries';
import { groupKey, percentileTables, type PercentileTable } from './percentiles';
import type { KpiOverview, ModeKpis, ProcessKpis, RunCounts, StepKpis } from './types';
import type { KpiWindow } from './window';

const DAY_MS = 86_400_000;

const run = (store: KpiStore, q: KpiQuery) => store.query(q.sql, q.params);
const num = (v: KpiQueryRow[string] | undefined): number => (v === null || v === undefined ? 0 : Number(v));
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
  const durations = runDurations(store.dialect, undefined, window.since, window.until);
  const [counts, [durationOf]] = await Promise.all([
    run(store, runsPerDay(store.dialect, undefined, window.since, window.until)),
    percentileTables(store, durations.sql, durations.params, [{ groups: ['process'], value: 'v' }]),
  ]);
  const byProcess = new Map<string, RunCounts>();
  for (const row of counts) {
    const process = String(row.process);
    if (!byProcess.has(process)) byProcess.set(process, zero());
    addCounts(byProcess.get(process)!, row);
  }
  const processes = [...byProcess.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([process, runs]) => {
      const d = durationOf!.get(groupKey([process]));
      const p50 = d?.p50;
      const p95 = d?.p95;
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
function percentiles<K extends string>(entry: { p50?: number; p95?: number } | undefined, p50: K, p95: K): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  if (entry?.p50 !== undefined) out[p50] = entry.p50;
  if (entry?.p95 !== undefined) out[p95] = entry.p95;
  return out;
}

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
  const durations = runDurations(store.dialect, process, since, until);
  const measures = stepMeasures(process, since, until);
  const approvals = approvalLatency(process, since, until);
  const [counts, [duration, durationPerDay], modes, [stepTime, stepWait, modeTime], [approval], items] = await Promise.all([
    run(store, runsPerDay(store.dialect, process, since, until)),
    percentileTables(store, durations.sql, durations.params, [
      { groups: [], value: 'v' },
      { groups: ['day'], value: 'v' },
    ]),
    run(store, stepCounts(process, since, until)),
    percentileTables(store, measures.sql, measures.params, [
      { groups: ['step'], value: 'd' },
      { groups: ['step'], value: 'w' },
      { groups: ['step', 'mode'], value: 'd' },
    ]),
    percentileTables(store, approvals.sql, approvals.params, [{ groups: [], value: 'v' }]),
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
  const days = daysOf(window);
  const stepKpis = stepsOf(modes, stepTime!, stepWait!, modeTime!, stepOrder);
  const approvalEntry = approval!.get(groupKey([]));

  const itemRow = items[0];
  return {
    process,
    since: iso(since),
    until: iso(until),
    runs: { ...total, perDay: days.map((day) => ({ day, ...(perDayCounts.get(day) ?? zero()) })) },
    duration: {
      ...percentiles(duration!.get(groupKey([])), 'p50Ms', 'p95Ms'),
      perDay: days.map((day) => ({ day, ...percentiles(durationPerDay!.get(groupKey([day])), 'p50Ms', 'p95Ms') })),
    },
    steps: stepKpis,
    approvalLatency: { count: approvalEntry?.n ?? 0, ...percentiles(approvalEntry, 'p50Ms', 'p95Ms') },
    fanOut: { items: num(itemRow?.items), failed: num(itemRow?.failed), failureRate: rate(num(itemRow?.failed), num(itemRow?.items)) },
  };
}

/** Per step: its visits (summed over the modes), time, wait, rates, and manual against automated. */
function stepsOf(
  modes: KpiQueryRow[],
  stepTime: PercentileTable,
  stepWait: PercentileTable,
  modeTime: PercentileTable,
  stepOrder: readonly string[],
): StepKpis[] {
  const totals = new Map<string, { runs: number; first: number; errors: number; escalated: number; wait: number; time: number }>();
  for (const row of modes) {
    const step = String(row.step);
    const t = totals.get(step) ?? { runs: 0, first: Infinity, errors: 0, escalated: 0, wait: 0, time: 0 };
    t.runs += num(row.runs);
    t.first = Math.min(t.first, num(row.first_started));
    t.errors += num(row.error_runs);
    t.escalated += num(row.escalated_runs);
    t.wait += num(row.wait_sum);
    t.time += num(row.time_sum);
    totals.set(step, t);
  }
  const modeRow = new Map(modes.map((r) => [groupKey([r.step, r.mode]), r]));
  const mode = (step: string, which: 'manual' | 'automated'): ModeKpis => {
    const c = modeRow.get(groupKey([step, which]));
    const median = modeTime.get(groupKey([step, which]))?.p50;
    return { runs: num(c?.runs), ...(median !== undefined ? { medianMs: median } : {}), errorRate: rate(num(c?.error_runs), num(c?.runs)) };
  };
  const position = (step: string) => {
    const i = stepOrder.indexOf(step);
    return i === -1 ? stepOrder.length : i;
  };
  return [...totals.entries()]
    .sort(([a, x], [b, y]) => position(a) - position(b) || x.first - y.first)
    .map(([step, t]) => {
      const wait = stepWait.get(groupKey([step]));
      return {
        step,
        runs: t.runs,
        ...percentiles(stepTime.get(groupKey([step])), 'medianMs', 'p95Ms'),
        personWaitMs: {
          ...(wait?.p50 !== undefined ? { median: wait.p50 } : {}),
          ...(wait?.p95 !== undefined ? { p95: wait.p95 } : {}),
          share: rate(t.wait, t.time),
        },
        escalationRate: rate(t.escalated, t.runs),
        errorRate: rate(t.errors, t.runs),
        manual: mode(step, 'manual'),
        automated: mode(step, 'automated'),
      };
    });
}
