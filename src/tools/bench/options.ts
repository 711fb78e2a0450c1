/** The onboarding bench's command line. */
import { parseArgs } from 'node:util';
import { VARIANT_KEYS, type VariantKey } from './variants';
import { WORKER_HEAPS, type WorkerHeap } from '../../temporal/worker-heap';

export interface BenchOptions {
  variants: VariantKey[];
  warmup: number;
  runs: number;
  loops: Array<{ concurrency: number; runs: number }>;
  historySample: number;
  parked: number;
  parkedInFlight: number;
  parkedSample: number;
  parkedHoldMs: number;
  parkedSystems: 'no-op' | 'real';
  parkedHeap: WorkerHeap;
  /** dev: `temporal server start-dev` on SQLite (default); native: the full server on PostgreSQL (`npm run cluster`). */
  server: 'dev' | 'native';
  /** Where Overture's ledger and directory live: this host's SQLite files, or the native cluster's PostgreSQL (LEDGER_URL/DIRECTORY_URL). */
  stores: 'sqlite' | 'postgres';
  /** Where the results go (default .data/bench/latest.json). */
  out?: string;
  /** For `npm run bench:profile`: where the workflow bundle and this process's id go, beside the CPU profiles. */
  profileDir?: string;
}

const HELP = `npx tsx src/tools/bench/onboarding-bench.ts [options]

npm run bench -- [options] runs this bench with these options, then the fan-out and the pipeline benches, and writes
bench/results/<yyyy-mm-dd>-<short sha>/. Its own options: --fan-out-args "..." and --pipeline-args "..." (the other
benches' arguments), --only onboarding, --results-dir DIR.

  --variants abcde        which of (a) plain/default server, (b) plain/tuned server, (e) plain with local activities/
                          tuned server, (c) Overture/no-op systems, (d) Overture/real systems to run (default abcde);
                          they run in the order a, b, e, c, d
  --warmup 3              warm-up runs per variant, not counted
  --runs 50               runs one at a time per variant, for p50/p95
  --concurrent 20,200     runs kept in flight by each closed loop
  --loop-runs LIST        runs per closed loop (default 10 × its concurrency, at most 600: 200,600)
  --history-sample 20     histories read per variant (events per run, per-step times)
  --parked 10000          onboardings parked at the approval gate at once (0: skip)
  --parked-in-flight 100  starts and approvals in flight at once
  --parked-sample 200     parked runs approved one at a time while the rest wait; their histories give decision → next step
  --parked-hold-ms 5000   how long all parked runs wait while RSS is sampled
  --parked-systems no-op  the parked runs' systems: no-op (the engine's memory per waiting run) or real
  --parked-heap compact   the parked worker's WORKER_HEAP: compact (for workers whose runs mostly wait) or default
  --server dev            dev: the dev server on SQLite; native: every phase on the full server on PostgreSQL
                          (npm run cluster's, 4 history shards; its tuning is the shared dynamic config, so (a) = (b))
  --stores sqlite         sqlite: Overture's ledger and directory in SQLite files; postgres (with --server native):
                          in the cluster's PostgreSQL, as workers on several hosts share them
  --out FILE              where the results go as JSON (default .data/bench/latest.json)
  --profile-dir DIR       (npm run bench:profile) writes the workflow bundle and the bench's pid there, for
                          profile-summary.ts to read the CPU profiles node --cpu-prof writes
`;

/** Default runs of a closed loop: enough to see a steady state, bounded so that 200 in flight stays minutes. */
const defaultLoopRuns = (concurrency: number) => Math.max(concurrency, Math.min(10 * concurrency, 600));

/** Parses the command line; undefined after printing the help. Throws on a bad value. */
export function parseOptions(argv: string[]): BenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean', default: false },
      variants: { type: 'string', default: 'abcde' },
      warmup: { type: 'string', default: '3' },
      runs: { type: 'string', default: '50' },
      concurrent: { type: 'string', default: '20,200' },
      'loop-runs': { type: 'string' },
      'history-sample': { type: 'string', default: '20' },
      parked: { type: 'string', default: '10000' },
      'parked-in-flight': { type: 'string', default: '100' },
      'parked-sample': { type: 'string', default: '200' },
      'parked-hold-ms': { type: 'string', default: '5000' },
      'parked-systems': { type: 'string', default: 'no-op' },
      'parked-heap': { type: 'string', default: 'compact' },
      server: { type: 'string', default: 'dev' },
      stores: { type: 'string', default: 'sqlite' },
      out: { type: 'string' },
      'profile-dir': { type: 'string' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return undefined;
  }
  const count = (name: string, text: string, min = 1) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got "${text}"`);
    return n;
  };
  const list = (name: string, text: string) => text.split(',').map((t) => count(name, t.trim()));
  const variants = [...new Set(values.variants.split(''))];
  const unknown = variants.filter((v) => !VARIANT_KEYS.includes(v as VariantKey));
  if (unknown.length) throw new Error(`--variants takes letters of abcde, got "${values.variants}"`);
  const levels = list('concurrent', values.concurrent);
  const loopRuns = values['loop-runs'] === undefined ? levels.map(defaultLoopRuns) : list('loop-runs', values['loop-runs']);
  if (loopRuns.length !== levels.length) throw new Error('--loop-runs needs one count per --concurrent level');
  const systems = values['parked-systems'];
  if (systems !== 'no-op' && systems !== 'real') throw new Error(`--parked-systems is no-op or real, got "${systems}"`);
  const heap = WORKER_HEAPS.find((known) => known === values['parked-heap']);
  if (!heap) throw new Error(`--parked-heap is ${WORKER_HEAPS.join(' or ')}, got "${values['parked-heap']}"`);
  const server = values.server;
  if (server !== 'dev' && server !== 'native') throw new Error(`--server is dev or native, got "${server}"`);
  const stores = values.stores;
  if (stores !== 'sqlite' && stores !== 'postgres') throw new Error(`--stores is sqlite or postgres, got "${stores}"`);
  if (stores === 'postgres' && server !== 'native')
    throw new Error("--stores postgres uses the native cluster's PostgreSQL: add --server native");
  return {
    variants: VARIANT_KEYS.filter((k) => variants.includes(k)),
    warmup: count('warmup', values.warmup, 0),
    runs: count('runs', values.runs),
    loops: levels.map((concurrency, i) => ({ concurrency, runs: loopRuns[i]! })),
    historySample: count('history-sample', values['history-sample']),
    parked: count('parked', values.parked, 0),
    parkedInFlight: count('parked-in-flight', values['parked-in-flight']),
    parkedSample: count('parked-sample', values['parked-sample']),
    parkedHoldMs: count('parked-hold-ms', values['parked-hold-ms'], 0),
    parkedSystems: systems,
    parkedHeap: heap,
    server,
    stores,
    ...(values.out ? { out: values.out } : {}),
    ...(values['profile-dir'] ? { profileDir: values['profile-dir'] } : {}),
  };
}
