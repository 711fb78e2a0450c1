/**
 * Data-pipeline benchmark: a generated order file (default 100,000 rows, 1% bad) run through the pipeline on a
 * dev server of its own with the real systems (SQLite warehouse, files, local webhook), a worker in its own
 * process. It reports the median rows per second, the time a worker killed with SIGKILL during `transform`
 * costs (median of killed runs minus median of clean ones), the CPU each side spent, and a baseline: the same
 * code in one process without Temporal.
 *
 * `npm run bench:pipeline -- --rows 100000 --runs 3 --kill-runs 3`; results go to .data/bench/pipeline.json.
 * `--sticky-timeout-ms 2000` sets the worker's stickyQueueScheduleToStartTimeout, to see its share of a kill's cost.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { decodeOptionalSinglePayload } from '@temporalio/common/lib/internal-non-workflow';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { connectClient, startProcess } from '../../client';
import { loadConfig, type OvertureConfig } from '../../config';
import { startWebhookReceiver } from '../dev-stack/webhook-receiver';
import { writeOrderFile } from '../../../activities/data-pipeline/order-generator';
import { dataPipelineDefinition } from '../../../workflows/data-pipeline/definition';
import { SqliteWarehouse } from '../../../activities/data-pipeline/sqlite-warehouse';
import type { DataPipelineResult } from '../../../workflows/data-pipeline/types';
import { bundleWorkflows } from '../../registry/workflow-bundle';
import { settings as pipelineSettings } from '../../../activities/data-pipeline/settings';
import { benchCodecEnv, startBenchServer, RESULTS_DIR } from './bench-support';
import { FAILURE_CONVERTER_PATH } from '../../temporal/codec/data-converter';
import { processCpuMs } from './cpu';
import { runBaseline } from './pipeline-baseline';
import type { PipelineWorkerSettings } from './pipeline-worker';
import { quantile, r1 } from './stats';

const RESULTS_FILE = path.join(RESULTS_DIR, 'pipeline.json');

interface Run {
  wallMs: number;
  rowsIn: number;
  loaded: number;
  /** Partitions that resumed from a checkpoint (killed runs). */
  resumed: number;
  /** When the worker was killed, from the start; and how long its replacement took to poll. */
  killedAtMs?: number;
  restartMs?: number;
  /** Timeouts in the run's histories (its own, the fan-out's, the partitions'): how Temporal noticed the kill. */
  timeouts?: { activityHeartbeat: number; workflowTaskOnDeadWorker: number };
  serverCpuMs: number;
  workerCpuMs: number;
}

function parseOptions() {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '100000' },
      bad: { type: 'string', default: '0.01' },
      runs: { type: 'string', default: '3' },
      'kill-runs': { type: 'string', default: '3' },
      'partition-rows': { type: 'string', default: '25000' },
      parallel: { type: 'string', default: '4' },
      'sticky-timeout-ms': { type: 'string', default: '0' },
    },
  });
  const count = (name: string, min: number) => {
    const n = Number(values[name as keyof typeof values]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
    return n;
  };
  return {
    rows: count('rows', 1),
    bad: Number(values.bad),
    runs: count('runs', 1),
    killRuns: count('kill-runs', 0),
    partitionRows: count('partition-rows', 100),
    parallel: count('parallel', 1),
    stickyTimeoutMs: count('sticky-timeout-ms', 0),
  };
}

