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
  /** The bound the measured figure is held to (its unit is `unit`). */
  threshold: number;
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

/**
 * (d) over (e), Overture over the floor of plain Temporal with local activities, each figure as d / e: latency and
 * CPU below 1 are better than the floor, throughput above 1 is.
 */
export interface RatiosDOverE {
  p50Latency: number;
  p95Latency: number;
  /** Per concurrency, `c20` etc. */
  throughput: Record<string, number>;
  /** Per concurrency, `c1` (one at a time) and each closed loop's. */
  serverCpu: Record<string, number>;
  nodeCpu: Record<string, number>;
}

export interface BenchResults {
  at: string;
  environment: { node: string; cpus: number; temporal: string; temporalBinary: string; nodeProcess: string };
  options: Record<string, unknown>;
  variants: Partial<Record<VariantKey, VariantFigures>>;
  ratiosVsA: Partial<Record<VariantKey, Ratios>>;
  ratiosDOverE?: RatiosDOverE;
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

/** (d)'s figures over (e)'s, phase by phase at the same concurrency; undefined without both. */
export function ratiosAgainstE(variants: BenchResults['variants']): RatiosDOverE | undefined {
  const { d, e } = variants;
  if (!d || !e) return undefined;
  const phasesOf = (v: VariantFigures) => [v.sequential, ...v.loops];
  const pairs = phasesOf(d).flatMap((dp) => {
    const ep = phasesOf(e).find((p) => p.concurrency === dp.concurrency);
    return ep ? [{ name: `c${dp.concurrency}`, dp, ep }] : [];
  });
  const per = (pick: (p: PhaseFigures) => number, loopsOnly = false) =>
    Object.fromEntries(
      pairs.filter(({ dp }) => !loopsOnly || dp !== d.sequential).map(({ name, dp, ep }) => [name, r2(pick(dp) / pick(ep))]),
    );
  return {
    p50Latency: r2(d.sequential.latencyMs.p50 / e.sequential.latencyMs.p50),
    p95Latency: r2(d.sequential.latencyMs.p95 / e.sequential.latencyMs.p95),
    throughput: per((p) => p.runsPerSecond, true),
    serverCpu: per((p) => p.cpu.serverMsPerRun),
    nodeCpu: per((p) => p.cpu.nodeMsPerRun),
  };
}

/** The closed loop nearest to `concurrency` in flight. */
export function loopNear(v: VariantFigures | undefined, concurrency: number): PhaseFigures | undefined {
  return v?.loops.reduce<PhaseFigures | undefined>(
    (best, l) => (!best || Math.abs(l.concurrency - concurrency) < Math.abs(best.concurrency - concurrency) ? l : best),
    undefined,
  );
}

/** The closed loop nearest to 20 in flight: the throughput targets' concurrency. */
export const loopNear20 = (v: VariantFigures | undefined) => loopNear(v, 20);

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
export function latencyLimit(v: VariantFigures, quantile: 'p50' | 'p95', cpus: number): string {
  const s = v.sequential;
  const cpu = s.cpu.serverMsPerRun + s.cpu.nodeMsPerRun + (s.cpu.systemsMsPerRun ?? 0);
  const latency = s.latencyMs[quantile];
  const inHistory = v.runDurationMs.p50;
  const where = `in history ${inHistory} ms, outside (start request + result delivery) ${r1(s.latencyMs.p50 - inHistory)} ms at p50`;
  if (cpu >= 0.8 * latency)
    return `CPU: server ${s.cpu.serverMsPerRun} + Node ${s.cpu.nodeMsPerRun} ms per run ≈ ${quantile} ${latency} ms, ${side(s)}; ${where}${criticalPath(v)}`;
  const offCpu = `${r1(latency - cpu)} of ${latency} ms per run off CPU (server ${s.cpu.serverMsPerRun} + Node ${s.cpu.nodeMsPerRun} ms CPU)`;
  // Off this run's CPU, but the machine's cores were busy (other processes): the run waited for a core.
  if (s.cpu.machineCoresBusy >= 0.8 * cpus)
    return `CPU of the whole machine: ${s.cpu.machineCoresBusy} of ${cpus} cores busy with one run in flight, ${offCpu} waiting for a core; ${where}${criticalPath(v)}`;
  return `waiting, not CPU: ${offCpu}; ${where}${criticalPath(v)}`;
}

/** Why a throughput is what it is: both cores busy (and which side uses them), or runs waiting. */
export function throughputLimit(l: PhaseFigures, cpus: number): string {
  const systems = l.cpu.systemsMsPerRun === undefined ? '' : ` + systems ${l.cpu.systemsMsPerRun}`;
  const figures = `(server ${l.cpu.serverMsPerRun} + Node ${l.cpu.nodeMsPerRun}${systems} ms CPU per run × ${l.runsPerSecond} runs/s; whole machine ${l.cpu.machineCoresBusy} cores busy)`;
  // The whole machine counts what neither side does (SQLite's fsyncs in the kernel, the receivers, other processes).
  const busy = Math.max(l.cpu.coresBusy, Number.isNaN(l.cpu.machineCoresBusy) ? 0 : l.cpu.machineCoresBusy);
  if (busy >= 0.8 * cpus) return `CPU: ${busy} of ${cpus} cores busy ${figures}; ${side(l)}`;
  return `not CPU (${busy} of ${cpus} cores busy ${figures}): wall time, runs wait (p50 ${l.latencyMs.p50} ms each with ${l.concurrency} in flight)`;
}

/** Bounds of issue 18's targets. */
export const TARGETS = {
  p50CapMs: 45,
  p50OfBFactor: 0.6,
  p95Ms: 70,
  throughputOverB: 2,
  eventsPerRun: 12,
  workflowTasksPerRun: 2,
  nodeCpuMsPerRun: 20,
  serverCpuMsPerRun: 30,
  parkedRssMb: 300,
  decisionToNextStepMs: 50,
} as const;

const top = (counts: Record<string, number>, n = 4) =>
  Object.entries(counts)
    .sort((x, y) => y[1] - x[1])
    .slice(0, n)
    .map(([k, c]) => `${c} ${k}`)
    .join(', ');

/**
 * Issue 18's targets, each with its bound, its measured figure and, when unmet, what limits it (CPU or waiting,
 * history writes, memory). Targets whose figures were not measured (a variant left out) are left out.
 */
export function evaluateTargets(variants: BenchResults['variants'], parked: ParkedFigures | undefined, cpus: number): Target[] {
  const targets: Target[] = [];
  const add = (target: string, threshold: number, measured: number, unit: string, met: boolean, limit: () => string) =>
    targets.push({
      target,
      threshold: r1(threshold),
      measured,
      unit,
      met,
      ...(met ? {} : { limit: Number.isNaN(measured) ? 'no figure: no run completed' : limit() }),
    });
  const { b, d } = variants;
  if (d) {
    const p50 = d.sequential.latencyMs.p50;
    const fromB = b ? TARGETS.p50OfBFactor * b.sequential.latencyMs.p50 : Infinity;
    const bound = Math.min(fromB, TARGETS.p50CapMs);
    const why = b
      ? `min(${TARGETS.p50OfBFactor} × (b) ${b.sequential.latencyMs.p50}, ${TARGETS.p50CapMs})`
      : `${TARGETS.p50CapMs}, no (b) in this run`;
    add(`(d) p50 latency, 1 in flight ≤ ${r1(bound)} ms (${why})`, bound, p50, 'ms', p50 <= bound, () => latencyLimit(d, 'p50', cpus));
    const p95 = d.sequential.latencyMs.p95;
    add(`(d) p95 latency, 1 in flight ≤ ${TARGETS.p95Ms} ms`, TARGETS.p95Ms, p95, 'ms', p95 <= TARGETS.p95Ms, () =>
      latencyLimit(d, 'p95', cpus),
    );
  }
  const d20 = loopNear20(d);
  const b20 = loopNear20(b);
  if (d20 && b20 && b20.concurrency === d20.concurrency) {
    const ratio = r2(d20.runsPerSecond / b20.runsPerSecond);
    add(
      `(d) runs/s at ${d20.concurrency} in flight ≥ ${TARGETS.throughputOverB}× (b)'s (${d20.runsPerSecond} vs ${b20.runsPerSecond})`,
      TARGETS.throughputOverB,
      ratio,
      '×',
      ratio >= TARGETS.throughputOverB,
      () => throughputLimit(d20, cpus),
    );
  }
  if (d) {
    const h = d.historyEvents;
    add(
      `(d) history events per happy onboarding ≤ ${TARGETS.eventsPerRun} (largest of ${h.sampled}; median ${h.median})`,
      TARGETS.eventsPerRun,
      h.max,
      'events',
      h.max <= TARGETS.eventsPerRun,
      () => `history writes: the median run writes ${top(h.kindsOfMedianRun)}`,
    );
    const tasks = h.workflowTasks;
    add(
      `(d) workflow tasks per run ≤ ${TARGETS.workflowTasksPerRun} (largest of ${h.sampled}; median ${tasks.median})`,
      TARGETS.workflowTasksPerRun,
      tasks.max,
      'tasks',
      tasks.max <= TARGETS.workflowTasksPerRun,
      () => `round trips: each task after the first was woken by (per run) ${top(h.whyExtraTasksPerRun) || 'nothing'}`,
    );
  }
  if (d20) {
    const node = d20.cpu.nodeMsPerRun;
    const systems =
      d20.cpu.systemsMsPerRun === undefined ? '' : `; the systems' process ${d20.cpu.systemsMsPerRun} ms/run beside it, not counted`;
    add(
      `(d) Node CPU per run at ${d20.concurrency} in flight (client + worker) ≤ ${TARGETS.nodeCpuMsPerRun} ms`,
      TARGETS.nodeCpuMsPerRun,
      node,
      'ms',
      node <= TARGETS.nodeCpuMsPerRun,
      () => `CPU in the bench process: client + worker ${node} ms per run${systems} (npm run bench:profile shows where)`,
    );
    const server = d20.cpu.serverMsPerRun;
    const one = d?.sequential.cpu.serverMsPerRun;
    const h = d?.historyEvents;
    add(
      `(d) server CPU per run at ${d20.concurrency} in flight ≤ ${TARGETS.serverCpuMsPerRun} ms (1 in flight: ${one} ms)`,
      TARGETS.serverCpuMsPerRun,
      server,
      'ms',
      server <= TARGETS.serverCpuMsPerRun,
      () => {
        const requests = d20.server
          ? `; per run ${serverOps(d20)} server requests / persistence / visibility operations, the most: ${top(d20.server.top, 6)}; ` +
            `${d20.server.queries} queries`
          : '';
        return (
          `CPU in the Temporal server: ${server} ms per run, for ${h?.median} events, ${h?.workflowTasks.median} workflow tasks, ` +
          `${h?.visibilityWritesMedian} visibility writes and ${h?.payloadBytesMedian} payload bytes per run${requests}`
        );
      },
    );
  }
  if (parked) {
    const rss = parked.rssMb;
    add(
      `parked: worker RSS ≤ ${TARGETS.parkedRssMb} MB (${parked.parked} waiting; worker ${parked.workerRuns === 'compiled' ? 'compiled' : 'under tsx'}, WORKER_HEAP=${parked.heap ?? 'default'})`,
      TARGETS.parkedRssMb,
      rss.waitingPeak,
      'MB',
      rss.waitingPeak <= TARGETS.parkedRssMb,
      () =>
        `memory: ${rss.baseline} MB before parking + ${rss.perParkedRunKb} KB per parked run (heap used ${parked.heapUsedMbWaiting} MB while all wait)`,
    );
    const busy = parked.cpu.approving;
    const heaviest = busy.serverMsPerRun >= busy.workerMsPerRun ? 'the Temporal server dominates' : 'the worker dominates';
    const why = () =>
      `${busy.coresBusy >= 0.8 * cpus ? 'CPU' : 'not CPU'}: while approving ${busy.coresBusy} of ${cpus} cores busy (CPU per run: server ${busy.serverMsPerRun}, ` +
      `worker ${busy.workerMsPerRun}, client ${busy.clientMsPerRun} ms; ${heaviest}); update round trip p50 ${parked.approvals.updateRoundTripMs.p50} ms, ` +
      `decision sent → its workflow task started p50 ${parked.decisionToNextStep.sendToTaskStartMs.p50} ms`;
    const bound = TARGETS.decisionToNextStepMs;
    const fromEvent = parked.decisionToNextStep.fromUpdateEventMs.p50;
    add(
      `parked: decision → next step p50 ≤ ${bound} ms (history: update event → next step)`,
      bound,
      fromEvent,
      'ms',
      fromEvent <= bound,
      why,
    );
    const fromSend = parked.decisionToNextStep.fromSendMs.p50;
    add(`parked: decision → next step p50 ≤ ${bound} ms (decision sent → next step)`, bound, fromSend, 'ms', fromSend <= bound, why);
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
  line(
    'workflow tasks per run (median)',
    vs.map((v) => v.historyEvents.workflowTasks.median),
  );
  line(
    'upserts / visibility writes per run',
    vs.map((v) => `${v.historyEvents.upsertsMedian} / ${v.historyEvents.visibilityWritesMedian}`),
  );
  line(
    'payload bytes per run (median)',
    vs.map((v) => v.historyEvents.payloadBytesMedian),
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
    if (vs.some((v) => pick(v)?.cpu.systemsMsPerRun !== undefined))
      line(
        `  systems' process CPU ms/run, ${name}`,
        vs.map((v) => pick(v)?.cpu.systemsMsPerRun),
      );
    if (vs.some((v) => pick(v)?.server))
      line(
        `  server requests / persistence / visibility ops per run, ${name}`.slice(0, LABEL),
        vs.map((v) => serverOps(pick(v))),
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

/** A phase's server requests, persistence and visibility operations per run: `12 / 30 / 3`. */
export const serverOps = (p: PhaseFigures | undefined) =>
  p?.server ? `${p.server.serviceRequests} / ${p.server.persistenceRequests} / ${p.server.visibilityRequests}` : undefined;

/** (d) against (e), the floor of the fast path. */
function printAgainstE(r: RatiosDOverE): void {
  console.log(
    '\n(d)/(e): Overture, real systems, over plain Temporal with local activities (latency and CPU: below 1 is better; runs/s: above 1 is)',
  );
  const row = (label: string, value: string | number) => console.log(`  ${label.padEnd(LABEL)}${cell(value)}`);
  row('p50 / p95 latency, 1 in flight', `${r.p50Latency} / ${r.p95Latency}`);
  for (const [c, x] of Object.entries(r.throughput)) row(`runs/s, ${c.slice(1)} in flight`, x);
  for (const c of Object.keys(r.serverCpu))
    row(`CPU per run, ${c.slice(1)} in flight: server / Node`, `${r.serverCpu[c]} / ${r.nodeCpu[c]}`);
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
    `\nparked at the approval gate: ${p.parked} of ${p.runs} runs (${p.systems} systems, ${p.inFlight} starts/approvals in flight); RSS of the worker, in a process of its own, WORKER_HEAP=${p.heap ?? 'default'}`,
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
    console.log(`  ${(t.met ? 'met    ' : 'NOT MET').padEnd(8)} ${t.target.padEnd(92)} ${String(t.measured).padStart(8)} ${t.unit}`);
    if (t.limit) console.log(`           limit: ${t.limit}`);
  }
}

/** Prints every table of the results. */
export function printResults(res: BenchResults): void {
  const env = res.environment;
  console.log(`\nOverture onboarding benchmark: node ${env.node}, ${env.cpus} CPUs, ${env.temporal}`);
  console.log(
    `(a) on \`temporal server start-dev\` as shipped; (b), (e), (c), (d) and the parked runs on Overture's tuned server, in that order, one server at a time. ${env.nodeProcess}`,
  );
  if (Object.keys(res.variants).length) printVariants(res);
  for (const key of ['d', 'c'] as const) {
    const v = res.variants[key];
    if (v?.steps.length) printSteps(key, v);
  }
  if (res.ratiosDOverE) printAgainstE(res.ratiosDOverE);
  if (res.parked) printParked(res.parked);
  printTargets(res.targets);
  console.log('\nchecks');
  for (const c of res.checks) console.log(`  ${c.ok ? 'PASS' : 'FAIL'} ${c.check.padEnd(60)} ${c.actual}/${c.expected}`);
}
