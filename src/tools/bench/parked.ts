/**
 * Humans in the loop at scale: many onboardings parked at the approval gate at once, then all approved. Measures
 * the worker's RSS while they wait (the worker runs in a process of its own, ./parked-worker.ts) and how long
 * a decision takes to reach the next step, from the runs' histories.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import ts from 'typescript';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { decideApproval, startProcess, type StartedRun } from '../../client';
import type { onboarding } from '../../../workflows/onboarding/workflow';
import { loadConfig } from '../../config';
import { RUN_STATE } from '../../../workflows/kit/search-attributes';
import type { DecisionIdentity } from '../../../workflows/kit/types';

/** The bench decides as an admin, as a client authenticated by an admin's token would send it. */
const BENCH_IDENTITY: DecisionIdentity = { operator: 'bench', role: 'admin', via: 'api' };
import { inFlight } from './bench-support';
import { ownCpuMs, processCpuMs } from './cpu';
import { decisionLatency, type DecisionLatency } from './history';
import type { MemorySample, ParkedWorkerMessage, ParkedWorkerSettings } from './parked-worker';
import { NOT_STEPS } from './phases';
import { WORKER_HEAP_NODE_FLAGS, type WorkerHeap } from '../../temporal/worker-heap';
import { percentiles, quantile, r1, spread, type Percentiles } from './stats';
import { benchHire } from './variants';

export interface ParkedPlan {
  runs: number;
  /** Starts and approvals in flight at once. */
  inFlight: number;
  /** Runs whose history is read for the decision latency. */
  historySample: number;
  /** How long the runs are left waiting, all parked, while RSS is sampled. */
  holdMs: number;
  systems: 'no-op' | 'real';
  /** The worker's heap sizing (WORKER_HEAP): the parked phase is the workload `compact` is for. */
  heap: WorkerHeap;
}

/** CPU per run of a stage: the server, the worker process, and the bench process (the client). */
export interface CpuPerRun {
  serverMsPerRun: number;
  workerMsPerRun: number;
  clientMsPerRun: number;
  coresBusy: number;
}

export interface ParkedFigures {
  runs: number;
  systems: ParkedPlan['systems'];
  inFlight: number;
  parked: number;
  /** Which worker was measured: the compiled build (as deployed) or the sources under tsx (OVERTURE_COMPILED=0). */
  workerRuns: 'compiled' | 'sources';
  /** The worker's WORKER_HEAP (absent in results from before the setting: V8's own sizing). */
  heap?: WorkerHeap;
  parkWallMs: number;
  /** The worker process's memory (MB): once started, peaks while parking, while all wait, while approving. */
  rssMb: {
    baseline: number;
    parkingPeak: number;
    waitingPeak: number;
    waitingMedian: number;
    approvingPeak: number;
    perParkedRunKb: number;
    /**
     * A least-squares line through RSS against the count of parked runs, over the second half of parking: the cost
     * of one more parked run once the cache of runs is full, and where the line meets zero runs. Unlike
     * perParkedRunKb it does not count the cached runs and the parking high-water as "per run".
     */
    slopeKbPerRun: number;
    interceptMb: number;
    /** RSS (MB) as the parked count rose. */
    checkpoints: Array<{ parked: number; rssMb: number }>;
  };
  heapUsedMbWaiting: number;
  /** Medians while all wait (MB): the main thread's heap and memory outside it; the rest of RSS is the workflow thread and native. */
  memoryMbWaiting: { heapTotal: number; external: number; arrayBuffers: number; rest: number };
  approvals: {
    /** Runs approved (one at a time), the rest left parked. */ sampled: number;
    applied: number;
    wallMs: number;
    updateRoundTripMs: Percentiles;
  };
  decisionToNextStep: { sampled: number; fromUpdateEventMs: Percentiles; fromSendMs: Percentiles; sendToTaskStartMs: Percentiles };
  completed: number;
  cpu: { parking: CpuPerRun; approving: CpuPerRun };
  errors: string[];
}

interface ParkedRun {
  employeeId: string;
  started?: StartedRun<typeof onboarding>;
  sentAtMs?: number;
  roundTripMs?: number;
  applied?: boolean;
  completed?: boolean;
  error?: string;
}

