/**
 * docker-compose.yml hangs together: services, volumes, ports and addresses refer to each other correctly,
 * the setup job registers exactly the search attributes the workflows use, and the worker image runs the worker.
 * No Docker engine is needed; if the `docker compose` plugin is present, the file is also validated by it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../workflows/kit/search-attributes';
import { ONE_MACHINE_DYNAMIC_CONFIG } from '../../src/tools/dev-stack/temporal-server';
import { DEFAULT_PG_PASSWORD, DEFAULT_PG_USER } from '../../src/tools/cluster/postgres';
import { TEMPORAL_DATABASES } from '../../src/tools/cluster/schema';
import { TEMPORAL_SERVER_VERSION } from '../../src/tools/cluster/server-binaries';
import { DYNAMIC_CONFIG_FILE, NUM_HISTORY_SHARDS, serverConfig, serverPorts } from '../../src/tools/cluster/server-config';

const ROOT = path.resolve(__dirname, '../..');
const COMPOSE_PATH = path.join(ROOT, 'docker-compose.yml');

type Dict = Record<string, unknown>;

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  depends_on?: string[] | Record<string, { condition?: string }>;
  environment?: string[] | Record<string, string | number | boolean | null>;
  ports?: Array<string | number | { target?: number | string; published?: number | string; protocol?: string; host_ip?: string }>;
  expose?: Array<string | number>;
  volumes?: Array<string | { type?: string; source?: string; target?: string }>;
  command?: string | string[];
  entrypoint?: string | string[];
  healthcheck?: { test?: string | string[] };
  extra_hosts?: string[] | Record<string, string>;
}

interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

function loadCompose(): ComposeFile {
  const doc: unknown = parse(fs.readFileSync(COMPOSE_PATH, 'utf8'));
  if (!isDict(doc) || !isDict(doc.services)) throw new Error('docker-compose.yml has no top-level `services` map');
  return doc as unknown as ComposeFile;
}

function service(compose: ComposeFile, name: string): Service {
  const s = compose.services[name];
  if (!s) throw new Error(`service "${name}" is not defined`);
  return s;
}

function dependsOn(s: Service): Record<string, string> {
  const deps = s.depends_on;
  if (!deps) return {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([d, v]) => [d, v?.condition ?? 'service_started']));
}

/** Stands in for an escaped `$$` while variables are resolved. */
const ESCAPED_DOLLAR = '<<escaped-dollar>>';

/** Resolves compose interpolation as it would be with none of the variables set: `${X:-d}` / `${X-d}` give d. */
function interpolate(value: string): string {
  return value
    .replace(/\$\$/g, ESCAPED_DOLLAR)
    .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (_m, _name: string, fallback?: string) => fallback ?? '')
    .replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, '')
    .split(ESCAPED_DOLLAR)
    .join('$');
}

function environment(s: Service): Record<string, string> {
  const env = s.environment;
  if (!env) return {};
  const entries: Array<[string, string]> = Array.isArray(env)
    ? env.map((line) => {
        const eq = line.indexOf('=');
        return eq < 0 ? [line, ''] : [line.slice(0, eq), line.slice(eq + 1)];
      })
    : Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]);
  return Object.fromEntries(entries.map(([k, v]) => [k, interpolate(v)]));
}

interface PortMapping {
  hostIp?: string;
  hostPort?: number;
  containerPort: number;
  protocol: string;
}

function portMappings(s: Service): PortMapping[] {
  return (s.ports ?? []).map((p) => {
    if (isDict(p)) {
      const target = Number(p.target);
      if (!Number.isInteger(target)) throw new Error(`port without a numeric target: ${JSON.stringify(p)}`);
      return {
        hostIp: p.host_ip,
        hostPort: p.published === undefined ? undefined : Number(p.published),
        containerPort: target,
        protocol: p.protocol ?? 'tcp',
      };
    }
    const text = String(p);
    const m = /^(?:(?:(\[[^\]]+\]|[^:[\]]+):)?(\d+):)?(\d+)(?:\/(tcp|udp|sctp))?$/.exec(text);
    if (!m) throw new Error(`unsupported port syntax (ranges are not used here): "${text}"`);
    return {
      hostIp: m[1],
      hostPort: m[2] === undefined ? undefined : Number(m[2]),
      containerPort: Number(m[3]),
      protocol: m[4] ?? 'tcp',
    };
  });
}

