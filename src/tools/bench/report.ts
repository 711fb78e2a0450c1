/**
 * The onboarding bench's results: ratios against the plain baseline, the targets with what limits each
 * unmet one, and the tables printed side by side.
 */
import type { ParkedFigures } from './parked';
import type { PhaseFigures, VariantFigures } from './phases';
import { r1, r2 } from './stats';
import { VARIANT_KEYS, VARIANT_TITLES, type VariantKey } from './variants';

export interface Check {
  check: string;
  expected: number;
  actual: number;
  ok: boolean;
}

export interface Target {
  target: string;
  measured: number;
  unit: string;
  met: boolean;
  /** For an unmet target: the resource that limits it, with the figure that shows it. */
  limit?: string;
}

export interface Ratios {
  /** a's latency over this variant's: above 1 is faster than plain Temporal on a default server. */
  p50LatencyAOverX: number;
  p95LatencyAOverX: number;
  /** This variant's runs/s over a's, per concurrency. */
  throughputXOverA: Record<string, number>;
}

export interface BenchResults {
  at: string;
  environment: { node: string; cpus: number; temporal: string; temporalBinary: string; nodeProcess: string };
  options: Record<string, unknown>;
  variants: Partial<Record<VariantKey, VariantFigures>>;
  ratiosVsA: Partial<Record<VariantKey, Ratios>>;
  parked?: ParkedFigures;
  targets: Target[];
  checks: Check[];
}

/** Every variant's latency and throughput against (a)'s; empty without (a). */
export function ratiosAgainstA(variants: BenchResults['variants']): BenchResults['ratiosVsA'] {
  const a = variants.a;
  if (!a) return {};
  const ratios: BenchResults['ratiosVsA'] = {};
  for (const [key, x] of Object.entries(variants) as Array<[VariantKey, VariantFigures]>) {
    ratios[key] = {
      p50LatencyAOverX: r2(a.sequential.latencyMs.p50 / x.sequential.latencyMs.p50),
      p95LatencyAOverX: r2(a.sequential.latencyMs.p95 / x.sequential.latencyMs.p95),
      throughputXOverA: Object.fromEntries(
        x.loops.map((l) => [
          `c${l.concurrency}`,
          r2(l.runsPerSecond / (a.loops.find((al) => al.concurrency === l.concurrency)?.runsPerSecond ?? NaN)),
        ]),
      ),
    };
  }
  return ratios;
}

/** The closed loop nearest to 20 in flight: the throughput targets' concurrency. */
export function loopNear20(v: VariantFigures | undefined): PhaseFigures | undefined {
  return v?.loops.reduce<PhaseFigures | undefined>(
    (best, l) => (!best || Math.abs(l.concurrency - 20) < Math.abs(best.concurrency - 20) ? l : best),
    undefined,
  );
}

const side = (p: PhaseFigures) =>
  p.cpu.serverMsPerRun >= p.cpu.nodeMsPerRun ? 'the Temporal server dominates' : 'the Node process (worker + client) dominates';

/** The step that lengthens the run most (its end after the end before it) and the time from the last step to the run's end. */
function criticalPath(v: VariantFigures): string {
  const done = v.steps
    .flatMap((s) => (s.doneOffsetMsP50 === undefined ? [] : [{ step: s.step, at: s.doneOffsetMsP50 }]))
    .sort((x, y) => x.at - y.at);
  const last = done[done.length - 1];
  if (!last) return '';
  let previous = 0;
  let longest = { step: '', gap: -1 };
  for (const d of done) {
    if (d.at - previous > longest.gap) longest = { step: d.step, gap: r1(d.at - previous) };
    previous = d.at;
  }
  return `; critical path: ${longest.step} ends ${longest.gap} ms after the step before it, the last step is done at ${last.at} ms and the run ends ${r1(v.runDurationMs.p50 - last.at)} ms later`;
}

/** Why a latency at concurrency 1 is what it is: CPU on the critical path, or waiting. */
function latencyLimit(v: VariantFigures, quantile: 'p50' | 'p95'): string {
  const s = v.sequential;
  const cpu = s.cpu.serverMsPerRun + s.cpu.nodeMsPerRun;
  const latency = s.latencyMs[quantile];
  const inHistory = v.runDurationMs.p50;
  const where = `in history ${inHistory} ms, outside (start request + result delivery) ${r1(s.latencyMs.p50 - inHistory)} ms at p50`;
  if (cpu >= 0.8 * latency)
    return `CPU: server ${s.cpu.serverMsPerRun} + Node ${s.cpu.nodeMsPerRun} ms per run ≈ ${quantile} ${latency} ms, ${side(s)}; ${where}${criticalPath(v)}`;
  return `waiting, not CPU: ${r1(latency - cpu)} of ${latency} ms per run off CPU (server ${s.cpu.serverMsPerRun} + Node ${s.cpu.nodeMsPerRun} ms CPU); ${where}${criticalPath(v)}`;
}

