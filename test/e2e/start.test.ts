/**
 * `npm start` end to end, with real processes: the stack comes up on free ports, onboards the example
 * new hire, refuses a second instance, serves the Temporal UI, stops cleanly on Ctrl-C (leaving no
 * process, port or pid file behind) and, started again on the same data directory, still knows the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePort, isPortInUse } from '../../src/tools/dev-stack/temporal-server';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const READY = 'Overture is ready';

interface StackProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const spawned: StackProcess[] = [];

/** `npm start` as its own process group, so a failed test can still kill it together with its Temporal server. */
function startStack(env: NodeJS.ProcessEnv): StackProcess {
  const child = spawn(TSX, ['src/tools/dev-stack/start.ts'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const proc = { child, output: () => output, exited };
  spawned.push(proc);
  return proc;
}

/** Resolves once the process printed `text`; fails with its output if it exits first or takes too long. */
async function waitForOutput(proc: StackProcess, text: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void proc.exited.then(() => (exited = true));
  while (!proc.output().includes(text)) {
    if (exited) throw new Error(`npm start exited before printing "${text}":\n${proc.output()}`);
    if (Date.now() > deadline) throw new Error(`npm start did not print "${text}" within ${timeoutMs} ms:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function exitWithin(proc: StackProcess, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`npm start still running after ${ms} ms:\n${proc.output()}`)), ms);
  });
  try {
    return await Promise.race([proc.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function groupGone(pid: number, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return !groupAlive(pid);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let dataDir: string;
let env: NodeJS.ProcessEnv;
let ports: { temporal: number; ui: number; smtp: number; webhook: number; console: number };
let first: StackProcess;
let eventsPort: number;

beforeAll(async () => {
  const binary = process.env.OVERTURE_TEST_TEMPORAL_BINARY;
  if (!binary) throw new Error('OVERTURE_TEST_TEMPORAL_BINARY is not set: run the tests with jest (globalSetup provisions Temporal)');
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'overture-start-'));
  ports = {
    temporal: await findFreePort(),
    ui: await findFreePort(),
    smtp: await findFreePort(),
    webhook: await findFreePort(),
    console: await findFreePort(),
  };
  env = {
    ...process.env,
    OVERTURE_DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
    TEMPORAL_UI_PORT: String(ports.ui),
    LOCAL_SMTP_PORT: String(ports.smtp),
    LOCAL_WEBHOOK_PORT: String(ports.webhook),
    CONSOLE_PORT: String(ports.console),
    // The event gateway on a free port too: the default 4080 may be taken.
    EVENTS_PORT: String((eventsPort = await findFreePort())),
    // The local site server (content publishing) on a free port too: the default 4090 may be taken.
    SITE_PORT: String(await findFreePort()),
    TEMPORAL_BINARY: binary,
  };
  // The embedded defaults under test: no external relay, hook or database paths from the caller's shell.
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
  first = startStack(env);
  await waitForOutput(first, READY);
});

afterAll(async () => {
  for (const proc of spawned) {
    const pid = proc.child.pid;
    if (pid && groupAlive(pid)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

it('comes up and says where everything is', () => {
  const output = first.output();
  expect(output).toContain(`127.0.0.1:${ports.temporal}`);
  expect(output).toContain(`http://127.0.0.1:${ports.ui}`);
  expect(output).toContain(`127.0.0.1:${ports.smtp}`);
  expect(output).toContain(path.join(dataDir, 'mail'));
  expect(output).toContain(`http://127.0.0.1:${ports.webhook}/hooks/team`);
  expect(output).toContain('task queue overture');
  expect(output).toContain(`POST http://127.0.0.1:${eventsPort}/events/<type>`);
  expect(output).toContain('npx overture start onboarding examples/onboarding.json --wait');
  expect(output.trimEnd().split('\n').pop()).toMatch(/^Overture is ready/);
  expect(fs.readFileSync(path.join(dataDir, 'overture.pid'), 'utf8')).toMatch(/^\d+\n/);
  // The first operator: an admin whose token is in a file only its owner reads, never in the output.
  const tokenFile = path.join(dataDir, 'admin-token');
  expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
  const token = fs.readFileSync(tokenFile, 'utf8').trim();
  expect(token).toMatch(/^ovt_[A-Za-z0-9_-]{43}$/);
  expect(output).toContain(`created the operator "admin" (role admin); its token is in ${tokenFile}`);
  expect(output).toContain('/login with your operator token');
  expect(output).not.toContain(token);
});

it("encrypts run data by default: a key file (0600) made at first start, the UI pointed at the console's codec endpoint", async () => {
  const output = first.output();
  const keyFile = path.join(dataDir, 'codec-keys.json');
  expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
  expect(output).toContain(`payload encryption: no key file yet, creating ${keyFile}`);
  const endpoint = `http://127.0.0.1:${ports.console}/codec`;
  expect(output).toContain(`Temporal UI decodes through ${endpoint}`);
  const settings = (await (await fetch(`http://127.0.0.1:${ports.ui}/api/v1/settings`)).json()) as { Codec: { Endpoint: string } };
  expect(settings.Codec.Endpoint).toBe(endpoint);
  const key = (JSON.parse(fs.readFileSync(keyFile, 'utf8')) as { keys: Record<string, string> }).keys;
  for (const material of Object.values(key)) expect(output).not.toContain(material);
});

it('onboards the example new hire through the stack', async () => {
  const result = await run(process.execPath, ['bin/overture.js', 'onboard', 'examples/onboarding.json', '--wait', '--json'], env);
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  expect((JSON.parse(result.stdout) as { state: string }).state).toBe('completed');
  expect(fs.readdirSync(path.join(dataDir, 'mail')).filter((f) => f.endsWith('.eml')).length).toBeGreaterThan(0);
});

it('refuses a second instance on the same data directory', async () => {
  const second = startStack(env);
  const { code } = await exitWithin(second, 10_000);
  expect(code).not.toBe(0);
  expect(second.output()).toMatch(/Overture is already running \(pid \d+\)/);
  expect(second.output()).toContain(`127.0.0.1:${ports.temporal}`);
  expect(first.child.exitCode).toBeNull();
});

it('serves the Temporal UI', async () => {
  const res = await fetch(`http://127.0.0.1:${ports.ui}/`);
  expect(res.status).toBe(200);
});

it('stops everything on Ctrl-C and leaves nothing behind', async () => {
  // Ctrl-C in a terminal signals the whole foreground process group: tsx, our process and the Temporal server.
  process.kill(-first.child.pid!, 'SIGINT');
  const { code } = await exitWithin(first, 20_000);
  expect(code).toBe(0);
  expect(first.output()).toContain('stopped');
  expect(first.output()).not.toContain('forcing exit');
  expect(fs.existsSync(path.join(dataDir, 'overture.pid'))).toBe(false);
  expect(await groupGone(first.child.pid!)).toBe(true);
  for (const port of [ports.temporal, ports.ui, ports.smtp, ports.webhook]) expect(await isPortInUse(port)).toBe(false);
});

it('keeps every run across a restart on the same data directory', async () => {
  const again = startStack(env);
  await waitForOutput(again, READY);
  const status = await run('npx', ['--no-install', 'overture', 'status', 'onboarding-E1001', '--json'], env);
  expect(status.code).toBe(0);
  expect((JSON.parse(status.stdout) as { state: string }).state).toBe('completed');

  again.child.kill('SIGINT'); // `kill -INT` of the npm start process alone: tsx relays it
  expect((await exitWithin(again, 20_000)).code).toBe(0);
  expect(fs.existsSync(path.join(dataDir, 'overture.pid'))).toBe(false);
  expect(await groupGone(again.child.pid!)).toBe(true);
});