/** Container ports a service is known to listen on: published targets and `expose` entries. */
function listeningPorts(s: Service): Set<number> {
  const ports = new Set(portMappings(s).map((p) => p.containerPort));
  for (const e of s.expose ?? []) ports.add(Number(String(e).split('/')[0]));
  return ports;
}

/** Named volumes a service mounts (bind mounts, which start with `.`, `/` or `~`, are not named volumes). */
function namedVolumes(s: Service): string[] {
  const names: string[] = [];
  for (const v of s.volumes ?? []) {
    if (isDict(v)) {
      if ((v.type ?? 'volume') === 'volume' && v.source) names.push(v.source);
      continue;
    }
    const source = String(v).split(':')[0] ?? '';
    if (String(v).includes(':') && !/^[./~]/.test(source) && !source.includes('$')) names.push(source);
  }
  return names;
}

function volumeTargets(s: Service, volumeName: string): string[] {
  return (s.volumes ?? []).flatMap((v) => {
    if (isDict(v)) return v.source === volumeName && v.target ? [v.target] : [];
    const [source, target] = String(v).split(':');
    return source === volumeName && target ? [target] : [];
  });
}

/** Splits a `host:port` address (no scheme). */
function hostPort(address: string): { host: string; port: number } {
  const m = /^([^:/\s]+):(\d+)$/.exec(address);
  if (!m || m[1] === undefined || m[2] === undefined) throw new Error(`not a host:port address: "${address}"`);
  return { host: m[1], port: Number(m[2]) };
}

function commandText(s: Service): string {
  const cmd = s.command;
  if (cmd === undefined) return '';
  return Array.isArray(cmd) ? cmd.join(' ') : cmd;
}

/** The `--name X --type Y` pairs of every `temporal operator search-attribute create` in a shell script. */
function searchAttributesCreatedBy(script: string): Array<{ name: string; type: string }> {
  const flat = script.replace(/\\\r?\n/g, ' ');
  const creates = flat.split(/temporal\s+operator\s+search-attribute\s+create/).slice(1);
  return creates.flatMap((invocation) => {
    // The invocation ends at the first shell operator or line end.
    const args = invocation.split(/\|\||&&|;|\n/)[0] ?? '';
    return [...args.matchAll(/--name[\s=]+(\S+)\s+--type[\s=]+(\S+)/g)].map((m) => ({ name: m[1] ?? '', type: m[2] ?? '' }));
  });
}

function flagValue(invocation: string, flag: string): string | undefined {
  const m = new RegExp(`${flag}[\\s=]+(\\S+)`).exec(invocation);
  return m?.[1];
}

interface DockerInstruction {
  keyword: string;
  args: string;
}

function dockerInstructions(text: string): DockerInstruction[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  return joined
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const m = /^(\S+)\s*(.*)$/.exec(line);
      return { keyword: (m?.[1] ?? '').toUpperCase(), args: (m?.[2] ?? '').trim() };
    });
}