/** Why a throughput is what it is: both cores busy (and which side uses them), or runs waiting. */
function throughputLimit(l: PhaseFigures, cpus: number): string {
  const figures = `(server ${l.cpu.serverMsPerRun} + Node ${l.cpu.nodeMsPerRun} ms CPU per run × ${l.runsPerSecond} runs/s)`;
  if (l.cpu.coresBusy >= 0.8 * cpus) return `CPU: ${l.cpu.coresBusy} of ${cpus} cores busy ${figures}; ${side(l)}`;
  return `not CPU (${l.cpu.coresBusy} of ${cpus} cores busy ${figures}): wall time, runs wait (p50 ${l.latencyMs.p50} ms each with ${l.concurrency} in flight)`;
}

/** The targets, each with its measured figure and, when unmet, its limit. Targets missing their figures are left out. */
export function evaluateTargets(variants: BenchResults['variants'], parked: ParkedFigures | undefined, cpus: number): Target[] {
  const targets: Target[] = [];
  const add = (target: string, measured: number, unit: string, met: boolean, limit: () => string) =>
    targets.push({
      target,
      measured,
      unit,
      met,
      ...(met ? {} : { limit: Number.isNaN(measured) ? 'no figure: no run completed' : limit() }),
    });
  const { a, c, d } = variants;
  if (d) {
    add('(d) onboarding, real systems: p50 ≤ 40 ms', d.sequential.latencyMs.p50, 'ms', d.sequential.latencyMs.p50 <= 40, () =>
      latencyLimit(d, 'p50'),
    );
    add('(d) onboarding, real systems: p95 ≤ 60 ms', d.sequential.latencyMs.p95, 'ms', d.sequential.latencyMs.p95 <= 60, () =>
      latencyLimit(d, 'p95'),
    );
  }
  if (c)
    add('(c) engine overhead, no-op systems: p50 ≤ 15 ms', c.sequential.latencyMs.p50, 'ms', c.sequential.latencyMs.p50 <= 15, () =>
      latencyLimit(c, 'p50'),
    );
  const d20 = loopNear20(d);
  const a20 = loopNear20(a);
  if (d20 && a20 && a20.concurrency === d20.concurrency) {
    const ratio = r2(d20.runsPerSecond / a20.runsPerSecond);
    add(
      `(d) throughput at ${d20.concurrency} in flight ≥ 3× (a)`,
      ratio,
      '×',
      ratio >= 3,
      () => `${throughputLimit(d20, cpus)}; (a) ${a20.runsPerSecond} runs/s`,
    );
  }
  if (d20)
    add(`(d) throughput at ${d20.concurrency} in flight ≥ 60 runs/s`, d20.runsPerSecond, 'runs/s', d20.runsPerSecond >= 60, () =>
      throughputLimit(d20, cpus),
    );
  if (d) {
    const kinds = Object.entries(d.historyEvents.kindsOfMedianRun).sort((x, y) => y[1] - x[1]);
    const top = kinds
      .slice(0, 4)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
    add(
      'history events per onboarding ≤ 15',
      d.historyEvents.median,
      'events',
      d.historyEvents.median <= 15,
      () => `history writes: the median run writes ${top}`,
    );
  }
  if (parked) {
    const rss = parked.rssMb;
    add(
      `parked: worker RSS ≤ 300 MB (${parked.parked} waiting)`,
      rss.waitingPeak,
      'MB',
      rss.waitingPeak <= 300,
      () =>
        `memory: ${rss.baseline} MB before parking + ${rss.perParkedRunKb} KB per parked run (heap used ${parked.heapUsedMbWaiting} MB)`,
    );
    const busy = parked.cpu.approving;
    const heaviest = busy.serverMsPerRun >= busy.workerMsPerRun ? 'the Temporal server dominates' : 'the worker dominates';
    const why = () =>
      `${busy.coresBusy >= 0.8 * cpus ? 'CPU' : 'not CPU'}: while approving ${busy.coresBusy} of ${cpus} cores busy (CPU per run: server ${busy.serverMsPerRun}, ` +
      `worker ${busy.workerMsPerRun}, client ${busy.clientMsPerRun} ms; ${heaviest}); update round trip p50 ${parked.approvals.updateRoundTripMs.p50} ms, ` +
      `decision sent → its workflow task started p50 ${parked.decisionToNextStep.sendToTaskStartMs.p50} ms`;
    const fromEvent = parked.decisionToNextStep.fromUpdateEventMs.p50;
    add('parked: decision → next step p50 ≤ 50 ms (history: update event → next step)', fromEvent, 'ms', fromEvent <= 50, why);
    const fromSend = parked.decisionToNextStep.fromSendMs.p50;
    add('parked: decision → next step p50 ≤ 50 ms (decision sent → next step)', fromSend, 'ms', fromSend <= 50, why);
  }
  return targets;
}

