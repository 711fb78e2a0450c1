/**
 * Which dev-server settings matter on one machine: five no-op activities (and local activities) back to back,
 * p50/p95 of 30 runs, under each candidate dynamic configuration — the figures behind ONE_MACHINE_DYNAMIC_CONFIG.
 *
 * `npm run bench:server-tuning`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { provisionTemporalBinary } from '../dev-stack/temporal-binary';
import { findFreePort } from '../dev-stack/temporal-server';
import { quantile, r1 } from './bench-support';

const CANDIDATES: Record<string, string[]> = {
  'start-dev defaults': [],
  'transferProcessorMaxPollRPS=10000': ['history.transferProcessorMaxPollRPS=10000'],
  '+ transferProcessorMaxPollHostRPS=10000': ['history.transferProcessorMaxPollRPS=10000', 'history.transferProcessorMaxPollHostRPS=10000'],
  '+ one task-queue partition': [
    'history.transferProcessorMaxPollRPS=10000',
    'matching.numTaskqueueReadPartitions=1',
    'matching.numTaskqueueWritePartitions=1',
  ],
  '+ eager activity execution': ['history.transferProcessorMaxPollRPS=10000', 'system.enableActivityEagerExecution=true'],
};
const RUNS = 30;

async function measure(binary: string, settings: string[]): Promise<Record<string, { p50: number; p95: number }>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'overture-tuning-'));
  const port = await findFreePort();
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--headless',
    '--db-filename',
    path.join(dir, 'temporal.db'),
    '--log-level',
    'error',
  ];
  for (const pragma of ['journal_mode=wal', 'synchronous=normal']) args.push('--sqlite-pragma', pragma);
  for (const setting of settings) args.push('--dynamic-config-value', setting);
  const server = spawn(binary, args, { stdio: 'ignore' });
  try {
    let connection: NativeConnection | undefined;
    for (let i = 0; i < 60 && !connection; i++) {
      connection = await NativeConnection.connect({ address: `127.0.0.1:${port}` }).catch(async () => {
        await new Promise((r) => setTimeout(r, 250));
        return undefined;
      });
    }
    if (!connection) throw new Error('the dev server did not start');
    const worker = await Worker.create({
      connection,
      taskQueue: 'tuning',
      workflowsPath: require.resolve('./fixtures/plain-workflows'),
      activities: { plainNoop: (step: number) => Promise.resolve(step) },
    });
    const running = worker.run();
    const client = new Client({ connection: connection });
    const figures: Record<string, { p50: number; p95: number }> = {};
    for (const workflow of ['plainFiveSteps', 'plainFiveLocalSteps']) {
      for (let i = 0; i < 3; i++) await client.workflow.execute(workflow, { taskQueue: 'tuning', workflowId: `${workflow}-warm-${i}` });
      const ms: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        await client.workflow.execute(workflow, { taskQueue: 'tuning', workflowId: `${workflow}-${i}` });
        ms.push(performance.now() - t0);
      }
      figures[workflow] = { p50: r1(quantile(ms, 0.5)), p95: r1(quantile(ms, 0.95)) };
    }
    worker.shutdown();
    await running;
    await connection.close();
    return figures;
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const binary = await provisionTemporalBinary({ log: (l) => console.error(l) });
  console.log(`five no-op steps back to back, ${RUNS} runs each (${os.cpus().length} CPUs), p50 / p95 ms`);
  console.log(`  ${'dev-server settings'.padEnd(44)} ${'activities'.padStart(16)} ${'local activities'.padStart(18)}`);
  const all: Record<string, unknown> = {};
  for (const [name, settings] of Object.entries(CANDIDATES)) {
    const f = await measure(binary, settings);
    all[name] = f;
    console.log(
      `  ${name.padEnd(44)} ${`${f.plainFiveSteps!.p50} / ${f.plainFiveSteps!.p95}`.padStart(16)} ${`${f.plainFiveLocalSteps!.p50} / ${f.plainFiveLocalSteps!.p95}`.padStart(18)}`,
    );
  }
  console.log(JSON.stringify(all));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
