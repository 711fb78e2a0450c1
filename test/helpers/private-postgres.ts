/**
 * A real PostgreSQL for one test file (src/tools/cluster/postgres.ts): its own cluster in a temporary directory, on a
 * free loopback port below 32768, with databases made on demand. Started once per file and shared by its tests.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startPrivatePostgres, type PrivatePostgres } from '../../src/tools/cluster/postgres';
import { isPortInUse } from '../../src/tools/dev-stack/temporal-server';

export interface TestPostgres {
  server: PrivatePostgres;
  /** The URL of a database on this server (which need not exist yet). */
  urlFor(database: string): string;
  /** Creates a database and returns its URL. */
  createDatabase(database: string): Promise<string>;
  /** Runs one query on a database (a fresh connection each time). */
  query<R extends pg.QueryResultRow>(database: string, sql: string, params?: unknown[]): Promise<R[]>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!(await isPortInUse(port))) return port;
  }
  throw new Error('found no free port for PostgreSQL in 50 tries');
}

/** Starts a private PostgreSQL in a fresh temporary directory (mode 0755: PostgreSQL runs as `postgres` under root). */
export async function startTestPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'overture-pg-'));
  chmodSync(dir, 0o755);
  const server = await startPrivatePostgres({
    dataDir: path.join(dir, 'data'),
    port: await freePort(),
    logFile: path.join(dir, 'logs', 'postgres.log'),
  });
  const urlFor = (database: string) => {
    const url = new URL(server.url);
    url.pathname = `/${encodeURIComponent(database)}`;
    return url.toString();
  };
  const query = async <R extends pg.QueryResultRow>(database: string, sql: string, params: unknown[] = []): Promise<R[]> => {
    const client = new pg.Client({ connectionString: urlFor(database) });
    await client.connect();
    try {
      return (await client.query<R>(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    server,
    urlFor,
    query,
    async createDatabase(database) {
      await query('postgres', `CREATE DATABASE ${pg.escapeIdentifier(database)}`);
      return urlFor(database);
    },
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