/** Runs parked at an approval on this task queue, by visibility. */
const WAITING_QUERY = (taskQueue: string) => `${RUN_STATE.name} = 'awaiting_approval' AND TaskQueue = '${taskQueue}'`;
/** Give up waiting for runs to park when the count has not moved for this long. */
const NO_PROGRESS_MS = 60_000;
const MB = 1024 * 1024;

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The worker process's memory samples, each tagged with the stage the bench was in when it arrived. */
function memoryLog() {
  const samples: Array<MemorySample & { stage: string }> = [];
  let stage = 'baseline';
  const of = (s: string) => samples.filter((x) => x.stage === s);
  return {
    record: (sample: MemorySample) => samples.push({ ...sample, stage }),
    enter: (next: string) => (stage = next),
    latestMb: () => r1((samples[samples.length - 1]?.rss ?? NaN) / MB),
    peakMb: (s: string) => r1(Math.max(...of(s).map((x) => x.rss)) / MB),
    medianMb: (s: string, field: keyof MemorySample = 'rss') =>
      r1(
        quantile(
          of(s).map((x) => x[field]),
          0.5,
        ) / MB,
      ),
  };
}

/** The least-squares line of RSS (MB) against parked runs: KB per run, and MB at zero runs (NaN with too few points). */
export function rssLine(points: ReadonlyArray<{ parked: number; rssMb: number }>): { slopeKbPerRun: number; interceptMb: number } {
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.parked, 0) / n;
  const my = points.reduce((a, p) => a + p.rssMb, 0) / n;
  const sxx = points.reduce((a, p) => a + (p.parked - mx) ** 2, 0);
  if (n < 2 || sxx === 0) return { slopeKbPerRun: NaN, interceptMb: NaN };
  const slope = points.reduce((a, p) => a + (p.parked - mx) * (p.rssMb - my), 0) / sxx;
  return { slopeKbPerRun: r1(slope * 1024), interceptMb: r1(my - slope * mx) };
}

/**
 * The parked worker: Overture's compiled build (dist/, built first when stale) under plain node, as deployments run it,
 * with the bench's own entry and no-op systems transpiled beside it into .data/bench/ (bench code stays out of dist/
 * and the image). OVERTURE_COMPILED=0 runs the sources under tsx instead (about 45 MB larger at start).
 */
