/**
 * The native cluster's server configuration: the module's `config/development-postgres12.yaml` with our ports,
 * database and shard count, all four services in one process. Written as JSON, which YAML parsers read as YAML.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * History shards of the native cluster and of docker-compose.yml (NUM_HISTORY_SHARDS): fixed for the life of a
 * database, so changing it means a new database. Four, as upstream's development config, spreads the history
 * service's work over several shard owners, which is what a multi-host cluster does with more.
 */
export const NUM_HISTORY_SHARDS = 4;

/** The environment name the server loads (`--env`): it reads `<config dir>/<env>.yaml`. */
export const SERVER_ENV = 'native-cluster';

/** The ports the server binds, by what binds them. */
export type ServerPorts = Record<
  | 'frontend'
  | 'frontendHttp'
  | 'history'
  | 'matching'
  | 'worker'
  | 'frontendMembership'
  | 'historyMembership'
  | 'matchingMembership'
  | 'workerMembership',
  number
>;

/**
 * The highest port the server can use: Temporal's SQL schema keeps each member's port in a `smallint` column
 * (cluster_membership.rpc_port), and a server on a higher port dies at start with "out of range for type smallint".
 */
export const MAX_SERVER_PORT = 32_767;

/** The ports the server binds, laid out around the frontend's as upstream does around 7233; throws if one is unusable. */
export function serverPorts(frontend: number): ServerPorts {
  const ports = layOut(frontend);
  const [low, high] = [Math.min(...Object.values(ports)), Math.max(...Object.values(ports))];
  if (!Number.isInteger(frontend) || low < 1024 || high > MAX_SERVER_PORT) {
    throw new Error(
      `frontend port ${frontend} puts the server's ports at ${low}–${high}; they must lie within 1024–${MAX_SERVER_PORT} (the SQL schema stores them as smallint), so choose a frontend port within ${1024 + 300}–${MAX_SERVER_PORT - 10}.`,
    );
  }
  return ports;
}

function layOut(frontend: number): ServerPorts {
  return {
    frontend,
    history: frontend + 1,
    matching: frontend + 2,
    worker: frontend + 6,
    frontendHttp: frontend + 10,
    frontendMembership: frontend - 300,
    historyMembership: frontend - 299,
    matchingMembership: frontend - 298,
    workerMembership: frontend - 294,
  };
}

export interface ServerDatabase {
  host: string;
  port: number;
  user: string;
  password: string;
}

/**
 * The dynamic configuration file, shared with docker-compose.yml (mounted there): the settings Overture relies on
 * and the one-machine tuning of the dev server, so the three servers are compared like for like.
 */
export const DYNAMIC_CONFIG_FILE = join(__dirname, '..', '..', '..', 'deploy', 'temporal', 'dynamicconfig.yaml');

function datastore(db: ServerDatabase, databaseName: string, maxConns: number) {
  return {
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${db.host}:${db.port}`,
      connectProtocol: 'tcp',
      user: db.user,
      password: db.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  };
}

/** The server's static config, as upstream's development-postgres12.yaml with our ports and database. */
export function serverConfig(ports: ServerPorts, db: ServerDatabase, dynamicConfigFile: string) {
  const service = (grpcPort: number, membershipPort: number, extra: Record<string, unknown> = {}) => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra },
  });
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: NUM_HISTORY_SHARDS,
      datastores: {
        'postgres-default': datastore(db, 'temporal', 20),
        'postgres-visibility': datastore(db, 'temporal_visibility', 10),
      },
    },
    // No pprof and no Prometheus listener: fixed ports that would collide between two clusters on one machine.
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' }, pprof: { port: 0 } },
    services: {
      frontend: service(ports.frontend, ports.frontendMembership, { httpPort: ports.frontendHttp }),
      history: service(ports.history, ports.historyMembership),
      matching: service(ports.matching, ports.matchingMembership),
      worker: service(ports.worker, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${ports.frontend}` },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '10s' },
  };
}

/** Writes `<configDir>/<SERVER_ENV>.yaml`, pointing at the shared dynamic config; returns the file's path. */
export function writeServerConfig(configDir: string, ports: ServerPorts, db: ServerDatabase, dynamicFile = DYNAMIC_CONFIG_FILE): string {
  mkdirSync(configDir, { recursive: true });
  const configFile = join(configDir, `${SERVER_ENV}.yaml`);
  // Generated on every start from the options: the file documents what runs, editing it has no lasting effect.
  const header = '# Written by `npm run cluster` (src/tools/cluster/server-config.ts) on every start; edit the options, not this file.\n';
  writeFileSync(configFile, `${header}${JSON.stringify(serverConfig(ports, db, dynamicFile), null, 2)}\n`, { mode: 0o600 });
  return configFile;
}
