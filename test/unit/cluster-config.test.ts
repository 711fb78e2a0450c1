/** The native cluster's server config: upstream's port layout, the smallint limit on ports, the file the server reads. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  DYNAMIC_CONFIG_FILE,
  NUM_HISTORY_SHARDS,
  SERVER_ENV,
  type serverConfig,
  serverPorts,
  writeServerConfig,
} from '../../src/tools/cluster/server-config';

it('lays the ports out around the frontend as upstream does around 7233', () => {
  expect(serverPorts(7233)).toEqual({
    frontend: 7233,
    history: 7234,
    matching: 7235,
    worker: 7239,
    frontendHttp: 7243,
    frontendMembership: 6933,
    historyMembership: 6934,
    matchingMembership: 6935,
    workerMembership: 6939,
  });
});

it('refuses ports the SQL schema cannot store (smallint) or below 1024, saying which frontend ports work', () => {
  expect(() => serverPorts(36_071)).toThrow(/within 1024–32767 \(the SQL schema stores them as smallint\).*within 1324–32757/);
  expect(() => serverPorts(1200)).toThrow(/ports at 900–1210/);
  expect(() => serverPorts(32_757)).not.toThrow();
  expect(() => serverPorts(32_758)).toThrow(/smallint/);
});

it('writes the config file the server loads for its --env: PostgreSQL stores, shards, ports, the shared dynamic config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'overture-cluster-config-'));
  try {
    const file = writeServerConfig(dir, serverPorts(21_000), { host: '127.0.0.1', port: 21_020, user: 'temporal', password: 'secret' });
    expect(file).toBe(join(dir, `${SERVER_ENV}.yaml`));
    const config = parse(readFileSync(file, 'utf8')) as ReturnType<typeof serverConfig>;
    expect(config.persistence.numHistoryShards).toBe(NUM_HISTORY_SHARDS);
    expect(config.persistence.datastores['postgres-default'].sql).toMatchObject({
      pluginName: 'postgres12',
      databaseName: 'temporal',
      connectAddr: '127.0.0.1:21020',
      password: 'secret',
    });
    expect(config.persistence.datastores['postgres-visibility'].sql.databaseName).toBe('temporal_visibility');
    expect(Object.fromEntries(Object.entries(config.services).map(([name, s]) => [name, s.rpc.grpcPort]))).toEqual({
      frontend: 21_000,
      history: 21_001,
      matching: 21_002,
      worker: 21_006,
    });
    expect(config.services.frontend.rpc).toMatchObject({ bindOnLocalHost: true, membershipPort: 20_700, httpPort: 21_010 });
    expect(config.dynamicConfigClient.filepath).toBe(DYNAMIC_CONFIG_FILE);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