/** A worker process; resolves once it polls. */
async function forkWorker(settings: PipelineWorkerSettings): Promise<ChildProcess> {
  // fork() passes this process's execArgv on, so the child runs TypeScript through tsx like the bench.
  const child = fork(path.join(__dirname, 'pipeline-worker.ts'), [], {
    env: { ...process.env, BENCH_PIPELINE_WORKER: JSON.stringify(settings) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the bench worker exited (${code})`)));
  });
  return child;
}

async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

/**
 * Waits until a partition of the run has heartbeated a checkpoint: the transform is under way. Throws when the run
 * ends first (a file too small for a checkpoint to be seen), rather than waiting for ever.
 */
async function transformUnderway(client: Client, workflowId: string, partitions: number): Promise<void> {
  for (;;) {
    const { status } = await client.workflow.getHandle(workflowId).describe();
    if (status.name !== 'RUNNING')
      throw new Error(`the run ended (${status.name}) before a transform checkpoint was seen: give --rows more rows for --kill-runs`);
    for (let i = 0; i < partitions; i++) {
      const described = await client.workflow
        .getHandle(`${workflowId}/transform/part-${i}`)
        .describe()
        .catch(() => undefined);
      const payload = described?.raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0];
      // The details are encrypted like every payload of the bench: decode them with the client's codec.
      const details = payload
        ? await decodeOptionalSinglePayload<{ rowsDone?: number }>(client.options.loadedDataConverter, payload)
        : undefined;
      if ((details?.rowsDone ?? 0) > 0) return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

const median = (values: number[]) => r1(quantile(values, 0.5));

/** Activities retried after a timeout (their heartbeats stopped), and workflow tasks that timed out waiting on the dead worker's sticky queue. */
async function recoveryTimeouts(client: Client, workflowId: string, partitions: number): Promise<NonNullable<Run['timeouts']>> {
  const ids = [
    workflowId,
    `${workflowId}/transform#1`,
    ...Array.from({ length: partitions }, (_, i) => `${workflowId}/transform/part-${i}`),
  ];
  const found = { activityHeartbeat: 0, workflowTaskOnDeadWorker: 0 };
  for (const id of ids) {
    const history = await client.workflow.getHandle(id).fetchHistory();
    for (const event of history.events ?? []) {
      const started = event.activityTaskStartedEventAttributes;
      if ((started?.attempt ?? 1) > 1 && started?.lastFailure?.timeoutFailureInfo) found.activityHeartbeat += 1;
      if (event.workflowTaskTimedOutEventAttributes) found.workflowTaskOnDeadWorker += 1;
    }
  }
  return found;
}

async function main(): Promise<number> {
  const opts = parseOptions();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const log = (line: string) => console.error(`[bench] ${line}`);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'overture-pipeline-bench-'));
  const cleanups: Array<() => Promise<unknown> | void> = [() => rmSync(tmp, { recursive: true, force: true })];
  try {
    const { server, version } = await startBenchServer(tmp, log);
    cleanups.unshift(() => server.stop());
    const webhooks = await startWebhookReceiver();
    cleanups.unshift(() => webhooks.stop());
    const env = {
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_TASK_QUEUE: 'pipeline-bench',
      OVERTURE_DATA_DIR: path.join(tmp, 'data'),
      NOTIFY_WEBHOOK_URL: webhooks.url,
      SMTP_URL: 'smtp://127.0.0.1:9',
      ...benchCodecEnv(tmp),
    };
    const config: OvertureConfig = loadConfig(env);
    mkdirSync(pipelineSettings.of(config).inboxDir, { recursive: true });
    const client = await connectClient(config);
    cleanups.unshift(() => client.connection.close());

    const source = path.join(tmp, 'orders.csv');
    const counts = await writeOrderFile(source, { date: '2026-11-01', rows: opts.rows, badRatio: opts.bad });
    const partitions = Math.ceil(counts.good / opts.partitionRows);
    log(`generated ${counts.rows} rows (${counts.bad} bad); ${partitions} partition(s), ${opts.parallel} at a time`);

    log('bundling the workflows once');
    const bundlePath = path.join(tmp, 'workflow-bundle.js');
    writeFileSync(
      bundlePath,
      (await bundleWorkflows({ failureConverterPath: FAILURE_CONVERTER_PATH, logger: new DefaultLogger('WARN') })).code,
    );
    const settings: PipelineWorkerSettings = { env, bundlePath, stickyTimeoutMs: opts.stickyTimeoutMs || undefined };
    let worker = await forkWorker(settings);
    cleanups.unshift(() => killHard(worker));

    let n = 0;
    const oneRun = async (kill: boolean): Promise<Run> => {
      const name = `orders-bench-${++n}.csv`;
      copyFileSync(source, path.join(pipelineSettings.of(config).inboxDir, name));
      const pids = [server.pid, worker.pid!];
      const cpu0 = pids.map(processCpuMs);
      const t0 = performance.now();
      const run = await startProcess(client, config, 'data-pipeline', {
        dataset: 'orders',
        source: { inboxFile: name },
        partitionRows: opts.partitionRows,
        maxParallelPartitions: opts.parallel,
      });
      let killedAtMs: number | undefined;
      let restartMs: number | undefined;
      let workerCpuMs = 0;
      if (kill) {
        await transformUnderway(client, run.workflowId, partitions);
        killedAtMs = performance.now() - t0;
        workerCpuMs += processCpuMs(worker.pid!) - cpu0[1]!;
        await killHard(worker);
        const r0 = performance.now();
        worker = await forkWorker(settings);
        restartMs = performance.now() - r0;
        pids[1] = worker.pid!;
        cpu0[1] = 0;
      }
      const result = (await run.handle.result()) as DataPipelineResult;
      const wallMs = performance.now() - t0;
      workerCpuMs += processCpuMs(pids[1]!) - cpu0[1]!;
      const timeouts = kill ? await recoveryTimeouts(client, run.workflowId, partitions) : undefined;
      return {
        wallMs,
        rowsIn: result.rowsIn,
        loaded: result.loaded,
        resumed: result.resumed.length,
        killedAtMs,
        restartMs,
        timeouts,
        serverCpuMs: processCpuMs(server.pid) - cpu0[0]!,
        workerCpuMs,
      };
    };

    log('warm-up run');
    await oneRun(false);
    const clean: Run[] = [];
    const killed: Run[] = [];
    for (let i = 0; i < Math.max(opts.runs, opts.killRuns); i++) {
      if (i < opts.runs) {
        log(`run ${i + 1}/${opts.runs}`);
        clean.push(await oneRun(false));
      }
      if (i < opts.killRuns) {
        log(`run ${i + 1}/${opts.killRuns} with the worker killed during transform`);
        killed.push(await oneRun(true));
      }
    }

    log('baseline: the same code in one process, no Temporal');
    const warehouse = new SqliteWarehouse(path.join(tmp, 'baseline.db'));
    const baseline = [];
    for (let i = 0; i < opts.runs; i++)
      baseline.push(await runBaseline(source, path.join(tmp, `baseline-${i}`), warehouse, `orders/baseline-${i}`, opts.partitionRows));
    warehouse.close();

    const cleanMs = median(clean.map((r) => r.wallMs));
    const killedMs = killed.length ? median(killed.map((r) => r.wallMs)) : NaN;
    const baselineMs = median(baseline.map((b) => b.wallMs));
    const results = {
      at: new Date().toISOString(),
      environment: { node: process.version, cpus: os.cpus().length, temporal: version },
      rows: counts.rows,
      badRows: counts.bad,
      partitions,
      parallelPartitions: opts.parallel,
      stickyTimeoutMs: opts.stickyTimeoutMs || 'SDK default (10 s)',
      pipeline: { wallMsMedian: cleanMs, rowsPerSecondMedian: Math.round(counts.rows / (cleanMs / 1000)), runs: clean },
      workerKilledDuringTransform: killed.length
        ? {
            wallMsMedian: killedMs,
            timeLostMsMedian: r1(killedMs - cleanMs),
            restartMsMedian: median(killed.map((r) => r.restartMs!)),
            heartbeatTimeoutMs: dataPipelineDefinition.policies.transformPartition?.heartbeatTimeoutMs,
            runs: killed,
          }
        : undefined,
      baselineWithoutTemporal: { wallMsMedian: baselineMs, rowsPerSecondMedian: Math.round(counts.rows / (baselineMs / 1000)) },
      cpu: {
        workerMsMedian: median(clean.map((r) => r.workerCpuMs)),
        serverMsMedian: median(clean.map((r) => r.serverCpuMs)),
        /** Worker CPU over wall time: near 100% means the worker's one JavaScript thread is the limit. */
        workerShareOfOneCore: r1((median(clean.map((r) => r.workerCpuMs)) / cleanMs) * 100),
      },
      everyRowAccounted: [...clean, ...killed].every((r) => r.loaded === counts.good && r.rowsIn === counts.rows),
    };
    print(results);
    mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
    writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
    return results.everyRowAccounted ? 0 : 1;
  } finally {
    for (const cleanup of cleanups) {
      try {
        await cleanup();
      } catch (err) {
        log(`cleanup failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}

function print(res: {
  rows: number;
  partitions: number;
  parallelPartitions: number;
  environment: { cpus: number; temporal: string };
  pipeline: { wallMsMedian: number; rowsPerSecondMedian: number; runs: Run[] };
  workerKilledDuringTransform?: { wallMsMedian: number; timeLostMsMedian: number; restartMsMedian: number; runs: Run[] };
  baselineWithoutTemporal: { wallMsMedian: number; rowsPerSecondMedian: number };
  cpu: { workerMsMedian: number; serverMsMedian: number; workerShareOfOneCore: number };
  everyRowAccounted: boolean;
}): void {
  const row = (label: string, value: string | number) => console.log(`  ${label.padEnd(46)} ${String(value).padStart(12)}`);
  console.log(
    `\nData pipeline, ${res.rows} rows in ${res.partitions} partition(s), ${res.parallelPartitions} at a time (${res.environment.cpus} CPUs, ${res.environment.temporal})`,
  );
  row('wall time, median (ms)', res.pipeline.wallMsMedian);
  row('rows per second, median', res.pipeline.rowsPerSecondMedian);
  const k = res.workerKilledDuringTransform;
  if (k) {
    row('with a SIGKILL during transform, median (ms)', k.wallMsMedian);
    row('time lost to the kill, median (ms)', k.timeLostMsMedian);
    row('  of which the replacement worker starting (ms)', k.restartMsMedian);
    row('partitions resumed from a checkpoint', k.runs.map((r) => r.resumed).join(', '));
    row('activities retried after a heartbeat timeout', k.runs.map((r) => r.timeouts?.activityHeartbeat).join(', '));
    row('workflow tasks timed out on the dead worker', k.runs.map((r) => r.timeouts?.workflowTaskOnDeadWorker).join(', '));
  }
  row('baseline, one process without Temporal (ms)', res.baselineWithoutTemporal.wallMsMedian);
  row('baseline rows per second', res.baselineWithoutTemporal.rowsPerSecondMedian);
  row('worker CPU per run, median (ms)', res.cpu.workerMsMedian);
  row('Temporal server CPU per run, median (ms)', res.cpu.serverMsMedian);
  row('worker CPU / wall time (% of one core)', res.cpu.workerShareOfOneCore);
  row('every row loaded once', String(res.everyRowAccounted));
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
