/**
 * `summary.md` of a results folder: the onboarding bench in the layout of issue 18's table (one column per variant,
 * (e) beside the others), its targets met / not met, (d)/(e), and the fan-out and pipeline benches' headline figures.
 */
import { serverOps, type BenchResults, type Target } from './report';
import type { PhaseFigures, VariantFigures } from './phases';
import { VARIANT_KEYS, VARIANT_TITLES } from './variants';

/** The fan-out bench's results file, as far as the summary reads it. */
export interface FanOutSummary {
  items: number;
  plainTemporal: { wallMsMedian: number; itemsPerSecondMedian: number };
  overtureKit: { wallMsMedian: number; itemsPerSecondMedian: number };
  ratios: { wallTimeKitOverPlain: number };
}

/** The pipeline bench's results file, as far as the summary reads it. */
export interface PipelineSummary {
  rows: number;
  pipeline: { wallMsMedian: number; rowsPerSecondMedian: number };
  workerKilledDuringTransform?: { timeLostMsMedian: number };
  baselineWithoutTemporal: { rowsPerSecondMedian: number };
  cpu: { workerMsMedian: number; serverMsMedian: number };
}

/** How long each bench took, in minutes. */
export interface Durations {
  onboarding: number;
  fanOut?: number;
  pipeline?: number;
  total: number;
}

const at = (v: VariantFigures, concurrency: number): PhaseFigures | undefined => v.loops.find((l) => l.concurrency === concurrency);
const or = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '–' : String(n));
const row = (cells: string[]) => `| ${cells.join(' | ')} |`;

/** One markdown line per target: met or not, bound, measured, and what limits an unmet one. */
export function targetLines(targets: readonly Target[]): string[] {
  return targets.map(
    (t) => `- **${t.met ? 'met' : 'NOT MET'}**: ${t.target}: measured ${or(t.measured)} ${t.unit}${t.limit ? `. Limit: ${t.limit}` : ''}`,
  );
}

/** The variants as the issue's table: rows are figures, columns variants, in run order. */
export function variantTable(res: BenchResults): string[] {
  const keys = VARIANT_KEYS.filter((k) => res.variants[k]);
  const vs = keys.map((k) => res.variants[k]!);
  const levels = [...new Set(vs.flatMap((v) => v.loops.map((l) => l.concurrency)))];
  const near20 = levels.includes(20) ? 20 : levels[0];
  const cpuAt = (p: PhaseFigures | undefined) => {
    if (!p) return '–';
    const systems = p.cpu.systemsMsPerRun === undefined ? '' : ` (+ systems ${p.cpu.systemsMsPerRun})`;
    return `${p.cpu.serverMsPerRun} / ${p.cpu.nodeMsPerRun}${systems}`;
  };
  const lines = [
    row(['', ...keys.map((k) => `(${k}) ${VARIANT_TITLES[k]}`)]),
    row(['---', ...keys.map(() => '---')]),
    row(['p50 / p95 ms, one at a time', ...vs.map((v) => `${v.sequential.latencyMs.p50} / ${v.sequential.latencyMs.p95}`)]),
    row([`runs/s at ${levels.join(' / ')} in flight`, ...vs.map((v) => levels.map((c) => or(at(v, c)?.runsPerSecond)).join(' / '))]),
    row(['history events per run', ...vs.map((v) => String(v.historyEvents.median))]),
    row(['workflow tasks per run', ...vs.map((v) => String(v.historyEvents.workflowTasks.median))]),
    row([
      'upserts / visibility writes per run',
      ...vs.map((v) => `${v.historyEvents.upsertsMedian} / ${v.historyEvents.visibilityWritesMedian}`),
    ]),
    row(['payload bytes per run', ...vs.map((v) => String(v.historyEvents.payloadBytesMedian))]),
    row(['CPU ms per run one at a time, server / Node', ...vs.map((v) => cpuAt(v.sequential))]),
  ];
  if (near20 !== undefined) {
    lines.push(row([`CPU ms per run at ${near20} in flight, server / Node`, ...vs.map((v) => cpuAt(at(v, near20)))]));
    const ops = vs.map((v) => serverOps(at(v, near20)));
    if (ops.some((o) => o !== undefined))
      lines.push(row([`server requests / persistence / visibility ops per run at ${near20}`, ...ops.map((o) => o ?? '–')]));
  }
  return lines;
}

