/**
 * Connections to the PostgreSQL that several hosts share (LEDGER_URL, DIRECTORY_URL): pools whose sessions ask the
 * server for TCP keepalives, so that PostgreSQL notices a vanished host (and ends its sessions, releasing what they
 * hold) within about a minute, and errors that name the database without its password.
 */
import pg from 'pg';
import { redactUrl, redactUrlsIn } from '../../config/redact-url';

// Server-side keepalives of each session (20 s idle, then 4 probes 10 s apart: ~60 s): a host that vanished
// without closing its connections (power cut, network gone) is noticed, and its session's advisory locks released.
const SERVER_KEEPALIVES = '-c tcp_keepalives_idle=20 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=4';

/** The node-postgres settings of one connection to `url`; the URL's own `options` parameter, if any, wins. */
export function connectionConfig(url: string, applicationName: string): pg.ClientConfig {
  return {
    connectionString: url,
    options: SERVER_KEEPALIVES,
    application_name: applicationName,
    // Client-side keepalives too: this host notices a vanished server instead of waiting on a dead socket.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    connectionTimeoutMillis: 30_000,
  };
}

/** A pool of at most `max` connections; an idle connection's failure (a restarted server) is dropped, not fatal. */
export function openPool(url: string, applicationName: string, max: number): pg.Pool {
  const pool = new pg.Pool({ ...connectionConfig(url, applicationName), max, idleTimeoutMillis: 30_000 });
  // Without a listener an idle client's 'error' event would crash the worker; the pool discards that client and
  // the next query connects afresh.
  pool.on('error', () => {});
  return pool;
}

/** How long closing waits for connections still in use (a send that hangs) before the process goes on without them. */
const END_GRACE_MS = 5_000;

/** Ends a pool once its connections in use are back, or after a grace period: a hung send must not stall a shutdown. */
export async function endPool(pool: pg.Pool): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, END_GRACE_MS);
    timer.unref();
  });
  // A connection still in use when the process exits is closed by the kernel, which ends its session and locks.
  await Promise.race([pool.end().catch(() => {}), grace]);
  clearTimeout(timer);
}

/** PostgreSQL's error code of a failure (e.g. 3D000: no such database), when it has one. */
export function pgErrorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A failure to reach or use the database at `url`, saying which (credentials redacted) and what to check. */
export function databaseError(what: string, url: string, err: unknown): Error {
  const reason = redactUrlsIn(err instanceof Error ? err.message : String(err));
  return new Error(`${what} at ${redactUrl(url)} failed: ${reason}`, { cause: err });
}

/** The database a URL names (its path, decoded). */
export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

/**
 * Creates the URL's database when it does not exist yet (connecting to the server's `postgres` database with the
 * same credentials); true when it created it. Several hosts starting at once may race: the loser finds it made.
 */
export async function ensureDatabase(url: string, log: (line: string) => void = () => {}): Promise<boolean> {
  const probe = new pg.Client(connectionConfig(url, 'overture-migrate'));
  probe.on('error', () => {});
  try {
    await probe.connect();
  } catch (err) {
    // A refused connection is closed by the server (FATAL): nothing to end.
    if (pgErrorCode(err) !== '3D000') throw databaseError('connecting to the database', url, err);
    return createDatabase(url, log);
  }
  await probe.end().catch(() => {});
  return false;
}

async function createDatabase(url: string, log: (line: string) => void): Promise<boolean> {
  const name = databaseName(url);
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const admin = new pg.Client(connectionConfig(maintenance.toString(), 'overture-migrate'));
  admin.on('error', () => {});
  try {
    await admin.connect();
  } catch (err) {
    throw databaseError(
      `creating the missing database ${name} (connecting to the server's postgres database; or create it yourself: CREATE DATABASE ${pg.escapeIdentifier(name)})`,
      url,
      err,
    );
  }
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    log(`Created database ${name} on ${redactUrl(maintenance.toString()).replace(/\/postgres$/, '')}`);
    return true;
  } catch (err) {
    // 42P04: created meanwhile by another host; 23505: the same race seen by the catalog's unique index.
    const code = pgErrorCode(err);
    if (code === '42P04' || code === '23505') return false;
    throw databaseError(
      `creating the missing database ${name} (grant CREATEDB to the URL's user, or create it: CREATE DATABASE ${pg.escapeIdentifier(name)})`,
      url,
      err,
    );
  } finally {
    await admin.end().catch(() => {});
  }
}
