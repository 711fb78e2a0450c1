/**
 * A real Temporal cluster on this machine, without Docker: the full server (frontend, history, matching and worker
 * services in one process, several history shards) on a private PostgreSQL, set up like docker-compose.yml's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../../workflows/kit/search-attributes';
import { isPortInUse } from '../dev-stack/temporal-server';
import { startPrivatePostgres, type PrivatePostgres } from './postgres';
import { provisionServerBinaries, type ServerBinaries } from './server-binaries';
import { MAX_SERVER_PORT, SERVER_ENV, serverPorts, writeServerConfig, type ServerPorts } from './server-config';
import { applySchema } from './schema';

const HOST = '127.0.0.1';
const STOP_GRACE_MS = 15_000;
const LOG_TAIL_LINES = 40;
const PORT_RELEASE_MS = 5_000;
/** How long a namespace keeps closed runs, as `temporal operator namespace create`'s default. */
const RETENTION = '72h';

export interface NativeClusterOptions {
  /** Overture's data directory; the cluster lives in `<dataDir>/cluster/` (pg, config, logs). */
  dataDir: string;
  /** The frontend's gRPC port (7233 as docker-compose.yml); the other services' ports sit around it (serverPorts). */
  frontendPort?: number;
  pgPort?: number;
  namespace?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  readyTimeoutMs?: number;
  /** Called when the Temporal server exits without being asked to (a crash), with how it ended: `code 1`. */
  onServerExit?: (how: string) => void;
}

/** A running native cluster. */
export interface NativeCluster {
  /** The frontend, host:port. */
  address: string;
  namespace: string;
  /** The PostgreSQL server (postgres database) the Temporal server persists to. */
  pgUrl: string;
  ports: ServerPorts;
  /** The generated server config and the directory of the server's and PostgreSQL's logs. */
  configFile: string;
  logDir: string;
  binaries: ServerBinaries;
  /** The Temporal server's process id (changes on restartServer). */
  readonly serverPid: number;
  /** Kills the Temporal server (not PostgreSQL) with the signal and waits until it is gone. */
  killServer(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the Temporal server again on the same database and waits until it serves the namespace. */
  restartServer(): Promise<void>;
  /** Stops the server, then PostgreSQL. */
  stop(): Promise<void>;
}

interface ServerProcess {
  child: ChildProcess;
  /** Set when we stop or kill it, so its exit is not reported as a crash. */
  stopRequested?: boolean;
  exit: Promise<string>;
  exited(): string | undefined;
}

function spawnServer(binaries: ServerBinaries, configDir: string, logFile: string): ServerProcess {
  // The child appends to the log file itself: its output survives us and never blocks on a pipe.
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(binaries.server, ['--root', configDir, '--config', '.', '--env', SERVER_ENV, '--allow-no-auth', 'start'], {
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  let ended: string | undefined;
  const exit = new Promise<string>((resolvePromise) => {
    child.once('exit', (code, signal) => resolvePromise((ended = signal ? `signal ${signal}` : `code ${code}`)));
    child.once('error', (err) => resolvePromise((ended = `could not start: ${err.message}`)));
  });
  return { child, exit, exited: () => ended };
}

/**
 * Stops a server an earlier, killed, start left behind (its pid file names it, its command line must be our
 * binary's, so a recycled pid is never hit): otherwise it would hold the ports and the shards.
 */
async function stopLeftoverServer(pidFile: string, binary: string, log: (line: string) => void) {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  const commandLine = readFileSyncSafe(`/proc/${pid}/cmdline`);
  if (pid > 0 && commandLine.startsWith(binary)) {
    log(`A Temporal server from an earlier start is still running (pid ${pid}); stopping it`);
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && readFileSyncSafe(`/proc/${pid}/cmdline`); i++) await sleep(100);
  }
  rmSync(pidFile, { force: true });
}

function readFileSyncSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** A JSON log line as `level: msg: error`: the server's stack traces would bury the reason. */
function withoutStackTrace(line: string): string {
  try {
    const entry = JSON.parse(line) as { level?: string; msg?: string; error?: string };
    return [entry.level, entry.msg, entry.error].filter(Boolean).join(': ');
  } catch {
    return line;
  }
}

function logTail(logFile: string): string {
  try {
    const lines = readFileSync(logFile, 'utf8').split('\n').filter(Boolean).slice(-LOG_TAIL_LINES).map(withoutStackTrace);
    return lines.length ? `\nLast server output (${logFile}):\n${lines.join('\n')}` : '';
  } catch {
    return '';
  }
}

/** gRPC's ALREADY_EXISTS: the namespace was registered by an earlier start. */
const GRPC_ALREADY_EXISTS = 6;
const isAlreadyExists = (err: unknown) => (err as { code?: unknown } | null)?.code === GRPC_ALREADY_EXISTS;

/**
 * Registers the namespace and Overture's search attributes if they are missing, as docker-compose.yml's
 * temporal-setup job does, then checks that a visibility query using them is accepted.
 */
async function ensureNamespace(connection: Connection, namespace: string) {
  const deadline = () => new Date(Date.now() + 5_000);
  try {
    await connection.withDeadline(deadline(), () =>
      connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(RETENTION) }),
    );
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  const listed = await connection.withDeadline(deadline(), () => connection.operatorService.listSearchAttributes({ namespace }));
  const missing = SEARCH_ATTRIBUTE_DEFINITIONS.filter((sa) => !(sa.name in (listed.customAttributes ?? {})));
  if (missing.length) {
    const types = temporal.api.enums.v1.IndexedValueType;
    const typeOf = (name: string) => types[`INDEXED_VALUE_TYPE_${name.toUpperCase()}` as keyof typeof types] as number;
    await connection.withDeadline(deadline(), () =>
      connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((sa) => [sa.name, typeOf(sa.type)])),
      }),
    );
  }
  // The namespace cache of the frontend refreshes on its own clock: this answers only once starts would succeed.
  await connection.withDeadline(deadline(), () =>
    connection.workflowService.countWorkflowExecutions({
      namespace,
      query: `${SEARCH_ATTRIBUTE_DEFINITIONS[0]!.name} = 'readiness-check'`,
    }),
  );
}