const COL = 18;
const LABEL = 44;
const cell = (value: string | number | undefined) => String(value ?? '–').padStart(COL);
const line = (label: string, values: Array<string | number | undefined>) =>
  console.log(`  ${label.padEnd(LABEL)}${values.map(cell).join('')}`);

/** The variants side by side, one column each. */
function printVariants(res: BenchResults): void {
  const keys = VARIANT_KEYS.filter((k) => res.variants[k]);
  const vs = keys.map((k) => res.variants[k]!);
  console.log('\nvariants (latency: start request → result, one run at a time; runs/s: completed / wall time of a closed loop)');
  line(
    '',
    keys.map((k) => `(${k})`),
  );
  line(
    '',
    keys.map((k) => VARIANT_TITLES[k].split(', ')[0]),
  );
  line(
    '',
    keys.map((k) => VARIANT_TITLES[k].split(', ')[1]),
  );
  line(
    `p50 latency, 1 in flight (ms)`,
    vs.map((v) => v.sequential.latencyMs.p50),
  );
  line(
    `p95 latency, 1 in flight (ms)`,
    vs.map((v) => v.sequential.latencyMs.p95),
  );
  line(
    'run in history, start → end, p50 (ms)',
    vs.map((v) => v.runDurationMs.p50),
  );
  const levels = [...new Set(vs.flatMap((v) => v.loops.map((l) => l.concurrency)))];
  const at = (v: VariantFigures, c: number) => v.loops.find((l) => l.concurrency === c);
  for (const c of levels) {
    line(
      `runs/s, ${c} in flight`,
      vs.map((v) => at(v, c)?.runsPerSecond),
    );
    line(
      `  p50 latency, ${c} in flight (ms)`,
      vs.map((v) => at(v, c)?.latencyMs.p50),
    );
  }
  line(
    'history events per run (median)',
    vs.map((v) => v.historyEvents.median),
  );
  const phases: Array<[string, (v: VariantFigures) => PhaseFigures | undefined]> = [
    ['1', (v) => v.sequential],
    ...levels.map((c): [string, (v: VariantFigures) => PhaseFigures | undefined] => [String(c), (v) => at(v, c)]),
  ];
  for (const [name, pick] of phases) {
    line(
      `server CPU ms/run, ${name} in flight`,
      vs.map((v) => pick(v)?.cpu.serverMsPerRun),
    );
    line(
      `Node CPU ms/run, ${name} in flight`,
      vs.map((v) => pick(v)?.cpu.nodeMsPerRun),
    );
    line(
      `  cores busy, ${name} in flight`,
      vs.map((v) => pick(v)?.cpu.coresBusy),
    );
  }
  line(
    'completed / runs',
    vs.map((v) => `${v.completedRuns}/${v.totalRuns}`),
  );
  if (res.variants.a) {
    console.log('\nagainst (a) (latency: a / x; throughput: x / a)');
    line(
      'p50 latency',
      keys.map((k) => res.ratiosVsA[k]?.p50LatencyAOverX),
    );
    line(
      'p95 latency',
      keys.map((k) => res.ratiosVsA[k]?.p95LatencyAOverX),
    );
    for (const c of levels)
      line(
        `throughput, ${c} in flight`,
        keys.map((k) => res.ratiosVsA[k]?.throughputXOverA[`c${c}`]),
      );
  }
}