function execFormOrShell(args: string): string {
  if (args.startsWith('[')) {
    const parts: unknown = JSON.parse(args);
    if (!Array.isArray(parts) || !parts.every((p) => typeof p === 'string')) throw new Error(`bad exec form: ${args}`);
    return parts.join(' ');
  }
  return args;
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

describe('docker-compose.yml', () => {
  const compose = loadCompose();
  const serviceNames = Object.keys(compose.services);

  it('defines the whole stack, each service with a pinned image or a build, and validates with docker compose where available', () => {
    expect(serviceNames.sort()).toEqual(['mailpit', 'postgresql', 'temporal', 'temporal-setup', 'temporal-ui', 'worker']);
    for (const [name, s] of Object.entries(compose.services)) {
      expect({ name, hasImageOrBuild: Boolean(s.image) || Boolean(s.build) }).toEqual({ name, hasImageOrBuild: true });
      if (s.image) {
        const tag = s.image.includes(':') ? s.image.slice(s.image.lastIndexOf(':') + 1) : '';
        expect({ name, tag }).not.toEqual({ name, tag: '' });
        expect({ name, tag }).not.toEqual({ name, tag: 'latest' });
      }
    }
    expect(service(compose, 'temporal').image).toBe('temporalio/auto-setup:1.29.1');
    expect(service(compose, 'temporal-setup').image).toMatch(/^temporalio\/admin-tools:1\.29(\.|$|-)/);
    expect(service(compose, 'temporal-ui').image).toBe('temporalio/ui:2.42.1');
    expect(service(compose, 'postgresql').image).toBe('postgres:16');

    const version = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8', timeout: 30_000 });
    if (version.error || version.status !== 0) {
      console.info('`docker compose` is not available here; skipped `docker compose config -q` (structural checks still ran)');
      return;
    }
    const config = spawnSync('docker', ['compose', '-f', COMPOSE_PATH, 'config', '-q'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect({ status: config.status, stderr: config.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('only depends on services that exist, with the start-up conditions the stack needs', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const dep of Object.keys(dependsOn(s))) {
        expect({ service: name, dependsOn: dep, defined: serviceNames.includes(dep) }).toEqual({
          service: name,
          dependsOn: dep,
          defined: true,
        });
        expect(dep).not.toBe(name);
      }
    }
    expect(dependsOn(service(compose, 'temporal'))).toMatchObject({ postgresql: 'service_healthy' });
    expect(JSON.stringify(service(compose, 'postgresql').healthcheck?.test ?? '')).toContain('pg_isready');
    expect(dependsOn(service(compose, 'temporal-setup'))).toHaveProperty('temporal');
    expect(dependsOn(service(compose, 'worker'))).toMatchObject({
      'temporal-setup': 'service_completed_successfully',
      mailpit: expect.any(String) as unknown,
    });
  });

  it('declares every named volume it uses and uses every volume it declares', () => {
    const declared = Object.keys(compose.volumes ?? {}).sort();
    const used = [...new Set(Object.values(compose.services).flatMap(namedVolumes))].sort();
    expect(used).toEqual(declared);
    expect(declared).toEqual(expect.arrayContaining(['postgres-data', 'overture-data']));
    expect(volumeTargets(service(compose, 'worker'), 'overture-data')).toEqual(['/data']);
  });

  it('publishes each host port once', () => {
    const seen = new Map<string, string>();
    for (const [name, s] of Object.entries(compose.services)) {
      for (const p of portMappings(s)) {
        if (p.hostPort === undefined) continue;
        const key = `${p.hostPort}/${p.protocol}`;
        expect({ port: key, alsoPublishedBy: seen.get(key) }).toEqual({ port: key, alsoPublishedBy: undefined });
        seen.set(key, name);
      }
    }
    expect(seen.get('7233/tcp')).toBe('temporal');
    expect(seen.get('8233/tcp')).toBe('temporal-ui');
    expect(seen.get('8025/tcp')).toBe('mailpit');
  });

  it('points the worker and the UI at the Temporal frontend, and the worker at Mailpit', () => {
    const worker = environment(service(compose, 'worker'));
    const temporalAddress = hostPort(worker.TEMPORAL_ADDRESS ?? '');
    expect(serviceNames).toContain(temporalAddress.host);
    expect(temporalAddress).toEqual({ host: 'temporal', port: 7233 });
    expect([...listeningPorts(service(compose, temporalAddress.host))]).toContain(temporalAddress.port);

    const ui = environment(service(compose, 'temporal-ui'));
    expect(hostPort(ui.TEMPORAL_ADDRESS ?? '')).toEqual(temporalAddress);

    const smtp = new URL(worker.SMTP_URL ?? '');
    expect(smtp.protocol).toBe('smtp:');
    expect(smtp.hostname).toBe('mailpit');
    expect(Number(smtp.port)).toBe(1025);
    const mailpit = service(compose, 'mailpit');
    expect([...listeningPorts(mailpit)]).toContain(1025);
    const smtpBind = environment(mailpit).MP_SMTP_BIND_ADDR;
    if (smtpBind !== undefined) expect(smtpBind).toMatch(/:1025$/);
  });

  it("gives the worker a webhook URL, a namespace, a data volume, and the ledger and directory on the stack's PostgreSQL", () => {
    const worker = service(compose, 'worker');
    const env = environment(worker);
    expect(env.TEMPORAL_NAMESPACE).toBe('default');
    const webhook = new URL(env.NOTIFY_WEBHOOK_URL ?? '');
    expect(webhook.protocol).toMatch(/^https?:$/);
    if (webhook.hostname === 'host.docker.internal') {
      expect(JSON.stringify(worker.extra_hosts ?? [])).toContain('host.docker.internal');
    }
    expect(volumeTargets(worker, 'overture-data')).toContain(env.OVERTURE_DATA_DIR);
    // Shared by every worker replica: PostgreSQL of this stack, with its role, each store in its own database.
    const postgres = environment(service(compose, 'postgresql'));
    const stores = ['LEDGER_URL', 'DIRECTORY_URL', 'SYSTEMS_URL'].map((key) => ({ key, url: new URL(env[key] ?? '') }));
    for (const { key, url } of stores) {
      expect({ key, host: url.hostname, port: url.port, user: url.username, password: url.password }).toEqual({
        key,
        host: 'postgresql',
        port: '5432',
        user: postgres.POSTGRES_USER,
        password: postgres.POSTGRES_PASSWORD,
      });
    }
    expect(new Set(stores.map((s) => s.url.pathname)).size).toBe(3);
    expect(dependsOn(worker).postgresql).toBe('service_healthy');
    // A URL beside the SQLite path of the same store is refused at start-up.
    expect([env.LEDGER_DB_PATH, env.DIRECTORY_DB_PATH]).toEqual([undefined, undefined]);
  });

  it("passes the connection and observability variables through to the worker, and its environment as resolved is one the worker's config accepts", () => {
    const worker = service(compose, 'worker');
    const declared = Object.keys(environment(worker));
    const passThrough = [
      'TEMPORAL_TLS',
      'TEMPORAL_TLS_CA',
      'TEMPORAL_TLS_CERT',
      'TEMPORAL_TLS_KEY',
      'TEMPORAL_TLS_SERVER_NAME',
      'TEMPORAL_API_KEY',
      'METRICS_PORT',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OVERTURE_BUILD_ID',
    ];
    expect(passThrough.filter((name) => !declared.includes(name))).toEqual([]);
    // With none of them set in the shell, the worker starts with TLS and observability off: blank counts as unset.
    const config = loadConfig(environment(worker));
    expect({
      metrics: config.METRICS_PORT,
      traces: config.OTEL_EXPORTER_OTLP_ENDPOINT,
      tls: config.temporalConnection.tls,
      build: config.OVERTURE_BUILD_ID,
    }).toEqual({
      metrics: undefined,
      traces: undefined,
      tls: undefined,
      build: undefined,
    });
    // Metrics, once turned on, must be reachable from the compose network, not only from inside the container.
    expect(environment(worker).METRICS_HOST).toBe('0.0.0.0');
  });

  it('registers exactly the search attributes the workflows use, on the worker namespace, at the Temporal frontend', () => {
    const setup = service(compose, 'temporal-setup');
    const script = commandText(setup);
    const created = searchAttributesCreatedBy(script);
    expect([...created].sort(byName)).toEqual([...SEARCH_ATTRIBUTE_DEFINITIONS].sort(byName));

    const invocation = script.replace(/\\\r?\n/g, ' ').split(/temporal\s+operator\s+search-attribute\s+create/)[1] ?? '';
    expect(flagValue(invocation, '--namespace')).toBe(environment(service(compose, 'worker')).TEMPORAL_NAMESPACE);
    const address = hostPort(flagValue(invocation, '--address') ?? '');
    expect(address).toEqual(hostPort(environment(service(compose, 'worker')).TEMPORAL_ADDRESS ?? ''));

    // Any attribute name the script mentions elsewhere (e.g. in its already-registered check) is a real one.
    const mentioned = new Set(script.match(/\bOverture[A-Za-z]+\b/g) ?? []);
    expect([...mentioned].sort()).toEqual(SEARCH_ATTRIBUTE_DEFINITIONS.map((d) => d.name).sort());
    // It retries until the server answers, and fails (keeping the worker down) if it never does.
    expect(script).toMatch(/\b(while|until|for)\b/);
    expect(script).toMatch(/exit 1/);
  });

  it('runs the Temporal server with the config of `npm run cluster`: version, shards, database, dynamic config', () => {
    const temporal = service(compose, 'temporal');
    const env = environment(temporal);
    expect(temporal.image).toBe(`temporalio/auto-setup:${TEMPORAL_SERVER_VERSION.replace(/^v/, '')}`);
    expect(env.NUM_HISTORY_SHARDS).toBe(String(NUM_HISTORY_SHARDS));
    expect(NUM_HISTORY_SHARDS).toBeGreaterThan(1);

    const native = serverConfig(
      serverPorts(7233),
      { host: '127.0.0.1', port: 5433, user: DEFAULT_PG_USER, password: DEFAULT_PG_PASSWORD },
      DYNAMIC_CONFIG_FILE,
    );
    expect(native.persistence.numHistoryShards).toBe(NUM_HISTORY_SHARDS);
    const stores = Object.values(native.persistence.datastores).map((d) => d.sql);
    expect(stores.map((d) => d.pluginName)).toEqual([env.DB, env.DB]);
    // auto-setup's default database names, and compose's role and password.
    expect(stores.map((d) => d.databaseName)).toEqual([...TEMPORAL_DATABASES]);
    expect(TEMPORAL_DATABASES).toEqual([env.DBNAME ?? 'temporal', env.VISIBILITY_DBNAME ?? 'temporal_visibility']);
    expect(stores.map((d) => [d.user, d.password])).toEqual([
      [env.POSTGRES_USER, env.POSTGRES_PWD],
      [env.POSTGRES_USER, env.POSTGRES_PWD],
    ]);
    expect(native.services.frontend.rpc.grpcPort).toBe(7233);
    expect(portMappings(temporal).map((p) => p.containerPort)).toContain(native.services.frontend.rpc.grpcPort);

    // The dynamic config file both use: compose mounts it where DYNAMIC_CONFIG_FILE_PATH (relative to the image's
    // /etc/temporal) points, the native cluster reads it in place.
    expect(native.dynamicConfigClient.filepath).toBe(DYNAMIC_CONFIG_FILE);
    const inContainer = path.posix.resolve('/etc/temporal', env.DYNAMIC_CONFIG_FILE_PATH ?? '');
    const mount = (temporal.volumes ?? []).map(String).find((v) => v.split(':')[1] === inContainer);
    expect(mount).toBeDefined();
    expect(path.resolve(ROOT, mount?.split(':')[0] ?? '')).toBe(DYNAMIC_CONFIG_FILE);

    // It keeps the dev server's one-machine tuning, in the server's format (a list of values per key).
    const dynamic = parse(fs.readFileSync(DYNAMIC_CONFIG_FILE, 'utf8')) as Record<string, Array<{ value: unknown }>>;
    for (const [key, value] of ONE_MACHINE_DYNAMIC_CONFIG)
      expect({ key, value: dynamic[key]?.[0]?.value }).toEqual({ key, value: JSON.parse(value) as unknown });
    for (const [key, values] of Object.entries(dynamic))
      expect({ key, isList: Array.isArray(values) && values.every((v) => 'value' in v) }).toEqual({ key, isList: true });
  });

  it('builds the worker from a Dockerfile whose CMD runs `npm run worker`', () => {
    const build = service(compose, 'worker').build;
    expect(build).toBeDefined();
    const context = path.resolve(ROOT, typeof build === 'string' ? build : (build?.context ?? '.'));
    const dockerfile = path.resolve(context, typeof build === 'string' ? 'Dockerfile' : (build?.dockerfile ?? 'Dockerfile'));
    expect(fs.existsSync(dockerfile)).toBe(true);

    const instructions = dockerInstructions(fs.readFileSync(dockerfile, 'utf8'));
    const froms = instructions.filter((i) => i.keyword === 'FROM');
    expect(froms.length).toBeGreaterThan(0);
    for (const from of froms) expect(from.args).toMatch(/^node:20-bookworm-slim\b/);
    expect(instructions.some((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args))).toBe(true);
    const cmds = instructions.filter((i) => i.keyword === 'CMD');
    const lastCmd = cmds[cmds.length - 1];
    expect(lastCmd).toBeDefined();
    expect(execFormOrShell(lastCmd?.args ?? '')).toBe('npm run worker');

    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    expect(pkg.scripts?.worker).toEqual(expect.any(String));

    const ignored = fs
      .readFileSync(path.join(context, '.dockerignore'), 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim().replace(/\/$/, ''));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.data', 'test-artifacts', '.git']));
  });
});
