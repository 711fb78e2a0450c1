/**
 * Onboarding benchmark, in one run, side by side: (a) a plain Temporal workflow of five no-op activities on a
 * default `start-dev` server, (b) the same on Overture's tuned server, (e) the same five steps as local activities
 * on the tuned server (the floor of the fast path), (c) Overture's onboarding with no-op systems (engine overhead),
 * (d) Overture's onboarding with the real local systems (SMTP and webhook receivers in a process of their own,
 * SQLite files); then runs parked at the approval gate at scale. One dev server at a time, started by the bench.
 *
 * `npx tsx src/tools/bench/onboarding-bench.ts --runs 50 --concurrent 20,200 --parked 10000` (`--help` lists every option;
 * `npm run bench` runs it with the defaults, then the fan-out bench, which would receive any `-- options`).
 * Results also go to .data/bench/latest.json (or --out), and the last line of stdout is the same figures as one JSON line.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { connectClient } from '../../client';
import { findFreeClusterPorts, startNativeCluster } from '../cluster/native-cluster';
import { TEMPORAL_SERVER_VERSION } from '../cluster/server-binaries';
import { loadConfig } from '../../config';
import { bundleWorkflows } from '../../registry/workflow-bundle';
import { benchCodecEnv, startBenchServer, type ServerTuning, RESULTS_DIR } from './bench-support';
import { FAILURE_CONVERTER_PATH } from '../../temporal/codec/data-converter';
import { parseOptions, type BenchOptions } from './options';
import { PROFILED_BUNDLE_FILE, PROFILED_PROCESS_FILE } from './profile-files';
import { measureParked, type ParkedFigures } from './parked';
import { measureVariant, type LoadPlan, type VariantFigures } from './phases';
import { evaluateTargets, printResults, ratiosAgainstA, ratiosAgainstE, type BenchResults, type Check } from './report';
import { startLocalSystems } from './systems';
import { startOnboardingVariant, startPlainVariant, type Variant, type VariantKey } from './variants';

const DEFAULT_RESULTS_FILE = path.join(RESULTS_DIR, 'latest.json');
const log = (line: string) => console.error(`[bench] ${line}`);

type Cleanup = () => Promise<void> | void;

/** Runs the cleanups newest first, logging (not throwing) those that fail. */
async function runCleanups(cleanups: Cleanup[]): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (err) {
      log(`cleanup failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/** A running dev server of the bench, with a client on it. */
interface Server {
  client: Client;
  address: string;
  pid: number;
  version: string;
  binary: string;
  /** The native cluster's PostgreSQL (its `postgres` database), where --stores postgres keeps Overture's stores. */
  pgUrl?: string;
  /** The dev server's Prometheus endpoint (the native cluster's is not read). */
  metricsUrl?: string;
}

/** The native cluster as a bench server: every phase on it, whatever the tuning asked for (its dynamic config is fixed). */
async function startNativeBenchServer(
  tmp: string,
  cleanups: Cleanup[],
): Promise<{ address: string; namespace: string; pid: number; binary: string; version: string; pgUrl: string }> {
  // PostgreSQL runs as `postgres` when the bench runs as root: it must be able to enter the bench's directory.
  chmodSync(tmp, 0o755);
  const cluster = await startNativeCluster({ dataDir: path.join(tmp, 'native'), ...(await findFreeClusterPorts()), log });
  cleanups.push(() => cluster.stop());
  return {
    address: cluster.address,
    namespace: cluster.namespace,
    pid: cluster.serverPid,
    binary: cluster.binaries.server,
    version: `server ${TEMPORAL_SERVER_VERSION} on PostgreSQL (native cluster)`,
    pgUrl: cluster.pgUrl,
  };
}

/** A server with a client, for the time of `body`; stopped before the next one starts (2 cores: never two at once). */
async function withServer<T>(tmp: string, tuning: ServerTuning, kind: BenchOptions['server'], body: (s: Server) => Promise<T>): Promise<T> {
  const cleanups: Cleanup[] = [];
  try {
    let server: { address: string; namespace: string; pid: number; pgUrl?: string; metricsUrl?: string };
    let binary: string;
    let version: string;
    if (kind === 'native') {
      ({ binary, version, ...server } = await startNativeBenchServer(tmp, cleanups));
    } else {
      const started = await startBenchServer(tmp, log, { tuning, name: `temporal-${tuning}` });
      cleanups.push(() => started.server.stop());
      ({ server, binary, version } = started);
      server = { ...server, metricsUrl: started.metricsUrl };
    }
    const client = await connectClient(
      loadConfig({ TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: server.namespace, ...benchCodecEnv(tmp) }),
    );
    cleanups.push(() => client.connection.close());
    return await body({
      client,
      address: server.address,
      pid: server.pid,
      version,
      binary,
      ...(server.pgUrl ? { pgUrl: server.pgUrl } : {}),
      ...(server.metricsUrl ? { metricsUrl: server.metricsUrl } : {}),
    });
  } finally {
    await runCleanups(cleanups);
  }
}

/** Measures a variant and stops its worker. */
async function measure(variant: Variant, s: Server, plan: LoadPlan, onWarmedUp?: () => void | Promise<void>): Promise<VariantFigures> {
  try {
    const server = { pid: s.pid, ...(s.metricsUrl ? { metricsUrl: s.metricsUrl } : {}) };
    return await measureVariant(variant, s.client, server, plan, log, onWarmedUp);
  } finally {
    await variant.stop();
  }
}

interface Bundles {
  plain: WorkflowBundleWithSourceMap;
  overture: WorkflowBundleWithSourceMap;
}

interface Gathered {
  variants: BenchResults['variants'];
  parked?: ParkedFigures;
  /** Checks beyond "every run completed": mails, webhook posts, the parked runs. */
  checks: Check[];
  server: { version: string; binary: string };
}

const checkOf = (check: string, expected: number, actual: number): Check => ({ check, expected, actual, ok: expected === actual });

/** With --stores postgres: the ledger and the directory in fresh databases of the native cluster's PostgreSQL. */
function sharedStoresEnv(opts: BenchOptions, s: Server): Record<string, string> {
  if (opts.stores !== 'postgres') return {};
  if (!s.pgUrl) throw new Error('--stores postgres needs the native cluster (--server native)');
  const at = (database: string) => Object.assign(new URL(s.pgUrl!), { pathname: `/${database}` }).toString();
  // The worker creates and migrates them; a database per bench phase keeps one phase's receipts out of the next.
  const suffix = Date.now().toString(36);
  return { LEDGER_URL: at(`bench_ledger_${suffix}`), DIRECTORY_URL: at(`bench_directory_${suffix}`) };
}

/**
 * (b), (e), (c), (d) and the parked runs on the tuned server, in that order, beside the local SMTP and webhook
 * receivers (in a process of their own). The server's SQLite file grows phase by phase: a later variant runs on a
 * fuller database.
 */
async function onTunedServer(s: Server, opts: BenchOptions, plan: LoadPlan, bundles: Bundles, tmp: string, into: Gathered): Promise<void> {
  const want = (k: VariantKey) => opts.variants.includes(k);
  const order = (['b', 'e', 'c', 'd'] as const).filter(want).map((k) => `(${k})`);
  log(`${[...order, ...(opts.parked > 0 ? ['the parked runs'] : [])].join(', ')} on the tuned server (pid ${s.pid}), in that order`);
  const cleanups: Cleanup[] = [];
  try {
    const systems = await startLocalSystems();
    cleanups.push(() => systems.stop());
    log(`the SMTP and webhook receivers run in process ${systems.pid}`);
    const env = {
      TEMPORAL_ADDRESS: s.address,
      OVERTURE_DATA_DIR: path.join(tmp, 'data'),
      SMTP_URL: systems.smtpUrl,
      NOTIFY_WEBHOOK_URL: systems.webhookUrl,
      ACCOUNTING_SEED: 'none',
      ...benchCodecEnv(tmp),
      ...sharedStoresEnv(opts, s),
    };
    if (want('b')) into.variants.b = await measure(await startPlainVariant('b', s.client, s.address, bundles.plain), s, plan);
    if (want('e')) into.variants.e = await measure(await startPlainVariant('e', s.client, s.address, bundles.plain), s, plan);
    if (want('c')) into.variants.c = await measure(await startOnboardingVariant('c', s.client, env, bundles.overture), s, plan);
    if (want('d')) {
      const variant = await startOnboardingVariant('d', s.client, env, bundles.overture, systems.pid);
      const d = await measure(variant, s, plan, () => systems.clear());
      into.variants.d = d;
      const received = await systems.count();
      into.checks.push(
        checkOf('(d) mails received = runs', d.totalRuns, received.mails),
        checkOf('(d) webhook posts = runs', d.totalRuns, received.posts),
      );
      await systems.clear(); // counted: the parked runs' notices (with real systems) are not checked, and need not pile up here
    }
    if (opts.parked > 0) {
      const parkedPlan = {
        runs: opts.parked,
        inFlight: opts.parkedInFlight,
        historySample: opts.parkedSample,
        holdMs: opts.parkedHoldMs,
        heap: opts.parkedHeap,
        systems: opts.parkedSystems,
      };
      const parked = await measureParked(s.client, s.pid, env, bundles.overture, tmp, parkedPlan, log);
      into.parked = parked;
      into.checks.push(
        checkOf('parked: runs waiting at the approval', parked.runs, parked.parked),
        checkOf('parked: approvals applied (a sample, one at a time)', parked.approvals.sampled, parked.approvals.applied),
        checkOf('parked: runs completed after approval', parked.approvals.sampled, parked.completed),
      );
      if (parked.errors.length) log(`parked errors, e.g.: ${parked.errors.join(' | ')}`);
    }
  } finally {
    await runCleanups(cleanups);
  }
}

/** Runs every phase the options ask for, one server at a time, and gathers the results. */
async function run(opts: BenchOptions, tmp: string): Promise<BenchResults> {
  const plan: LoadPlan = { warmup: opts.warmup, runs: opts.runs, loops: opts.loops, historySample: opts.historySample };
  const into: Gathered = { variants: {}, checks: [], server: { version: '', binary: '' } };

  // Bundled once each, outside every measured phase: webpack is CPU the runs should not be charged for.
  log('bundling the workflows');
  const quiet = new DefaultLogger('WARN');
  const bundles: Bundles = {
    plain: await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/plain-workflows'), logger: quiet }),
    overture: await bundleWorkflows({ failureConverterPath: FAILURE_CONVERTER_PATH, logger: quiet }),
  };
  if (opts.profileDir) {
    // profile-summary.ts maps the sandbox's samples to source modules with the bundle, and keeps this process's profiles.
    mkdirSync(opts.profileDir, { recursive: true });
    writeFileSync(path.join(opts.profileDir, PROFILED_BUNDLE_FILE), bundles.overture.code);
    writeFileSync(path.join(opts.profileDir, PROFILED_PROCESS_FILE), `${JSON.stringify({ pid: process.pid })}\n`);
  }

  if (opts.variants.includes('a')) {
    await withServer(tmp, 'none', opts.server, async (s) => {
      into.server = s;
      log(`(a) on an untuned server (pid ${s.pid})`);
      into.variants.a = await measure(await startPlainVariant('a', s.client, s.address, bundles.plain), s, plan);
    });
  }
  if (opts.variants.some((k) => k !== 'a') || opts.parked > 0) {
    await withServer(tmp, 'one-machine', opts.server, async (s) => {
      into.server = s;
      await onTunedServer(s, opts, plan, bundles, tmp, into);
    });
  }
  const { variants, parked } = into;
  const checks = [
    ...Object.values(variants).map((v) =>
      checkOf(`(${v.key}) every run completed${v.errors.length ? ` (e.g. ${v.errors[0]})` : ''}`, v.totalRuns, v.completedRuns),
    ),
    ...into.checks,
  ];

  const cpus = os.cpus().length;
  return {
    at: new Date().toISOString(),
    environment: {
      node: process.version,
      cpus,
      temporal: into.server.version,
      temporalBinary: into.server.binary,
      nodeProcess:
        "Node CPU is this one process: the client and the worker share it. (d)'s SMTP/webhook receivers run in a process of their own (its CPU: 'systems'); the parked phase's worker too.",
    },
    options: { ...opts },
    variants,
    ratiosVsA: ratiosAgainstA(variants),
    ratiosDOverE: ratiosAgainstE(variants),
    ...(parked ? { parked } : {}),
    targets: evaluateTargets(variants, parked, cpus),
    checks,
  };
}

/** Sets up, runs the phases, prints and saves the results, and tears everything down; the exit code says whether every check passed. */
async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  if (!opts) return 0;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'overture-bench-'));
  try {
    const results = await run(opts, tmp);
    printResults(results);
    const file = opts.out ?? DEFAULT_RESULTS_FILE;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    // The whole JSON (tens of KB with the parked checkpoints) goes to the file only, not the terminal.
    console.log(`\nresults written to ${path.relative(process.cwd(), file)}`);
    return results.checks.every((c) => c.ok) ? 0 : 1;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  },
);
