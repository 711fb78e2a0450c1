/**
 * Creates Temporal's two databases on the private PostgreSQL and brings their schema to the server's version,
 * with the server's own SQL tool: safe to run on every start (each step skips what is already there).
 */
import { spawn } from 'node:child_process';
import type { PrivatePostgres } from './postgres';
import type { ServerBinaries } from './server-binaries';

/** The history database and the visibility database, the server's default names (docker-compose.yml's temporal-schema makes the same). */
export const TEMPORAL_DATABASES = ['temporal', 'temporal_visibility'] as const;

function sqlTool(
  binaries: ServerBinaries,
  pg: PrivatePostgres,
  database: string,
  command: string[],
): Promise<{ code: number | null; output: string }> {
  const args = ['--plugin', 'postgres12', '--ep', pg.host, '-p', String(pg.port), '-u', pg.user, '--db', database, ...command];
  // The password goes through the environment (SQL_PASSWORD), not argv, so `ps` does not show it.
  const child = spawn(binaries.sqlTool, args, { env: { ...process.env, SQL_PASSWORD: pg.password }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', (err) => reject(new Error(`could not run ${binaries.sqlTool}: ${err.message}`)));
    child.on('close', (code) => resolve({ code, output: output.trim() }));
  });
}

async function mustSucceed(binaries: ServerBinaries, pg: PrivatePostgres, database: string, command: string[], tolerate?: RegExp) {
  const ran = await sqlTool(binaries, pg, database, command);
  if (ran.code === 0 || tolerate?.test(ran.output)) return;
  throw new Error(
    `temporal-sql-tool ${command[0]} on database ${database} failed (code ${ran.code}):\n${ran.output.split('\n').slice(-20).join('\n')}`,
  );
}

/** Creates both databases if missing and applies every versioned schema step not applied yet. */
export async function applySchema(binaries: ServerBinaries, pg: PrivatePostgres, log: (line: string) => void = () => {}) {
  for (const database of TEMPORAL_DATABASES) {
    const versioned = database === 'temporal' ? binaries.historySchemaDir : binaries.visibilitySchemaDir;
    log(`Schema of database ${database}: create if missing, then update to the server's version`);
    await mustSucceed(binaries, pg, database, ['create-database'], /already exists/);
    // setup-schema -v 0.0 only creates the version tables (and skips when the schema is already newer).
    await mustSucceed(binaries, pg, database, ['setup-schema', '-v', '0.0']);
    await mustSucceed(binaries, pg, database, ['update-schema', '-d', versioned]);
  }
}