/** Where the time of one onboarding goes, step by step (runs one at a time). */
function printSteps(key: VariantKey, v: VariantFigures): void {
  const n = v.steps[0]?.runs ?? 0;
  console.log(
    `\nsteps of (${key}) ${VARIANT_TITLES[key]}, ${n} runs one at a time, from their histories (p50 / p95 ms; offsets from the run's start, p50)`,
  );
  const w = [18, 9, 17, 17, 17, 10, 9, 12];
  const row = (cols: unknown[]) =>
    console.log(`  ${cols.map((c, i) => (i === 0 ? String(c).padEnd(w[i]!) : String(c).padStart(w[i]!))).join('')}`);
  const pair = (p?: { p50: number; p95: number }) => (p ? `${p.p50} / ${p.p95}` : '–');
  row(['step', 'runs as', 'sched → start', 'execution', 'end to end', 'starts at', 'done at', 'recorded at']);
  for (const s of v.steps)
    row([
      s.step,
      s.kind,
      pair(s.scheduleToStartMs),
      pair(s.executionMs),
      pair(s.endToEndMs),
      s.startOffsetMsP50,
      s.doneOffsetMsP50 ?? '–',
      s.endOffsetMsP50,
    ]);
  row(['whole run', '', '', '', pair(v.runDurationMs), 0, '', v.runDurationMs.p50]);
  if (v.steps.some((s) => s.kind === 'local')) {
    console.log(
      "  local: the step runs inside a workflow task; end to end is that task's start → the step's marker, recorded when the task",
    );
    console.log("  completes (steps of one task share it); starts at, execution and done at are the worker's own timing of the activity");
  }
}

function printParked(p: ParkedFigures): void {
  console.log(
    `\nparked at the approval gate: ${p.parked} of ${p.runs} runs (${p.systems} systems, ${p.inFlight} starts/approvals in flight); RSS of the worker, in a process of its own`,
  );
  const row = (label: string, value: string | number) => console.log(`  ${label.padEnd(LABEL)}${cell(value)}`);
  row('parked in (ms)', p.parkWallMs);
  row('RSS before parking (MB)', p.rssMb.baseline);
  row('RSS peak while parking (MB)', p.rssMb.parkingPeak);
  row('RSS while all wait, median / peak (MB)', `${p.rssMb.waitingMedian} / ${p.rssMb.waitingPeak}`);
  row('RSS per parked run (KB)', p.rssMb.perParkedRunKb);
  row('heap used while all wait (MB)', p.heapUsedMbWaiting);
  row('RSS peak while approving (MB)', p.rssMb.approvingPeak);
  row('approved / completed', `${p.approvals.applied} / ${p.completed}`);
  row('approving wall time (ms)', p.approvals.wallMs);
  row('update round trip p50 / p95 (ms)', `${p.approvals.updateRoundTripMs.p50} / ${p.approvals.updateRoundTripMs.p95}`);
  const d = p.decisionToNextStep;
  row(`decision → next step, ${d.sampled} histories:`, '');
  row('  update event → next step p50 / p95 (ms)', `${d.fromUpdateEventMs.p50} / ${d.fromUpdateEventMs.p95}`);
  row('  decision sent → next step p50 / p95 (ms)', `${d.fromSendMs.p50} / ${d.fromSendMs.p95}`);
  row('  decision sent → its task started p50 (ms)', d.sendToTaskStartMs.p50);
  for (const [stage, c] of [
    ['parking', p.cpu.parking],
    ['approving', p.cpu.approving],
  ] as const) {
    row(`CPU ms/run, ${stage}: server / worker / client`, `${c.serverMsPerRun} / ${c.workerMsPerRun} / ${c.clientMsPerRun}`);
    row(`  cores busy, ${stage}`, c.coresBusy);
  }
  console.log('  (a local next step shows as its marker, written when the task that ran it completes: "next step" is its end)');
}

function printTargets(targets: Target[]): void {
  console.log('\ntargets');
  for (const t of targets) {
    console.log(`  ${(t.met ? 'met    ' : 'NOT MET').padEnd(8)} ${t.target.padEnd(78)} ${String(t.measured).padStart(8)} ${t.unit}`);
    if (t.limit) console.log(`           limit: ${t.limit}`);
  }
}

/** Prints every table of the results. */
export function printResults(res: BenchResults): void {
  const env = res.environment;
  console.log(`\nOverture onboarding benchmark: node ${env.node}, ${env.cpus} CPUs, ${env.temporal}`);
  console.log(
    `(a) on \`temporal server start-dev\` as shipped; (b), (c), (d) and the parked runs on Overture's tuned server, one server at a time. ${env.nodeProcess}`,
  );
  if (Object.keys(res.variants).length) printVariants(res);
  for (const key of ['d', 'c'] as const) {
    const v = res.variants[key];
    if (v?.steps.length) printSteps(key, v);
  }
  if (res.parked) printParked(res.parked);
  printTargets(res.targets);
  console.log('\nchecks');
  for (const c of res.checks) console.log(`  ${c.ok ? 'PASS' : 'FAIL'} ${c.check.padEnd(60)} ${c.actual}/${c.expected}`);
}
