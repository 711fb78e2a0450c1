/**
 * `npm run bench:cluster`: onboarding throughput on the native cluster (the full Temporal server on PostgreSQL,
 * 4 history shards) against the dev server, on the same machine, in one command. For each server it runs the
 * onboarding bench's plain Temporal baseline on the same server settings ((b): the dev server as Overture tunes it;
 * on the native cluster (a) = (b), its one dynamic config) and (d) Overture with its real local systems, at 20 and 200 runs
 * in flight, one server at a time (2 cores: never two at once), then prints them side by side with the ratios. A third
 * pass runs (d) on the native cluster again with Overture's ledger and directory in its PostgreSQL (`--stores
 * postgres`), as workers on several hosts run; its baseline is the native pass's.
 *
 * Extra options go to both onboarding benches (`npm run bench:cluster -- --loop-runs 200,600`).
 * Results go to .data/bench/cluster.json; the last line of stdout is the same figures as one JSON line.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchResults } from './report';
import { r2 } from './stats';
import { RESULTS_DIR } from './bench-support';

/** The passes: which server, where Overture's stores are, and the onboarding bench's options for it. */
const PASSES = [
  { name: 'dev', args: ['--server', 'dev'] },
  { name: 'native', args: ['--server', 'native'] },
  // The plain baseline does not use Overture's stores: the native pass's serves, so this pass runs (d) only.
  { name: 'native+pg-stores', args: ['--server', 'native', '--stores', 'postgres', '--variants', 'd'], baselineFrom: 'native' },
] as const;
type ServerKind = (typeof PASSES)[number]['name'];
const RESULTS_FILE = path.join(RESULTS_DIR, 'cluster.json');
const DEFAULTS = ['--variants', 'abd', '--parked', '0', '--runs', '20', '--history-sample', '5', '--concurrent', '20,200'];

/** Runs the onboarding bench on one server kind and returns its results (the JSON of its last stdout line). */
function benchOn(server: ServerKind, args: readonly string[], extra: string[]): BenchResults {
  console.error(`[cluster-bench] onboarding bench, pass ${server}`);
  const ran = spawnSync(
    process.execPath,
    ['--require', 'tsx/cjs', path.join(__dirname, 'onboarding-bench.ts'), ...DEFAULTS, ...extra, ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const last = ran.stdout.trim().split('\n').pop() ?? '';
  if (ran.status !== 0 && !last.startsWith('{'))
    throw new Error(`the onboarding bench on the ${server} server failed (exit ${ran.status}):\n${ran.stdout.slice(-2000)}`);
  return JSON.parse(last) as BenchResults;
}

interface Row {
  server: ServerKind;
  concurrency: number;
  plainRunsPerSecond: number;
  overtureRunsPerSecond: number;
  overtureOverPlain: number;
  overtureP50Ms: number;
  serverCpuMsPerRun: number;
  nodeCpuMsPerRun: number;
  coresBusy: number;
  machineCoresBusy: number;
}

/** One row per server and concurrency: plain and Overture throughput, and where the CPU went for Overture. */
function rowsOf(server: ServerKind, results: BenchResults, baseline: BenchResults): Row[] {
  // The baseline runs on the same server settings as Overture: (b), the tuned server; (a) when only it was run.
  const { d } = results.variants;
  const a = baseline.variants.b ?? baseline.variants.a;
  if (!a || !d) throw new Error(`the ${server} bench returned no plain baseline or no (d) figures`);
  return d.loops.map((loop) => {
    const plain = a.loops.find((l) => l.concurrency === loop.concurrency);
    const plainRunsPerSecond = plain?.runsPerSecond ?? NaN;
    return {
      server,
      concurrency: loop.concurrency,
      plainRunsPerSecond,
      overtureRunsPerSecond: loop.runsPerSecond,
      overtureOverPlain: r2(loop.runsPerSecond / plainRunsPerSecond),
      overtureP50Ms: loop.latencyMs.p50,
      serverCpuMsPerRun: loop.cpu.serverMsPerRun,
      nodeCpuMsPerRun: loop.cpu.nodeMsPerRun,
      coresBusy: loop.cpu.coresBusy,
      machineCoresBusy: loop.cpu.machineCoresBusy,
    };
  });
}

function main(): number {
  const extra = process.argv.slice(2);
  const results = {} as Record<ServerKind, BenchResults>;
  for (const pass of PASSES) results[pass.name] = benchOn(pass.name, pass.args, extra);
  const rows = PASSES.flatMap((pass) =>
    rowsOf(pass.name, results[pass.name], results['baselineFrom' in pass ? pass.baselineFrom : pass.name]),
  );
  const overDev = (name: ServerKind) =>
    Object.fromEntries(
      rows
        .filter((r) => r.server === name)
        .map((n) => {
          const dev = rows.find((r) => r.server === 'dev' && r.concurrency === n.concurrency);
          return [
            `c${n.concurrency}`,
            {
              overture: r2(n.overtureRunsPerSecond / (dev?.overtureRunsPerSecond ?? NaN)),
              plain: r2(n.plainRunsPerSecond / (dev?.plainRunsPerSecond ?? NaN)),
            },
          ];
        }),
    );
  const nativeOverDev = { native: overDev('native'), 'native+pg-stores': overDev('native+pg-stores') };
  const checks = PASSES.flatMap((pass) => results[pass.name].checks.map((c) => ({ ...c, check: `${pass.name}: ${c.check}` })));

  console.log(
    `\nOnboarding throughput, dev server vs native cluster (${results.native.environment.temporal}), ${results.dev.environment.cpus} cores`,
  );
  console.log(
    'pass              in flight  plain runs/s  Overture runs/s  Overture/plain  Overture p50 ms  server CPU ms/run  Node CPU ms/run  cores busy  machine cores busy',
  );
  for (const r of rows)
    console.log(
      `${r.server.padEnd(17)} ${String(r.concurrency).padStart(9)} ${String(r.plainRunsPerSecond).padStart(13)} ${String(r.overtureRunsPerSecond).padStart(16)} ` +
        `${String(r.overtureOverPlain).padStart(15)} ${String(r.overtureP50Ms).padStart(16)} ${String(r.serverCpuMsPerRun).padStart(18)} ${String(r.nodeCpuMsPerRun).padStart(16)} ${String(r.coresBusy).padStart(11)} ${String(r.machineCoresBusy).padStart(19)}`,
    );
  for (const [name, byLevel] of Object.entries(nativeOverDev))
    for (const [c, ratio] of Object.entries(byLevel))
      console.log(`${name} / dev at ${c.slice(1)} in flight: Overture ${ratio.overture}, plain ${ratio.plain}`);
  const cpus = results.dev.environment.cpus;
  for (const r of rows) {
    const limit =
      r.machineCoresBusy >= 0.9 * cpus
        ? 'CPU (the machine is busy)'
        : `not CPU (${r.machineCoresBusy} of ${cpus} cores busy): waiting on I/O or the server's queues`;
    console.log(`limit, ${r.server} at ${r.concurrency} in flight: ${limit}`);
  }
  for (const c of checks.filter((x) => !x.ok)) console.log(`FAILED CHECK ${c.check}: expected ${c.expected}, got ${c.actual}`);

  const out = { at: new Date().toISOString(), rows, nativeOverDev, checks, runs: results };
  mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`\nresults written to ${path.relative(process.cwd(), RESULTS_FILE)}`);
  console.log(JSON.stringify({ at: out.at, rows, nativeOverDev, checks }));
  return checks.every((c) => c.ok) ? 0 : 1;
}

process.exitCode = main();