function parkedWorker(log: (line: string) => void): { file: string; productRoot: string; compiled: boolean } {
  const root = path.join(__dirname, '..', '..', '..');
  if (process.env.OVERTURE_COMPILED === '0') return { file: path.join(__dirname, 'parked-worker.ts'), productRoot: root, compiled: false };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- bin/compiled.js is the one place that decides whether dist/ is current
  const launcher = require(path.join(root, 'bin', 'compiled.js')) as { useCompiled: () => boolean; DIST: string };
  if (!launcher.useCompiled()) {
    log('(parked) dist/ is missing or older than the sources: npm run build');
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] });
  }
  const out = path.join(root, '.data', 'bench', 'parked-worker');
  for (const file of ['parked-worker.ts', path.join('fixtures', 'no-op-systems.ts')]) {
    const js = ts.transpileModule(readFileSync(path.join(__dirname, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    mkdirSync(path.dirname(path.join(out, file)), { recursive: true });
    writeFileSync(path.join(out, file.replace(/\.ts$/, '.js')), js);
  }
  return { file: path.join(out, 'parked-worker.js'), productRoot: launcher.DIST, compiled: true };
}

/** Forks the worker process and resolves once its worker polls; its memory samples go to `onMemory`. */
async function forkWorker(
  settings: ParkedWorkerSettings,
  file: string,
  compiled: boolean,
  heap: WorkerHeap,
  onMemory: (sample: MemorySample) => void,
): Promise<{ pid: number; compiled: boolean; stop: () => Promise<void> }> {
  const child: ChildProcess = fork(file, [], {
    // Compiled: plain node, as the image runs the worker. Sources (OVERTURE_COMPILED=0): tsx, as this bench runs.
    // With WORKER_HEAP=compact, the main thread's young generation sized on the command line, as docs/configuration.md says.
    execArgv: [...(compiled ? [] : process.execArgv), ...WORKER_HEAP_NODE_FLAGS[heap]],
    // MALLOC_ARENA_MAX as `npm run worker` and the image run the worker (fewer glibc arenas for core's threads).
    // The one WORKER_HEAP both the command line above and the worker's config follow.
    env: {
      ...process.env,
      MALLOC_ARENA_MAX: '2',
      BENCH_PARKED_WORKER: JSON.stringify({ ...settings, env: { ...settings.env, WORKER_HEAP: heap } }),
    },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  child.stdout?.pipe(process.stderr); // stdout is the bench's results
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.on('message', (message: ParkedWorkerMessage) => {
      if (message.type === 'memory') onMemory(message);
      else if (message.type === 'ready') resolve();
      else reject(new Error(`the parked phase's worker failed: ${message.error}`));
    });
    child.once('exit', (code) => reject(new Error(`the parked phase's worker exited with code ${code} before it was ready`)));
  });
  return {
    pid: child.pid ?? -1,
    compiled,
    stop: async () => {
      if (child.connected) child.send('stop');
      await Promise.race([exited, sleep(30_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** Waits until `target` runs wait at the approval (or the count stops moving); returns the last count. */
async function waitUntilParked(
  client: Client,
  taskQueue: string,
  target: number,
  log: (line: string) => void,
  onCount: (parked: number) => void,
): Promise<number> {
  let count = 0;
  let movedAt = Date.now();
  for (;;) {
    const now = (await client.workflow.count(WAITING_QUERY(taskQueue))).count;
    if (now !== count) movedAt = Date.now();
    onCount(now);
    count = now;
    if (count >= target) return count;
    if (Date.now() - movedAt > NO_PROGRESS_MS) {
      log(`only ${count} of ${target} runs reached the approval; giving up waiting`);
      return count;
    }
    await sleep(count > target / 2 ? 250 : 1_000);
  }
}

/** Starts measuring CPU on all three sides; the returned function gives each one's CPU per run over the wall time. */
function cpuMeter(serverPid: number, workerPid: number) {
  const t0 = performance.now();
  const server0 = processCpuMs(serverPid);
  const worker0 = processCpuMs(workerPid);
  const client0 = ownCpuMs();
  return (runs: number): CpuPerRun => {
    const spent = { server: processCpuMs(serverPid) - server0, worker: processCpuMs(workerPid) - worker0, client: ownCpuMs() - client0 };
    const per = (ms: number) => r1(runs > 0 ? ms / runs : NaN);
    const wallMs = performance.now() - t0;
    return {
      serverMsPerRun: per(spent.server),
      workerMsPerRun: per(spent.worker),
      clientMsPerRun: per(spent.client),
      coresBusy: Math.round(((spent.server + spent.worker + spent.client) / wallMs) * 100) / 100,
    };
  };
}

/** Parks `plan.runs` admin onboardings at the approval gate, holds them, approves a sample one at a time, and measures. */
export async function measureParked(
  client: Client,
  serverPid: number,
  env: Record<string, string>,
  bundle: WorkflowBundleWithSourceMap,
  dir: string,
  plan: ParkedPlan,
  log: (line: string) => void,
): Promise<ParkedFigures> {
  const taskQueue = 'bench-parked';
  const bundlePath = path.join(dir, 'overture-workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  const memory = memoryLog();
  log('(parked) starting the worker in a process of its own');
  const { file, productRoot, compiled } = parkedWorker(log);
  const worker = await forkWorker(
    { env, taskQueue, bundlePath, systems: plan.systems, productRoot },
    file,
    compiled,
    plan.heap,
    memory.record,
  );
  try {
    await sleep(1_000); // a few baseline samples, with the worker polling
    const config = loadConfig({ ...env, TEMPORAL_TASK_QUEUE: taskQueue });
    const prefix = `BP${Date.now().toString(36)}`.toUpperCase();
    const runs: ParkedRun[] = Array.from({ length: plan.runs }, (_, i) => ({ employeeId: `${prefix}${i + 1}` }));

    log(`(parked) starting ${plan.runs} admin onboardings, ${plan.inFlight} in flight`);
    memory.enter('parking');
    let cpu = cpuMeter(serverPid, worker.pid);
    let t0 = performance.now();
    await inFlight(runs.length, plan.inFlight, async (i) => {
      const run = runs[i]!;
      try {
        run.started = (await startProcess(client, config, 'onboarding', benchHire(run.employeeId, 'admin'))) as StartedRun<
          typeof onboarding
        >;
      } catch (err) {
        run.error = describe(err);
      }
    });
    const checkpoints: Array<{ parked: number; rssMb: number }> = [];
    const parked = await waitUntilParked(client, taskQueue, runs.filter((r) => r.started).length, log, (n) =>
      checkpoints.push({ parked: n, rssMb: memory.latestMb() }),
    );
    const parkWallMs = performance.now() - t0;
    const parkingCpu = cpu(parked);

    log(`(parked) ${parked} runs wait at the approval; holding them ${plan.holdMs} ms`);
    memory.enter('waiting');
    await sleep(plan.holdMs);

    // A person decides one run at a time while the others keep waiting: a sample of the parked runs is approved one
    // after the other, each decision timed alone (approving all of them at once would time the queue instead, and
    // take as long as parking did). The rest are left parked; the server is thrown away with them.
    const approved = spread(
      runs.filter((r) => r.started),
      plan.historySample,
    );
    log(`(parked) approving ${approved.length} of them one at a time while the others wait`);
    memory.enter('approving');
    cpu = cpuMeter(serverPid, worker.pid);
    t0 = performance.now();
    await inFlight(approved.length, 1, async (i) => {
      const run = approved[i]!;
      if (!run.started) return;
      try {
        run.sentAtMs = Date.now();
        const sent = performance.now();
        const receipt = await decideApproval(client, run.started.workflowId, {
          decision: 'approve',
          by: 'bench',
          identity: BENCH_IDENTITY,
          reason: 'bench',
          decisionId: `${run.employeeId}:approve`,
        });
        run.roundTripMs = performance.now() - sent;
        run.applied = receipt.applied;
        const result = await run.started.handle.result();
        run.completed = result.state === 'completed';
      } catch (err) {
        run.error = describe(err);
      }
    });
    const approveWallMs = performance.now() - t0;
    const completed = runs.filter((r) => r.completed).length;
    const approvingCpu = cpu(completed);
    memory.enter('done');

    const sample = approved.filter((r) => r.completed && r.started);
    log(`(parked) reading ${sample.length} histories`);
    const latencies = (
      await inFlight(sample.length, 5, async (i) => {
        const run = sample[i]!;
        const history = await run.started!.handle.fetchHistory();
        return decisionLatency(history.events ?? [], run.sentAtMs!, NOT_STEPS);
      })
    ).filter((l): l is DecisionLatency => l !== undefined);

    const baseline = memory.medianMb('baseline');
    const waitingPeak = memory.peakMb('waiting');
    return {
      runs: plan.runs,
      systems: plan.systems,
      inFlight: plan.inFlight,
      parked,
      workerRuns: worker.compiled ? 'compiled' : 'sources',
      heap: plan.heap,
      parkWallMs: r1(parkWallMs),
      rssMb: {
        baseline,
        parkingPeak: memory.peakMb('parking'),
        waitingPeak,
        waitingMedian: memory.medianMb('waiting'),
        approvingPeak: memory.peakMb('approving'),
        perParkedRunKb: r1(parked > 0 ? ((waitingPeak - baseline) * 1024) / parked : NaN),
        ...rssLine(checkpoints.filter((c) => c.parked >= parked / 2)),
        checkpoints,
      },
      heapUsedMbWaiting: memory.medianMb('waiting', 'heapUsed'),
      memoryMbWaiting: {
        heapTotal: memory.medianMb('waiting', 'heapTotal'),
        external: memory.medianMb('waiting', 'external'),
        arrayBuffers: memory.medianMb('waiting', 'arrayBuffers'),
        rest: r1(memory.medianMb('waiting') - memory.medianMb('waiting', 'heapTotal') - memory.medianMb('waiting', 'external')),
      },
      approvals: {
        sampled: approved.length,
        applied: runs.filter((r) => r.applied).length,
        wallMs: r1(approveWallMs),
        updateRoundTripMs: percentiles(runs.flatMap((r) => (r.roundTripMs === undefined ? [] : [r.roundTripMs]))),
      },
      decisionToNextStep: {
        sampled: latencies.length,
        fromUpdateEventMs: percentiles(latencies.map((l) => l.fromUpdateEventMs)),
        fromSendMs: percentiles(latencies.map((l) => l.fromSendMs)),
        sendToTaskStartMs: percentiles(latencies.map((l) => l.sendToTaskStartMs)),
      },
      completed,
      cpu: { parking: parkingCpu, approving: approvingCpu },
      errors: [...new Set(runs.flatMap((r) => (r.error ? [r.error] : [])))].slice(0, 3),
    };
  } finally {
    await worker.stop();
  }
}
