/**
 * Fan-out benchmark: one run that fans out to N items (default 1,000; each a child run with one no-op
 * activity) and joins them, through the process kit and, as the baseline in the same run on the same
 * server, as a plain Temporal workflow with the same sliding window of children.
 *
 * `npm run bench:fan-out -- --items 1000 --concurrent 50 --repeat 3`; results go to .data/bench/fan-out.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { connectClient } from '../../client';
import { loadConfig } from '../../config';
import { processOptionsFrom } from '../../registry/options';
import { benchCodecEnv, quantile, r1, startBenchServer, RESULTS_DIR } from './bench-support';

const RESULTS_FILE = path.join(RESULTS_DIR, 'fan-out.json');
/** Temporal's history warning thresholds: a run past either is warned about by the server. */
const HISTORY_WARN_EVENTS = 10_240;
const HISTORY_WARN_BYTES = 10 * 1024 * 1024;

interface ChainRun {
  workflowId: string;
  events: number;
  bytes: number;
}

interface Measurement {
  wallMs: number;
  joined: number;
  parentEvents: number;
  /** Every run that held part of the fan-out's window: the parent, and for the kit the fan-out chain. */
  runs: ChainRun[];
}

function parseOptions() {
  const { values } = parseArgs({
    options: {
      items: { type: 'string', default: '1000' },
      concurrent: { type: 'string', default: '50' },
      repeat: { type: 'string', default: '3' },
    },
  });
  const count = (name: string, text: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${text}"`);
    return n;
  };
  return {
    items: count('items', values.items),
    concurrent: count('concurrent', values.concurrent),
    repeat: count('repeat', values.repeat),
  };
}

/** Every run (continued-as-new ones too) of the given workflow ids, with its history size. */
async function runsOf(client: Client, workflowIds: string[]): Promise<ChainRun[]> {
  const found: ChainRun[] = [];
  for (const workflowId of workflowIds) {
    for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      const described = await client.workflow.getHandle(run.workflowId, run.runId).describe();
      found.push({
        workflowId: run.workflowId,
        events: described.historyLength,
        bytes: Number(described.raw.workflowExecutionInfo?.historySizeBytes ?? 0),
      });
    }
  }
  return found;
}

async function measure(
  client: Client,
  taskQueue: string,
  variant: 'kit' | 'plain',
  items: string[],
  concurrent: number,
  rep: number,
): Promise<Measurement> {
  const workflowId = `fan-out-bench-${variant}-${Date.now().toString(36)}-${rep}`;
  const t0 = performance.now();
  const options = processOptionsFrom(loadConfig({}), {});
  const handle =
    variant === 'kit'
      ? await client.workflow.start('kitFanOutBench', { taskQueue, workflowId, args: [{ items, maxConcurrent: concurrent, options }] })
      : await client.workflow.start('plainFanOutBench', {
          taskQueue,
          workflowId,
          args: [{ items, maxConcurrent: concurrent, idPrefix: workflowId }],
        });
  const result = (await handle.result()) as { joined: number; failed: number };
  const wallMs = performance.now() - t0;
  // The kit's window lives in `<id>/processItems#1` and its continued-as-new successors.
  const runs = await runsOf(client, variant === 'kit' ? [workflowId, `${workflowId}/processItems#1`] : [workflowId]);
  const parentEvents = runs.find((r) => r.workflowId === workflowId)?.events ?? NaN;
  return { wallMs, joined: result.joined, parentEvents, runs };
}

function summarise(ms: Measurement[], items: number) {
  const worst = ms.flatMap((m) => m.runs);
  return {
    wallMsMedian: r1(
      quantile(
        ms.map((m) => m.wallMs),
        0.5,
      ),
    ),
    wallMs: ms.map((m) => r1(m.wallMs)),
    itemsPerSecondMedian: r1(
      items /
        (quantile(
          ms.map((m) => m.wallMs),
          0.5,
        ) /
          1000),
    ),
    parentEventsMedian: quantile(
      ms.map((m) => m.parentEvents),
      0.5,
    ),
    runsHoldingTheWindow: quantile(
      ms.map((m) => m.runs.length),
      0.5,
    ),
    largestHistoryEvents: Math.max(...worst.map((r) => r.events)),
    largestHistoryBytes: Math.max(...worst.map((r) => r.bytes)),
    historyWarnings: worst.filter((r) => r.events > HISTORY_WARN_EVENTS || r.bytes > HISTORY_WARN_BYTES).length,
    allJoined: ms.every((m) => m.joined === items),
  };
}

