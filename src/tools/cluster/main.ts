/**
 * `npm run cluster`: a real Temporal cluster (full server on PostgreSQL, 4 history shards) on this machine,
 * in the foreground until Ctrl-C. Options: --port (frontend, default 7233), --pg-port (default 5433),
 * --data-dir (default OVERTURE_DATA_DIR or .data), --namespace (default TEMPORAL_NAMESPACE or default).
 */
import { parseArgs } from 'node:util';
import { TEMPORAL_SERVER_VERSION } from './server-binaries';
import { NUM_HISTORY_SHARDS } from './server-config';
import { startNativeCluster, type NativeCluster } from './native-cluster';
import { redactUrl } from '../../config/redact-url';

function portOption(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1024 || port > 65_000)
    throw new Error(`${flag} must be a port number between 1024 and 65000, got "${value}"`);
  return port;
}

async function main() {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, 'pg-port': { type: 'string' }, 'data-dir': { type: 'string' }, namespace: { type: 'string' } },
  });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  let stopping = false;
  const cluster: NativeCluster = await startNativeCluster({
    dataDir: values['data-dir'] ?? process.env.OVERTURE_DATA_DIR ?? '.data',
    // serverPorts checks the frontend port further: every service port must fit the schema's smallint.
    frontendPort: portOption(values.port, 7233, '--port'),
    pgPort: portOption(values['pg-port'], 5433, '--pg-port'),
    namespace: values.namespace ?? process.env.TEMPORAL_NAMESPACE ?? 'default',
    log,
    // A crashed server must not leave this script (and PostgreSQL) running as if all were well.
    onServerExit: (how) => {
      log(`The Temporal server exited on its own (${how}); see its log in ${cluster.logDir}. Stopping PostgreSQL.`);
      process.exitCode = 1;
      stop('server exit');
    },
  });
  const { ports } = cluster;
  log('');
  log(
    `Temporal cluster is up: server ${TEMPORAL_SERVER_VERSION} (${NUM_HISTORY_SHARDS} history shards, from ${cluster.binaries.dir}) on PostgreSQL.`,
  );
  log(
    `  Temporal frontend  ${cluster.address}  (namespace ${cluster.namespace}; history ${ports.history}, matching ${ports.matching}, worker ${ports.worker})`,
  );
  log(`  PostgreSQL         ${redactUrl(cluster.pgUrl)}  (databases temporal, temporal_visibility)`);
  log(`  Server config      ${cluster.configFile}`);
  log(`  Logs               ${cluster.logDir}`);
  log('');
  log(`Point workers and the CLI at it:  TEMPORAL_ADDRESS=${cluster.address} npm run worker`);
  log('Ctrl-C stops the server and PostgreSQL; the data stays for the next start.');

  function stop(signal: string) {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping the Temporal server and PostgreSQL...`);
    cluster.stop().then(
      () => log('Stopped.'),
      (err: unknown) => {
        log(`Stopping failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exitCode = 1;
      },
    );
  }
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