/** The whole summary.md. */
export function summaryMarkdown(
  res: BenchResults,
  extra: { sha: string; durations?: Durations; fanOut?: FanOutSummary; pipeline?: PipelineSummary },
): string {
  const env = res.environment;
  const out = [
    `# Bench ${res.at.slice(0, 10)} at ${extra.sha}`,
    '',
    `node ${env.node}, ${env.cpus} CPUs, ${env.temporal}. (a) on \`temporal server start-dev\` as shipped; (b), (e), (c), (d) on ` +
      `Overture's tuned server, in that order. Latency: start request → result. Node CPU: the bench process (client + worker); ` +
      `"systems": (d)'s SMTP and webhook receivers, in a process of their own.`,
    '',
    ...variantTable(res),
    '',
    '## Targets',
    '',
    ...targetLines(res.targets),
    ...res.checks.map((c) => `- check ${c.ok ? 'passed' : '**FAILED**'}: ${c.check} (${c.actual}/${c.expected})`),
  ];
  const r = res.ratiosDOverE;
  if (r) {
    out.push(
      '',
      '## (d)/(e), information',
      '',
      `Overture with real systems over plain Temporal with five local activities (latency and CPU: below 1 is better; runs/s: above 1 is).`,
      '',
      `- latency p50 / p95, one at a time: ${r.p50Latency} / ${r.p95Latency}`,
      `- runs/s: ${Object.entries(r.throughput)
        .map(([c, x]) => `${x} at ${c.slice(1)} in flight`)
        .join(', ')}`,
      `- CPU per run, server / Node: ${Object.keys(r.serverCpu)
        .map((c) => `${r.serverCpu[c]} / ${r.nodeCpu[c]} at ${c.slice(1)} in flight`)
        .join(', ')}`,
    );
  }
  if (res.parked) {
    const p = res.parked;
    out.push(
      '',
      `## Parked at the approval gate (${p.parked} runs)`,
      '',
      `Worker RSS (${p.workerRuns === 'compiled' ? 'compiled, as deployed' : 'the sources under tsx'}, WORKER_HEAP=${p.heap ?? 'default'}) ${p.rssMb.baseline} MB before parking, ${p.rssMb.waitingPeak} MB peak while all wait (${p.rssMb.perParkedRunKb} KB per run); ` +
        `decision → next step p50 ${p.decisionToNextStep.fromUpdateEventMs.p50} ms (update event), ${p.decisionToNextStep.fromSendMs.p50} ms (decision sent).`,
    );
  }
  const f = extra.fanOut;
  if (f)
    out.push(
      '',
      `## Fan-out (${f.items} items)`,
      '',
      `Plain Temporal ${f.plainTemporal.wallMsMedian} ms (${f.plainTemporal.itemsPerSecondMedian} items/s), Overture's kit ` +
        `${f.overtureKit.wallMsMedian} ms (${f.overtureKit.itemsPerSecondMedian} items/s): kit / plain wall time ${f.ratios.wallTimeKitOverPlain}.`,
    );
  const p = extra.pipeline;
  if (p)
    out.push(
      '',
      `## Pipeline (${p.rows} rows)`,
      '',
      `${p.pipeline.rowsPerSecondMedian} rows/s (median ${p.pipeline.wallMsMedian} ms; without Temporal ${p.baselineWithoutTemporal.rowsPerSecondMedian} rows/s); ` +
        `CPU per run worker ${p.cpu.workerMsMedian} ms, server ${p.cpu.serverMsMedian} ms` +
        (p.workerKilledDuringTransform
          ? `; a worker SIGKILL during transform costs ${p.workerKilledDuringTransform.timeLostMsMedian} ms.`
          : '.'),
    );
  const d = extra.durations;
  if (d) {
    const part = (name: string, m?: number) => (m === undefined ? [] : [`${name} ${m}`]);
    out.push(
      '',
      `npm run bench took ${d.total} min (${[...part('onboarding', d.onboarding), ...part('fan-out', d.fanOut), ...part('pipeline', d.pipeline)].join(', ')}).`,
    );
  }
  return `${out.join('\n')}\n`;
}
