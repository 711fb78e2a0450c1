import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';

const HOST = '127.0.0.1';
const STOP_GRACE_MS = 10_000;
const LOG_TAIL_LINES = 40;

/** A running `temporal server start-dev` child process. */
export interface DevServer {
  address: string;
  uiUrl?: string;
  namespace: string;
  stop(): Promise<void>;
  pid: number;
  /** Resolves once the process is gone (asked to stop or not), with how it ended: `signal SIGKILL`, `code 1`. */
  exit: Promise<string>;
}

export interface StartDevServerOptions {
  binary: string;
  port: number;
  uiPort?: number;
  headless?: boolean;
  /** Persistent SQLite file; in-memory (lost on exit) without it. */
  dbFile?: string;
  namespace?: string;
  searchAttributes: ReadonlyArray<{ name: string; type: string }>;
  /** Server stdout/stderr go here (appended); discarded otherwise, except a tail kept for error messages. */
  logFile?: string;
  readyTimeoutMs?: number;
  log?: (line: string) => void;
  /** `one-machine` (default): the settings below; `none`: the server's own defaults, as `temporal server start-dev`. */
  tuning?: 'one-machine' | 'none';
  /** The remote codec the UI decodes payloads with (`--ui-codec-endpoint`), e.g. the console's `/codec`. */
  uiCodecEndpoint?: string;
  /** More dynamic configuration, `[key, JSON value]` (e.g. a test's short worker-versioning drainage checks). */
  dynamicConfig?: ReadonlyArray<[key: string, value: string]>;
  /** The port of the server's Prometheus `/metrics` (the bench counts requests per run); a random free one without it. */
  metricsPort?: number;
}

/**
 * Dynamic configuration for a server that runs beside its workers on one machine, each setting explained by
 * what it measured here (2 cores, file-backed SQLite in WAL mode, a plain workflow of five no-op activities
 * run back to back, p50 of 30 runs, by `npm run bench:server-tuning`; `npm run bench` shows the effect side by side):
 */
export const ONE_MACHINE_DYNAMIC_CONFIG: ReadonlyArray<[key: string, value: string]> = [
  // The history service reads each shard's transfer queue at most 20 times a second by default, so back to back
  // every workflow and activity task waits for the next poll: 557 ms → 135 ms per five-activity workflow, and
  // 88 ms → 43 ms as local activities. Tried on top of it and not adopted, because two runs disagreed beyond
  // the noise (each figure: first run, second run): transferProcessorMaxPollHostRPS (126, 121 ms), one task-queue
  // partition (114, 106 ms), system.enableActivityEagerExecution (136, 90 ms) against 113 and 135 ms without.
  ['history.transferProcessorMaxPollRPS', '10000'],
];

