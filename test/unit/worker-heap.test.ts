/**
 * WORKER_HEAP sizes the heaps of threads made after it is applied, as the SDK's workflow threads are: in a fresh Node
 * process (flags are process-wide, so never in jest's own), a thread churns short-lived objects and reports its
 * young generation's size. `compact` caps it at two 4 MB semi-spaces; V8's own sizing grows it to two 16 MB ones here.
 * Under load V8 may report a page or two beyond the two semi-spaces (CI once read 8.75 MB), so the bound keeps headroom
 * while still failing if the flag did not reach the thread.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../helpers/processes';
import { loadConfig } from '../../src/config';
import { WORKER_HEAP_FLAGS, WORKER_HEAP_NODE_FLAGS, mainThreadHeapWarning } from '../../src/temporal/worker-heap';

const run = promisify(execFile);
const MB = 1024 * 1024;

const childScript = (heap: string) => `
  const { applyWorkerHeap } = require(${JSON.stringify(ROOT)} + '/src/temporal/worker-heap');
  const { Worker } = require('node:worker_threads');
  applyWorkerHeap(${JSON.stringify(heap)});
  const thread = new Worker(\`
    const v8 = require('node:v8');
    let kept = [];
    for (let i = 0; i < 3e6; i++) { kept.push({ i, s: 'run-' + i }); if (kept.length > 2e5) kept = []; }
    const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    require('node:worker_threads').parentPort.postMessage(young.space_size);
  \`, { eval: true });
  thread.once('message', (bytes) => { console.log(bytes); void thread.terminate(); });
`;

async function youngGenerationOfAThread(heap: string): Promise<number> {
  const { stdout } = await run(process.execPath, ['--require', 'tsx/cjs', '-e', childScript(heap)], { cwd: ROOT });
  return Number(stdout.trim().split('\n').pop());
}

it('compact caps a new thread young generation near two 4 MB semi-spaces; default leaves V8 to grow it', async () => {
  const compact = await youngGenerationOfAThread('compact');
  const fallback = await youngGenerationOfAThread('default');
  expect(compact).toBeGreaterThan(0);
  expect(compact).toBeLessThanOrEqual(12 * MB);
  expect(fallback).toBeGreaterThanOrEqual(2 * compact);
}, 60_000);

it('default sets no flag; WORKER_HEAP defaults to it and refuses anything but default or compact', () => {
  expect(WORKER_HEAP_FLAGS.default).toEqual([]);
  expect(loadConfig({}).WORKER_HEAP).toBe('default');
  expect(loadConfig({ WORKER_HEAP: 'compact' }).WORKER_HEAP).toBe('compact');
  expect(() => loadConfig({ WORKER_HEAP: 'tiny' })).toThrow(/WORKER_HEAP.*must be default or compact/s);
});

it('compact names the command-line flag that sizes the main thread as its workflow threads, and Node accepts it in NODE_OPTIONS', async () => {
  expect(WORKER_HEAP_NODE_FLAGS.default).toEqual([]);
  expect(WORKER_HEAP_NODE_FLAGS.compact).toEqual(['--max-semi-space-size=4']);
  const { stdout } = await run(process.execPath, ['-p', '1'], {
    env: { ...process.env, NODE_OPTIONS: WORKER_HEAP_NODE_FLAGS.compact.join(' ') },
  });
  expect(stdout.trim()).toBe('1');
});

it('warns when a compact worker main thread was not sized on its command line, and only then', () => {
  const warning = mainThreadHeapWarning('compact', [], undefined);
  expect(warning).toMatch(
    /^warning: WORKER_HEAP=compact .* without --max-semi-space-size=4; start the worker with NODE_OPTIONS=--max-semi-space-size=4/,
  );
  expect(mainThreadHeapWarning('compact', ['--max-semi-space-size=4'], undefined)).toBeUndefined();
  expect(mainThreadHeapWarning('compact', [], '--enable-source-maps --max-semi-space-size=4')).toBeUndefined();
  // An operator's own size counts, in either spelling V8 reads.
  expect(mainThreadHeapWarning('compact', ['--max_semi_space_size=2'], undefined)).toBeUndefined();
  expect(mainThreadHeapWarning('compact', ['--max-old-space-size=4'], '--max-semi-space')).toBeDefined();
  expect(mainThreadHeapWarning('default', [], undefined)).toBeUndefined();
});

/** What the worker entrypoint logs before it gives up on an empty data dir (no payload key): its start-up lines. */
async function workerStartLines(nodeOptions: string): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'overture-heap-'));
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_OPTIONS: nodeOptions,
      WORKER_HEAP: 'compact',
      OVERTURE_DATA_DIR: dir,
      TEMPORAL_ADDRESS: '127.0.0.1:1',
    };
    // No health server, and no payload key from the caller's environment: the start stops at the key, not at a connection.
    for (const name of ['HEALTH_PORT', 'OVERTURE_CODEC_KEY_FILE', 'OVERTURE_CODEC_KEYS', 'OVERTURE_PAYLOAD_ENCRYPTION']) delete env[name];
    const ran = await run(process.execPath, ['--require', 'tsx/cjs', 'workers/overture-worker.ts'], {
      cwd: ROOT,
      env,
      timeout: 30_000,
    }).then(
      (done) => ({ ...done, code: 0 }),
      (failed: { stdout: string; stderr: string; code: number }) => failed,
    );
    expect(ran.code).not.toBe(0); // no payload key in a fresh data dir: it stops after its start-up lines
    return ran.stdout + ran.stderr;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

it('the worker entrypoint logs the warning at start when compact lacks the flag, and not when NODE_OPTIONS has it', async () => {
  expect(await workerStartLines('')).toContain('warning: WORKER_HEAP=compact sizes the workflow threads');
  const sized = await workerStartLines(WORKER_HEAP_NODE_FLAGS.compact.join(' '));
  expect(sized).toContain('payload encryption needs a key');
  expect(sized).not.toContain('WORKER_HEAP');
}, 60_000);
