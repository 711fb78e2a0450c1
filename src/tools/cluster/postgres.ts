/**
 * A private PostgreSQL for the native cluster: its own data directory, listening on loopback TCP only, with the
 * `temporal` role and password docker-compose.yml uses. Debian's PostgreSQL 15 binaries (initdb, pg_ctl) run it.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { isPortInUse } from '../dev-stack/temporal-server';

const HOST = '127.0.0.1';
// PostgreSQL refuses to run as root; the distribution's `postgres` account owns the cluster instead.
const SERVICE_ACCOUNT = 'postgres';
const DEBIAN_PG_ROOT = '/usr/lib/postgresql';
/** The role and password Temporal connects with: docker-compose.yml's POSTGRES_USER and POSTGRES_PWD. */
export const DEFAULT_PG_USER = 'temporal';
export const DEFAULT_PG_PASSWORD = 'temporal';

export interface PrivatePostgresOptions {
  /** The cluster's data directory (created by initdb if it has no PG_VERSION yet). */
  dataDir: string;
  port: number;
  logFile: string;
  user?: string;
  password?: string;
  /** PostgreSQL's synchronous_commit: `off` (default, see below) or `on` to survive power cuts too. */
  synchronousCommit?: 'on' | 'off';
  log?: (line: string) => void;
}

/** A running private PostgreSQL; stop() shuts it down (fast mode: running transactions are rolled back). */
export interface PrivatePostgres {
  host: string;
  port: number;
  user: string;
  password: string;
  /** postgresql://user:password@127.0.0.1:port/postgres */
  url: string;
  stop(): Promise<void>;
}

interface Ran {
  code: number | null;
  output: string;
}

/**
 * Where PostgreSQL's server programs are: PG_BIN_DIR, else PATH, else Debian's and Ubuntu's versioned directory
 * (their packages put only the client programs on PATH), newest version first.
 */
export function postgresProgram(name: 'initdb' | 'pg_ctl', env: NodeJS.ProcessEnv = process.env): string {
  if (env.PG_BIN_DIR) return join(env.PG_BIN_DIR, name);
  for (const dir of (env.PATH ?? '').split(delimiter)) if (dir && existsSync(join(dir, name))) return join(dir, name);
  const versions = existsSync(DEBIAN_PG_ROOT)
    ? readdirSync(DEBIAN_PG_ROOT)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const found = versions.map((v) => join(DEBIAN_PG_ROOT, v, 'bin', name)).find((file) => existsSync(file));
  if (!found)
    throw new Error(
      `PostgreSQL's ${name} was not found on PATH nor in ${DEBIAN_PG_ROOT}/*/bin: install PostgreSQL (apt-get install postgresql) or set PG_BIN_DIR.`,
    );
  return found;
}

function run(command: 'initdb' | 'pg_ctl', args: string[], asServiceAccount: boolean): Promise<Ran> {
  const program = postgresProgram(command);
  const [file, argv] = asServiceAccount ? ['runuser', ['-u', SERVICE_ACCOUNT, '--', program, ...args]] : [program, args];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (err) => reject(new Error(`could not run ${command}: ${err.message} (are PostgreSQL's initdb and pg_ctl on PATH?)`)));
    child.on('close', (code) => resolvePromise({ code, output: output.trim() }));
  });
}

async function mustRun(what: string, command: 'initdb' | 'pg_ctl', args: string[], asServiceAccount: boolean): Promise<string> {
  const ran = await run(command, args, asServiceAccount);
  if (ran.code !== 0) throw new Error(`${what} failed (${command} exited with code ${ran.code}):\n${ran.output}`);
  return ran.output;
}

/** Gives a directory we created to the service account when we are root, so PostgreSQL can write it. */
function prepareDir(dir: string, asServiceAccount: boolean, mode: number) {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, mode);
  if (!asServiceAccount) return;
  const { uid, gid } = serviceAccountIds();
  chownSync(dir, uid, gid);
}

function serviceAccountIds(): { uid: number; gid: number } {
  // node has no getpwnam; /etc/passwd is the portable source on the Linux machines this runs on as root.
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${SERVICE_ACCOUNT}:`));
  if (!line)
    throw new Error(`running as root, but there is no \`${SERVICE_ACCOUNT}\` account to run PostgreSQL as (PostgreSQL refuses root)`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Every ancestor must be searchable by the service account, or PostgreSQL cannot reach its data directory. */
function checkReachable(dir: string) {
  for (let d = dirname(resolve(dir)); d !== dirname(d); d = dirname(d)) {
    const { mode } = statSync(d);
    if ((mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as \`${SERVICE_ACCOUNT}\` here (we are root) and cannot enter ${d} (mode ${(mode & 0o777).toString(8)}); use a data directory under a world-searchable path, or chmod o+x ${d}.`,
      );
    }
  }
}

/** Initialises (once) and starts the private PostgreSQL, restarting one left running by an earlier, killed, start. */
export async function startPrivatePostgres(opts: PrivatePostgresOptions): Promise<PrivatePostgres> {
  const { port, logFile, user = DEFAULT_PG_USER, password = DEFAULT_PG_PASSWORD, log = () => {} } = opts;
  const dataDir = resolve(opts.dataDir);
  const asServiceAccount = process.getuid?.() === 0;
  if (asServiceAccount) checkReachable(dataDir);

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log(`Creating a PostgreSQL cluster in ${dataDir}`);
    prepareDir(dataDir, asServiceAccount, 0o700);
    // initdb reads the superuser's password from a file; it lives only for the call, beside (not in) the data dir.
    const pwFile = join(dirname(dataDir), '.initdb-password');
    writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
    if (asServiceAccount) chownSync(pwFile, serviceAccountIds().uid, serviceAccountIds().gid);
    try {
      await mustRun(
        'initdb',
        'initdb',
        ['-D', dataDir, '-U', user, `--pwfile=${pwFile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C'],
        asServiceAccount,
      );
    } finally {
      rmSync(pwFile, { force: true });
    }
  }
  prepareDir(dirname(logFile), asServiceAccount, 0o755);

  const stop = async () => {
    await run('pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60'], asServiceAccount);
  };
  if ((await run('pg_ctl', ['status', '-D', dataDir], asServiceAccount)).code === 0) {
    // Left running by an earlier start that was killed: restarted, since it may listen on another port than asked.
    log(`PostgreSQL was still running from an earlier start (${dataDir}); restarting it`);
    await stop();
  }
  if (await isPortInUse(port)) throw new Error(`Port ${port} on ${HOST} is already in use: choose another PostgreSQL port (--pg-port).`);
  log(`Starting PostgreSQL on ${HOST}:${port} (log ${logFile})`);
  // Loopback TCP only, no Unix socket: nothing outside this machine can reach it, and no socket path to collide on.
  // synchronous_commit=off, as the dev server's SQLite runs with synchronous=normal: a crash of any process (the
  // server, PostgreSQL) loses nothing, only an OS crash or power cut can lose the last fraction of a second of commits.
  const serverOptions = `-c listen_addresses=${HOST} -p ${port} -c unix_socket_directories='' -c max_connections=200 -c synchronous_commit=${opts.synchronousCommit ?? 'off'}`;
  try {
    await mustRun(
      'pg_ctl start',
      'pg_ctl',
      ['start', '-D', dataDir, '-w', '-t', '60', '-l', logFile, '-o', serverOptions],
      asServiceAccount,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\nSee ${logFile}`);
  }
  const url = `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${HOST}:${port}/postgres`;
  return { host: HOST, port, user, password, url, stop };
}