async function main(): Promise<number> {
  const { items: itemCount, concurrent, repeat } = parseOptions();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const log = (line: string) => console.error(`[bench] ${line}`);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'overture-fan-out-bench-'));
  const cleanups: Array<() => Promise<void> | void> = [() => rmSync(tmp, { recursive: true, force: true })];
  try {
    const { server, version } = await startBenchServer(tmp, log);
    cleanups.unshift(() => server.stop());
    const config = loadConfig({ TEMPORAL_ADDRESS: server.address, OVERTURE_DATA_DIR: path.join(tmp, 'data'), ...benchCodecEnv(tmp) });
    const client = await connectClient(config);
    cleanups.unshift(() => client.connection.close());
    const taskQueue = 'fan-out-bench';
    log('bundling the bench workflows and starting the worker');
    const connection = await NativeConnection.connect({ address: server.address });
    const worker = await Worker.create({
      connection,
      taskQueue,
      workflowsPath: require.resolve('./fixtures/fan-out-workflows'),
      activities: { benchNoop: (key: string) => Promise.resolve(key) },
      dataConverter: client.options.dataConverter, // the client encrypts what it sends
    });
    const done = worker.run();
    cleanups.unshift(async () => {
      worker.shutdown();
      await done;
      await connection.close();
    });

    const items = Array.from({ length: itemCount }, (_, i) => `item-${i}`);
    log('warm-up: 50 items each way');
    await measure(client, taskQueue, 'plain', items.slice(0, 50), concurrent, -1);
    await measure(client, taskQueue, 'kit', items.slice(0, 50), concurrent, -1);
    const plain: Measurement[] = [];
    const kit: Measurement[] = [];
    // Alternate the two so that neither gets a warmer server or a fuller database.
    for (let rep = 0; rep < repeat; rep++) {
      log(`repetition ${rep + 1}/${repeat}: plain Temporal`);
      plain.push(await measure(client, taskQueue, 'plain', items, concurrent, rep));
      log(`repetition ${rep + 1}/${repeat}: Overture's kit`);
      kit.push(await measure(client, taskQueue, 'kit', items, concurrent, rep));
    }
    const results = {
      at: new Date().toISOString(),
      environment: { node: process.version, cpus: os.cpus().length, temporal: version },
      items: itemCount,
      concurrent,
      repeat,
      plainTemporal: summarise(plain, itemCount),
      overtureKit: summarise(kit, itemCount),
      ratios: { wallTimeKitOverPlain: 0 },
    };
    results.ratios.wallTimeKitOverPlain = Math.round((results.overtureKit.wallMsMedian / results.plainTemporal.wallMsMedian) * 100) / 100;
    print(results);
    mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
    writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
    console.log(JSON.stringify(results));
    return results.plainTemporal.allJoined && results.overtureKit.allJoined && results.overtureKit.historyWarnings === 0 ? 0 : 1;
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
  items: number;
  concurrent: number;
  repeat: number;
  environment: { cpus: number; temporal: string };
  plainTemporal: ReturnType<typeof summarise>;
  overtureKit: ReturnType<typeof summarise>;
  ratios: { wallTimeKitOverPlain: number };
}): void {
  const row = (label: string, a: string | number, b: string | number) =>
    console.log(`  ${label.padEnd(36)} ${String(a).padStart(14)} ${String(b).padStart(14)}`);
  console.log(
    `\nFan-out of ${res.items} items, ${res.concurrent} at a time, median of ${res.repeat} (${res.environment.cpus} CPUs, ${res.environment.temporal})`,
  );
  row('', 'plain Temporal', 'Overture kit');
  const p = res.plainTemporal;
  const k = res.overtureKit;
  row('wall time, median (ms)', p.wallMsMedian, k.wallMsMedian);
  row('items per second', p.itemsPerSecondMedian, k.itemsPerSecondMedian);
  row("parent run's history events", p.parentEventsMedian, k.parentEventsMedian);
  row('runs holding the window', p.runsHoldingTheWindow, k.runsHoldingTheWindow);
  row('largest history (events)', p.largestHistoryEvents, k.largestHistoryEvents);
  row('largest history (bytes)', p.largestHistoryBytes, k.largestHistoryBytes);
  row('runs past the history warning', p.historyWarnings, k.historyWarnings);
  row('every item joined', String(p.allJoined), String(k.allJoined));
  console.log(`  wall time ratio kit / plain: ${res.ratios.wallTimeKitOverPlain}`);
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
