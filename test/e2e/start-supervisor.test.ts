/**
 * `npm start` keeps its Temporal server up, end to end with real processes: SIGKILLed while an onboarding run is
 * in flight, the server comes back on its data file, the stack stays up and the run completes with its welcome
 * email sent once; killed a fourth time within five minutes, the stack stops with exit code 1 and says why.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePort } from '../../src/tools/dev-stack/temporal-server';
import { runOverture } from '../helpers/processes';

jest.setTimeout(90_000);

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

let dataDir: string;
let env: NodeJS.ProcessEnv;
let stack: ChildProcess;
let output = '';
let exited: Promise<number | null>;

/** Resolves once the output matches `pattern` `times` times (counted from the start); fails with the output otherwise. */
async function waitForOutput(pattern: RegExp, times = 1, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const count = () => output.match(new RegExp(pattern.source, 'g'))?.length ?? 0;
  while (count() < times) {
    if (stack.exitCode !== null) throw new Error(`npm start exited before printing ${pattern} ${times}×:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start did not print ${pattern} ${times}× within ${timeoutMs} ms:\n${output}`);
    await sleep(100);
  }
}

/** The pid of the Temporal dev server that became ready last, from the stack's output. */
function temporalPid(): number {
  const pids = [...output.matchAll(/\[temporal\] Temporal dev server ready on \S+ after \d+ ms \(pid (\d+)\)/g)].map((m) => Number(m[1]));
  if (pids.length === 0) throw new Error(`no Temporal pid in the output:\n${output}`);
  return pids[pids.length - 1]!;
}

/** The overture CLI against this stack. */
const cli = (args: string[]) => runOverture(args, env as Record<string, string>);

beforeAll(async () => {
  const binary = process.env.OVERTURE_TEST_TEMPORAL_BINARY;
  if (!binary) throw new Error('OVERTURE_TEST_TEMPORAL_BINARY is not set: run the tests with jest (globalSetup provisions Temporal)');
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'overture-supervisor-'));
  env = { ...process.env, OVERTURE_DATA_DIR: dataDir, TEMPORAL_ADDRESS: `127.0.0.1:${await findFreePort()}`, TEMPORAL_BINARY: binary };
  for (const name of ['TEMPORAL_UI_PORT', 'LOCAL_SMTP_PORT', 'LOCAL_WEBHOOK_PORT', 'CONSOLE_PORT', 'EVENTS_PORT', 'SITE_PORT']) {
    env[name] = String(await findFreePort());
  }
  for (const name of [
    'SMTP_URL',
    'NOTIFY_WEBHOOK_URL',
    'TEMPORAL_UI_URL',
    'DIRECTORY_DB_PATH',
    'LEDGER_DB_PATH',
    'TEMPORAL_NAMESPACE',
    'TEMPORAL_TASK_QUEUE',
  ]) {
    delete env[name];
  }
  // Its own process group, so that afterAll can kill it together with its Temporal server if a test fails.
  stack = spawn(TSX, ['src/tools/dev-stack/start.ts'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  stack.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  stack.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  exited = new Promise((resolve) => stack.once('exit', (code) => resolve(code)));
  await waitForOutput(/Overture is ready/);
});

afterAll(async () => {
  try {
    process.kill(-stack.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

it('brings a SIGKILLed Temporal server back; the run in flight completes with one welcome email', async () => {
  const started = await cli(['onboard', 'examples/onboarding.json', '--inject', 'createAccount=latency:5000', '--json']);
  expect({ code: started.code, stderr: started.stderr }).toEqual({ code: 0, stderr: '' });
  await sleep(1_500); // createAccount is now in its 5 s of latency

  const killed = temporalPid();
  process.kill(killed, 'SIGKILL');
  await waitForOutput(/\[temporal\] back after \d+ ms/);
  expect(output).toContain(`[temporal] the server exited (signal SIGKILL); restarting on ${path.join(dataDir, 'temporal.db')} (1/3)`);
  expect(temporalPid()).not.toBe(killed);
  expect(stack.exitCode).toBeNull();

  let state = '';
  const deadline = Date.now() + 40_000;
  while (state !== 'completed' && Date.now() < deadline) {
    const status = await cli(['status', 'onboarding-E1001', '--json']);
    if (status.code === 0) state = (JSON.parse(status.stdout) as { state: string }).state;
    if (state !== 'completed') await sleep(500);
  }
  expect(state).toBe('completed');
  const mailDir = path.join(dataDir, 'mail');
  const welcomes = fs
    .readdirSync(mailDir)
    .filter((f) => /^To: ada\.lovelace@example\.com$/m.test(fs.readFileSync(path.join(mailDir, f), 'utf8')));
  expect(welcomes).toHaveLength(1);
  expect(stack.exitCode).toBeNull();
});

it('stops with exit code 1 and says why once the server dies a fourth time within five minutes', async () => {
  for (const restart of [2, 3]) {
    process.kill(temporalPid(), 'SIGKILL');
    await waitForOutput(/\[temporal\] back after \d+ ms/, restart);
    expect(output).toContain(`(${restart}/3)`);
  }
  process.kill(temporalPid(), 'SIGKILL');

  const code = await Promise.race([exited, sleep(40_000, 'still running', { ref: false })]);
  expect(code).toBe(1);
  expect(output).toContain(
    'the Temporal server exited (signal SIGKILL) after 3 restarts within 5 min: giving up; stopping the rest of Overture',
  );
  expect(output).not.toContain('(4/3)');
  expect(output).toMatch(/^stopped$/m);
  expect(fs.existsSync(path.join(dataDir, 'overture.pid'))).toBe(false);
});