async function waitUntilServing(address: string, namespace: string, server: ServerProcess, logFile: string, timeoutMs: number) {
  const started = Date.now();
  let lastError = 'no answer yet';
  while (!server.exited()) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`Temporal server on ${address} not ready after ${timeoutMs} ms (${lastError}).${logTail(logFile)}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await ensureNamespace(connection, namespace);
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
      await Promise.race([sleep(500), server.exit]);
    }
  }
  throw new Error(`Temporal server exited (${server.exited()}) before becoming ready.${logTail(logFile)}`);
}

async function stopServer(server: ServerProcess, signal: NodeJS.Signals = 'SIGTERM') {
  server.stopRequested = true;
  if (server.exited()) return;
  server.child.kill(signal);
  const grace = new AbortController();
  const outcome = await Promise.race([
    server.exit.then(() => 'exited' as const),
    sleep(STOP_GRACE_MS, 'timeout' as const, { signal: grace.signal }).catch(() => 'exited' as const),
  ]);
  grace.abort();
  if (outcome === 'timeout' && !server.exited()) {
    server.child.kill('SIGKILL');
    await server.exit;
  }
}

/** A frontend port whose neighbours (the other services' ports, see serverPorts) and a PostgreSQL port are all free. */
export async function findFreeClusterPorts(): Promise<{ frontendPort: number; pgPort: number }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below MAX_SERVER_PORT (the schema's smallint), above the usual service ports.
    const frontendPort = 20_000 + Math.floor(Math.random() * (MAX_SERVER_PORT - 20_000 - 30));
    const pgPort = frontendPort + 20;
    const all = [...Object.values(serverPorts(frontendPort)), pgPort];
    if (!(await Promise.all(all.map((port) => isPortInUse(port)))).some(Boolean)) return { frontendPort, pgPort };
  }
  throw new Error('found no free range of ports for a Temporal cluster in 50 tries');
}

/** Provisions (if needed) and starts PostgreSQL and the Temporal server; resolves once the namespace is served. */
export async function startNativeCluster(opts: NativeClusterOptions): Promise<NativeCluster> {
  const { frontendPort = 7233, pgPort = 5433, namespace = 'default', env = process.env, log = () => {}, readyTimeoutMs = 120_000 } = opts;
  const clusterDir = join(resolve(opts.dataDir), 'cluster');
  const configDir = join(clusterDir, 'config');
  const logDir = join(clusterDir, 'logs');
  const ports = serverPorts(frontendPort);
  const address = `${HOST}:${frontendPort}`;

  const binaries = await provisionServerBinaries({ env, log });
  const pidFile = join(clusterDir, 'temporal-server.pid');
  await stopLeftoverServer(pidFile, binaries.server, log);
  // Fail fast with the port's name instead of a readiness timeout behind a server that cannot bind; a leftover
  // server just killed may hold its ports for a moment longer.
  for (const [name, port] of Object.entries(ports)) {
    for (let waited = 0; await isPortInUse(port); waited += 200) {
      if (waited >= PORT_RELEASE_MS)
        throw new Error(
          `Port ${port} (${name}) on ${HOST} is already in use: another Temporal server running? Choose another frontend port.`,
        );
      await sleep(200);
    }
  }
  mkdirSync(logDir, { recursive: true });
  const pg: PrivatePostgres = await startPrivatePostgres({
    dataDir: join(clusterDir, 'pg'),
    port: pgPort,
    logFile: join(logDir, 'postgres.log'),
    log,
  });
  let server: ServerProcess | undefined;
  try {
    await applySchema(binaries, pg, log);
    const configFile = writeServerConfig(configDir, ports, pg);
    const serverLog = join(logDir, 'temporal-server.log');

    const startServer = async () => {
      log(`Starting Temporal server ${address} (config ${configFile}, log ${serverLog})`);
      const started = Date.now();
      const current = spawnServer(binaries, configDir, serverLog);
      server = current;
      if (current.child.pid) writeFileSync(pidFile, `${current.child.pid}\n`);
      try {
        await waitUntilServing(address, namespace, current, serverLog, readyTimeoutMs);
      } catch (err) {
        await stopServer(current);
        throw err;
      }
      // Watched from readiness on: an exit during start-up is already reported by the error above.
      void current.exit.then((how) => {
        if (!current.stopRequested) opts.onServerExit?.(how);
      });
      log(`Temporal server ready on ${address} after ${Date.now() - started} ms (pid ${server.child.pid})`);
    };
    await startServer();

    let stopping: Promise<void> | undefined;
    return {
      address,
      namespace,
      pgUrl: pg.url,
      ports,
      configFile,
      logDir,
      binaries,
      get serverPid() {
        return server?.child.pid ?? -1;
      },
      async killServer(signal: NodeJS.Signals = 'SIGKILL') {
        if (server) await stopServer(server, signal);
      },
      async restartServer() {
        if (server) await stopServer(server);
        await startServer();
      },
      stop: () =>
        (stopping ??= (async () => {
          if (server) await stopServer(server);
          await pg.stop();
        })()),
    };
  } catch (err) {
    if (server) await stopServer(server);
    await pg.stop();
    throw err;
  }
}
