/**
 * Real child processes for end-to-end tests: a worker process that can be killed, and the overture CLI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  ready: Promise<void>;
}

/**
 * Starts `workers/overture-worker.ts` (or another worker entry, `script`) as its own process, in `cwd` (default: the
 * repository) as another host's would; `ready` resolves when it polls its task queue.
 */
export function spawnWorker(env: Record<string, string>, opts: { cwd?: string; script?: string; compiled?: boolean } = {}): WorkerProcess {
  // node itself with tsx's require hook, not the tsx launcher: a SIGKILL must hit the worker, not a wrapper.
  // The hook by its path: another working directory has no node_modules to resolve `tsx/cjs` from. `compiled`:
  // the build in dist/ through `npm run worker`'s launcher, as the image runs it (no tsx).
  const args = opts.compiled
    ? [path.join(ROOT, 'bin', 'run.js'), 'workers/overture-worker.ts']
    : ['--require', require.resolve('tsx/cjs'), opts.script ?? path.join(ROOT, 'workers', 'overture-worker.ts')];
  const child = spawn(process.execPath, args, {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...env, ...(opts.compiled ? { OVERTURE_COMPILED: '1' } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker polling task queue')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => reject(new Error(`worker exited early (${code ?? signal}):\n${output}`)));
  });
  ready.catch(() => undefined);
  return { child, output: () => output, ready };
}

/** Kills a process and waits until it is gone. */
export async function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await gone;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `bin/overture.js` with arguments, environment and optional stdin. */
export function runOverture(args: string[], env: Record<string, string>, stdin?: string): Promise<CliResult> {
  return runCommand(process.execPath, [path.join(ROOT, 'bin', 'overture.js'), ...args], env, stdin);
}

/** Runs a command in the repository root and collects its output. */
export function runCommand(command: string, args: string[], env: Record<string, string>, stdin?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}
