/**
 * Onboarding benchmark on the local defaults: a Temporal dev server it starts itself (SQLite file, like
 * `npm start`), the local SMTP and webhook receivers, temp SQLite files and one in-process worker.
 *
 * `npm run bench -- --runs 50 --concurrent 200`; results also go to bench/results/latest.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { connectClient, startOnboarding } from '../src/client';
import { loadConfig, type OvertureConfig } from '../src/config';
import { startMailReceiver } from '../src/dev-stack/mail-receiver';
import { startWebhookReceiver } from '../src/dev-stack/webhook-receiver';
import { createWorker } from '../workers/overture-worker';
import type { onboarding } from '../workflows/onboarding/workflow';
import { quantile, r1, startBenchServer } from './bench-support';

const WARMUP_RUNS = 3;
const HISTORY_SAMPLE_PER_PHASE = 20;
const RESULTS_FILE = path.join(__dirname, 'results', 'latest.json');

interface Run {
  latencyMs: number;
  completed: boolean;
  handle: WorkflowHandle<typeof onboarding>;
}

const idPrefix = `B${Date.now().toString(36)}`.toUpperCase();
let seq = 0;

/** A valid new hire with an employee id unique to this bench invocation. */
function benchHire() {
  const employeeId = `${idPrefix}${++seq}`;
  return {
    employeeId,
    fullName: 'Grace Hopper',
    email: `g.hopper.${employeeId.toLowerCase()}@example.com`,
    role: 'engineer',
    team: 'Compilers',
    managerEmail: 'howard.aiken@example.com',
    startDate: '2026-12-07',
    extraPermissions: [],
  };
}

/** Starts one onboarding and waits for its result; latency runs from the start request to the result. */
async function runOne(client: Client, config: OvertureConfig): Promise<Run> {
  const t0 = performance.now();
  const started = await startOnboarding(client, config, benchHire());
  const result = await started.handle.result().catch(() => undefined);
  const completed = !started.alreadyStarted && result?.state === 'completed' && result.skippedSteps.length === 0;
  return { latencyMs: performance.now() - t0, completed, handle: started.handle };
}


/** Number of history events of each sampled run. */
async function historyLengths(runs: Run[]): Promise<number[]> {
  const sample = runs.slice(0, HISTORY_SAMPLE_PER_PHASE);
  return Promise.all(sample.map(async (run) => (await run.handle.fetchHistory()).events?.length ?? 0));
}

/** Parses --runs and --concurrent (positive integers). */
function parseOptions(): { runs: number; concurrent: number } {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '50' }, concurrent: { type: 'string', default: '200' } } });
  const toCount = (name: string, text: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${text}"`);
    return n;
  };
  return { runs: toCount('runs', values.runs), concurrent: toCount('concurrent', values.concurrent) };
}