/** Starts a Temporal dev server and resolves once it answers gRPC with the namespace and search attributes in place. */
export async function startTemporalDevServer(opts: StartDevServerOptions): Promise<DevServer> {
  const { binary, port, namespace = 'default', searchAttributes, logFile, readyTimeoutMs = 60_000, log = () => {} } = opts;
  const address = `${HOST}:${port}`;
  const uiPort = opts.headless ? undefined : (opts.uiPort ?? port + 1000);

  // Fail fast with a clear reason instead of a 60 s readiness timeout behind a server that cannot bind.
  for (const p of [port, uiPort]) {
    if (p !== undefined && (await isPortInUse(p))) {
      throw new Error(`Port ${p} on ${HOST} is already in use (another Temporal dev server still running?).`);
    }
  }

  const args = ['server', 'start-dev', '--ip', HOST, '--port', String(port)];
  args.push(...(uiPort === undefined ? ['--headless'] : ['--ui-port', String(uiPort)]));
  if (uiPort !== undefined && opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  if (opts.dbFile) {
    mkdirSync(dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
    // WAL with synchronous=normal survives any process crash (only a power cut can lose the last commits) and
    // lifts throughput by about 60% on this machine's disk (npm run bench: 11.0 → 18.2 runs/s at 50 concurrent).
    for (const pragma of ['journal_mode=wal', 'synchronous=normal']) args.push('--sqlite-pragma', pragma);
  }
  if ((opts.tuning ?? 'one-machine') === 'one-machine') {
    for (const [key, value] of ONE_MACHINE_DYNAMIC_CONFIG) args.push('--dynamic-config-value', `${key}=${value}`);
  }
  for (const [key, value] of opts.dynamicConfig ?? []) args.push('--dynamic-config-value', `${key}=${value}`);
  args.push('--namespace', namespace);
  for (const sa of searchAttributes) args.push('--search-attribute', `${sa.name}=${sa.type}`);
  if (opts.metricsPort !== undefined) args.push('--metrics-port', String(opts.metricsPort));
  args.push('--log-level', 'warn');

  // With a log file the child writes to it directly, so its output survives us and never blocks on a pipe.
  let logFd: number | undefined;
  if (logFile) {
    mkdirSync(dirname(logFile), { recursive: true });
    logFd = openSync(logFile, 'a');
  }
  const memoryTail: string[] = [];
  let child: ChildProcess;
  try {
    child = spawn(binary, args, { stdio: ['ignore', logFd ?? 'pipe', logFd ?? 'pipe'] });
  } finally {
    if (logFd !== undefined) closeSync(logFd); // the child holds its own copy
  }
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      memoryTail.push(...chunk.split('\n').filter(Boolean));
      memoryTail.splice(0, Math.max(0, memoryTail.length - LOG_TAIL_LINES));
    });
  }

  let exited: string | undefined;
  let ended = '';
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      ended = signal ? `signal ${signal}` : `code ${code}`;
      resolve();
    });
    child.once('error', (err) => {
      exited = `could not start: ${err.message}`;
      resolve();
    });
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (exited) return;
      child.kill('SIGTERM');
      // Abort the grace timer once the child exits so it does not keep the Node process (or jest) alive.
      const grace = new AbortController();
      const timer = sleep(STOP_GRACE_MS, 'timeout' as const, { signal: grace.signal }).catch(() => 'exited' as const);
      const outcome = await Promise.race([exitPromise.then(() => 'exited' as const), timer]);
      grace.abort();
      if (outcome === 'timeout' && !exited) {
        child.kill('SIGKILL');
        await exitPromise;
      }
    })());

  const tail = () => {
    const lines = logFile ? readFileSync(logFile, 'utf8').split('\n').filter(Boolean).slice(-LOG_TAIL_LINES) : memoryTail;
    return lines.length ? `\nLast server output${logFile ? ` (${logFile})` : ''}:\n${lines.join('\n')}` : '';
  };

  log(`Starting Temporal dev server on ${address}${uiPort ? `, UI on http://${HOST}:${uiPort}` : ''}`);
  const started = Date.now();
  let lastError = 'no answer yet';
  while (!exited) {
    if (Date.now() - started > readyTimeoutMs) {
      await stop();
      throw new Error(`Temporal dev server on ${address} not ready after ${readyTimeoutMs} ms (${lastError}).${tail()}`);
    }
    try {
      await probe(address, namespace, searchAttributes);
      log(`Temporal dev server ready on ${address} after ${Date.now() - started} ms (pid ${child.pid})`);
      const exit = exitPromise.then(() => ended || exited!);
      return { address, uiUrl: uiPort ? `http://${HOST}:${uiPort}` : undefined, namespace, stop, pid: child.pid ?? -1, exit };
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
      await Promise.race([sleep(250), exitPromise]);
    }
  }
  throw new Error(`Temporal dev server ${exited} before becoming ready (${binary} ${args.join(' ')}).${tail()}`);
}

// getSystemInfo alone can answer before the namespace and search attributes exist; callers need all three.
async function probe(address: string, namespace: string, searchAttributes: StartDevServerOptions['searchAttributes']) {
  const connection = await Connection.connect({ address, connectTimeout: 1_000 });
  try {
    const deadline = () => new Date(Date.now() + 2_000);
    await connection.withDeadline(deadline(), () => connection.workflowService.getSystemInfo({}));
    await connection.withDeadline(deadline(), () => connection.workflowService.describeNamespace({ namespace }));
    if (searchAttributes.length) {
      const res = await connection.withDeadline(deadline(), () => connection.operatorService.listSearchAttributes({ namespace }));
      const missing = searchAttributes.filter((sa) => !(sa.name in (res.customAttributes ?? {})));
      if (missing.length) throw new Error(`search attributes not registered yet: ${missing.map((sa) => sa.name).join(', ')}`);
    }
  } finally {
    await connection.close();
  }
}

/** True if something already listens on host:port (we try to bind it, as the server would). */
export function isPortInUse(port: number, host = HOST): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(true) : reject(err)));
    server.listen(port, host, () => server.close(() => resolve(false)));
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const addr = server.address();
      server.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port assigned'))));
    });
  });
}