/** Sets up the stack, runs the phases, prints and saves the results, and tears everything down. */
async function main(): Promise<number> {
  const { runs, concurrent } = parseOptions();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const log = (line: string) => console.error(`[bench] ${line}`);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'overture-bench-'));
  const cleanups: Array<() => Promise<void> | void> = [() => rmSync(tmp, { recursive: true, force: true })];
  try {
    const { server, binary, version: temporalVersion } = await startBenchServer(tmp, log);
    cleanups.unshift(() => server.stop());
    const mail = await startMailReceiver();
    cleanups.unshift(() => mail.stop());
    const webhooks = await startWebhookReceiver();
    cleanups.unshift(() => webhooks.stop());
    const config = loadConfig({ TEMPORAL_ADDRESS: server.address, OVERTURE_DATA_DIR: path.join(tmp, 'data'), SMTP_URL: mail.url, NOTIFY_WEBHOOK_URL: webhooks.url });
    const client = await connectClient(config);
    cleanups.unshift(() => client.connection.close());
    log('bundling workflows and starting the worker');
    const { worker, shutdown } = await createWorker(config);
    const workerDone = worker.run();
    cleanups.unshift(async () => {
      worker.shutdown();
      await workerDone;
      await shutdown();
    });

    log(`warming up with ${WARMUP_RUNS} runs`);
    for (let i = 0; i < WARMUP_RUNS; i++) {
      if (!(await runOne(client, config)).completed) throw new Error('a warm-up run did not complete; the stack is not healthy');
    }
    mail.clear();
    webhooks.clear();

    log(`sequential: ${runs} runs`);
    const sequential: Run[] = [];
    for (let i = 0; i < runs; i++) sequential.push(await runOne(client, config));

    log(`throughput: ${concurrent} runs at once`);
    const batchStart = performance.now();
    const batch = await Promise.all(Array.from({ length: concurrent }, () => runOne(client, config)));
    const wallMs = performance.now() - batchStart;

    log('fetching histories');
    const events = [...(await historyLengths(sequential)), ...(await historyLengths(batch))];

    const all = [...sequential, ...batch];
    const completedCount = all.filter((run) => run.completed).length;
    const seqMs = sequential.map((run) => run.latencyMs);
    const results = {
      at: new Date().toISOString(),
      environment: { node: process.version, cpus: os.cpus().length, temporal: temporalVersion, temporalBinary: binary },
      warmupRuns: WARMUP_RUNS,
      sequential: { runs, p50Ms: r1(quantile(seqMs, 0.5)), p95Ms: r1(quantile(seqMs, 0.95)), minMs: r1(Math.min(...seqMs)), maxMs: r1(Math.max(...seqMs)) },
      throughput: {
        runs: concurrent,
        wallMs: r1(wallMs),
        completedPerSecond: r1(batch.filter((run) => run.completed).length / (wallMs / 1000)),
        p50Ms: r1(quantile(batch.map((run) => run.latencyMs), 0.5)),
      },
      historyEvents: { sampledRuns: events.length, median: quantile(events, 0.5), max: Math.max(...events) },
      checks: [
        { check: 'every run completed', expected: all.length, actual: completedCount },
        { check: 'mails received = runs', expected: all.length, actual: mail.messages().length },
        { check: 'webhook posts = runs', expected: all.length, actual: webhooks.received().length },
      ].map((c) => ({ ...c, ok: c.expected === c.actual })),
    };
    report(results);
    mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
    writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nresults written to ${path.relative(process.cwd(), RESULTS_FILE)}`);
    return results.checks.every((c) => c.ok) ? 0 : 1;
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

/** Prints the results as aligned tables. */
function report(res: {
  environment: { node: string; cpus: number; temporal: string };
  warmupRuns: number;
  sequential: { runs: number; p50Ms: number; p95Ms: number; minMs: number; maxMs: number };
  throughput: { runs: number; wallMs: number; completedPerSecond: number; p50Ms: number };
  historyEvents: { sampledRuns: number; median: number; max: number };
  checks: Array<{ check: string; expected: number; actual: number; ok: boolean }>;
}): void {
  const { environment: env, sequential: s, throughput: t, historyEvents: h } = res;
  const row = (label: string, value: string | number) => console.log(`  ${label.padEnd(34)} ${String(value).padStart(10)}`);
  console.log(`\nOverture onboarding benchmark (${res.warmupRuns} warm-up runs not counted)`);
  console.log(`environment: node ${env.node}, ${env.cpus} CPUs, ${env.temporal}`);
  console.log(`\nsequential (${s.runs} runs, one at a time)`);
  row('p50 latency (ms)', s.p50Ms);
  row('p95 latency (ms)', s.p95Ms);
  row('min / max latency (ms)', `${s.minMs} / ${s.maxMs}`);
  console.log(`\nthroughput (${t.runs} runs started at once)`);
  row('wall time (ms)', t.wallMs);
  row('completed runs per second', t.completedPerSecond);
  row('p50 latency in batch (ms)', t.p50Ms);
  console.log(`\nhistory events per run (${h.sampledRuns} runs sampled)`);
  row('median', h.median);
  row('max', h.max);
  console.log('\nchecks');
  for (const c of res.checks) row(`${c.ok ? 'PASS' : 'FAIL'} ${c.check}`, `${c.actual}/${c.expected}`);
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
