/**
 * docker-compose.yml, as `docker compose config` resolves it (the plugin built from the Go module proxy; no Docker
 * engine: nothing is started). The stack must hang together: exact image versions, a healthcheck on every
 * long-running service and start-up order that waits on them, the Temporal UI decoding through the console, every
 * shared store on the stack's PostgreSQL, and an environment each Overture part's own configuration accepts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { configSchema, loadConfig } from '../../src/config';
import { INSTALLED } from '../../src/registry';
import { SHARED_STORE_SETTINGS } from '../../src/stores/postgres/settings';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../workflows/kit/search-attributes';
import { ONE_MACHINE_DYNAMIC_CONFIG } from '../../src/tools/dev-stack/temporal-server';
import { TEMPORAL_DATABASES } from '../../src/tools/cluster/schema';
import { TEMPORAL_SERVER_VERSION } from '../../src/tools/cluster/server-binaries';
import { DYNAMIC_CONFIG_FILE, NUM_HISTORY_SHARDS } from '../../src/tools/cluster/server-config';
import type { ComposePlugin } from '../../src/tools/deploy-tools/compose-plugin';
import { PROMTOOL } from '../../src/tools/deploy-tools/promtool';
import {
  ROOT,
  bindMount,
  composeConfig,
  composePlugin,
  environmentOf,
  isOneShot,
  publishedPort,
  type ComposeConfig,
  type ComposeService,
} from '../helpers/compose-stack';

/** Overture's own parts: one image, chosen role by command. */
const OVERTURE_PARTS = ['worker', 'console', 'gateway'] as const;
const ONE_SHOTS = ['temporal-schema', 'temporal-setup', 'overture-setup'];
/** Variables a part reads that are not Overture's configuration: the C library's, for the worker's native threads. */
const RUNTIME_VARIABLES = new Set(['MALLOC_ARENA_MAX']);
/** PostgreSQL numbers its releases major.minor (16.13 is a patch release); the others major.minor.patch. */
const VERSION_PARTS: Record<string, number> = { postgres: 2 };
const PACKAGE_VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function service(config: ComposeConfig, name: string): ComposeService {
  const found = config.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

const fetchProbe = (test: string[] | undefined) => /fetch\('http:\/\/127\.0\.0\.1:(\d+)(\/[a-z]+)'\)/.exec((test ?? []).join(' '));

function readScript(config: ComposeConfig, name: string): string {
  const mount = (service(config, name).volumes ?? []).find((v) => v.type === 'bind' && v.source?.endsWith('.sh'));
  if (!mount?.source) throw new Error(`${name} mounts no script`);
  expect(service(config, name).entrypoint?.join(' ')).toContain(mount.target);
  return fs.readFileSync(mount.source, 'utf8');
}

describe('docker-compose.yml, resolved by docker compose config', () => {
  let plugin: ComposePlugin;
  let stack: ComposeConfig;
  beforeAll(async () => {
    plugin = await composePlugin();
    stack = composeConfig(plugin);
  }, 1_800_000);

  it('is the whole stack: PostgreSQL, Temporal with its setup jobs, its UI, Overture, mail, the site, Prometheus and Grafana', () => {
    expect(Object.keys(stack.services).sort()).toEqual(
      [
        'postgresql',
        'temporal-schema',
        'temporal',
        'temporal-setup',
        'temporal-ui',
        'mailpit',
        'overture-setup',
        ...OVERTURE_PARTS,
        'site',
        'prometheus',
        'grafana',
      ].sort(),
    );
    expect(plugin.version).toMatch(/^v\d+\.\d+\.\d+$/);
  });

  it("pins every image to an exact release; Overture's parts run the image built from this checkout", () => {
    for (const [name, s] of Object.entries(stack.services)) {
      const image = s.image ?? '';
      const [repository, tag = ''] = image.split(/:(?=[^:/]+$)/);
      if (s.build) {
        // Built here, tagged with the package's version, never pulled (a registry's `overture` would be someone else's).
        expect({ name, image, pull: (s as { pull_policy?: string }).pull_policy }).toEqual({
          name,
          image: `overture:${PACKAGE_VERSION}`,
          pull: 'build',
        });
        expect(s.build.context).toBe(ROOT);
        continue;
      }
      const parts = VERSION_PARTS[repository?.split('/').pop() ?? ''] ?? 3;
      const exact = new RegExp(`^v?\\d+(\\.\\d+){${parts - 1}}(-[A-Za-z0-9.-]+)?$`);
      expect({ name, image, exact: exact.test(tag) }).toEqual({ name, image, exact: true });
    }
    // The Temporal release the native cluster (`npm run cluster`) builds and tests, and its admin tools.
    const release = TEMPORAL_SERVER_VERSION.replace(/^v/, '');
    expect(service(stack, 'temporal').image).toBe(`temporalio/server:${release}`);
    for (const name of ['temporal-schema', 'temporal-setup'])
      expect(service(stack, name).image).toMatch(new RegExp(`^temporalio/admin-tools:${release.replace(/\./g, '\\.')}-`));
    expect(Object.values(stack.services).some((s) => /auto-setup/.test(s.image ?? ''))).toBe(false);
    // The Prometheus that runs the rules is the release whose promtool checks them (module v0.316.0 is Prometheus 3.16.0).
    const [, minors = '', patch = ''] = /^v0\.(\d+)\.(\d+)$/.exec(PROMTOOL.version) ?? [];
    const prometheusRelease = `v${Math.floor(Number(minors) / 100)}.${Number(minors) % 100}.${patch}`;
    expect(service(stack, 'prometheus').image).toBe(`prom/prometheus:${prometheusRelease}`);
  });

  it('gives every long-running service a healthcheck, and starts nothing before what it needs is healthy or done', () => {
    const names = Object.keys(stack.services);
    for (const [name, s] of Object.entries(stack.services)) {
      if (isOneShot(s)) {
        expect({ name, oneShot: ONE_SHOTS.includes(name) }).toEqual({ name, oneShot: true });
        continue;
      }
      expect({ name, restart: s.restart }).toEqual({ name, restart: 'unless-stopped' });
      expect({ name, healthcheck: Boolean(s.healthcheck?.test?.length) && !s.healthcheck?.disable }).toEqual({ name, healthcheck: true });
      expect(s.healthcheck?.test?.[0]).toMatch(/^CMD(-SHELL)?$/);
    }
    for (const [name, s] of Object.entries(stack.services)) {
      for (const [dependency, { condition }] of Object.entries(s.depends_on ?? {})) {
        const target = service(stack, dependency);
        const expected = isOneShot(target) ? 'service_completed_successfully' : 'service_healthy';
        expect({ name, dependency, condition, defined: names.includes(dependency) }).toEqual({
          name,
          dependency,
          condition: expected,
          defined: true,
        });
      }
    }
    // Every one-shot is waited for by someone, so a failed setup keeps the stack down instead of half up.
    const awaited = new Set(Object.values(stack.services).flatMap((s) => Object.keys(s.depends_on ?? {})));
    expect(ONE_SHOTS.filter((name) => !awaited.has(name))).toEqual([]);
    // The order the retired auto-setup image hid: schema before server, server before namespace, namespace before Overture.
    expect(Object.keys(service(stack, 'temporal').depends_on ?? {})).toContain('temporal-schema');
    expect(Object.keys(service(stack, 'temporal-schema').depends_on ?? {})).toContain('postgresql');
    expect(Object.keys(service(stack, 'temporal-setup').depends_on ?? {})).toContain('temporal');
    for (const part of OVERTURE_PARTS)
      expect(Object.keys(service(stack, part).depends_on ?? {})).toEqual(
        expect.arrayContaining(['temporal-setup', 'overture-setup', 'postgresql']),
      );
  });

  it("probes Overture's parts on the readiness endpoint their own configuration serves", () => {
    const probePorts = {
      worker: (env: Record<string, string>) => env.HEALTH_PORT,
      console: (env: Record<string, string>) => env.CONSOLE_PORT,
      gateway: (env: Record<string, string>) => env.EVENTS_PORT,
    };
    for (const part of OVERTURE_PARTS) {
      const s = service(stack, part);
      const probe = fetchProbe(s.healthcheck?.test);
      expect({ part, port: probe?.[1], path: probe?.[2] }).toEqual({ part, port: probePorts[part](environmentOf(s)), path: '/readyz' });
      // Reached from inside the container: the part must listen beyond its loopback only if it binds a wildcard.
      expect(s.healthcheck?.test?.[0]).toBe('CMD');
    }
  });

  it('scales the worker: no container name, no host port', () => {
    const worker = service(stack, 'worker');
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports ?? []).toEqual([]);
  });

  it("runs each part with the image's compiled entry point of its source, the worker with the image's own command", () => {
    const entries = { worker: 'workers/overture-worker.ts', console: 'src/apps/console/main.ts', gateway: 'src/apps/events/server.ts' };
    for (const part of OVERTURE_PARTS) {
      const command = service(stack, part).command ?? [];
      expect({ part, command }).toEqual({ part, command: ['node', `dist/${entries[part].replace(/\.ts$/, '.js')}`] });
      expect({ part, source: fs.existsSync(path.join(ROOT, entries[part])) }).toEqual({ part, source: true });
    }
    const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    const cmd = [...dockerfile.matchAll(/^CMD\s+(\[.*\])\s*$/gm)].pop()?.[1];
    expect(JSON.parse(cmd ?? '[]')).toEqual(service(stack, 'worker').command);
    // The setup job's CLI, as the image ships it.
    expect(service(stack, 'overture-setup').command?.join(' ')).toContain('node bin/overture.js keys');
    expect(dockerfile).toMatch(/^COPY --from=\S+ \/app\/bin \.\/bin$/m);
  });

  it('publishes each host port once, on the loopback only', () => {
    const seen = new Map<number, string>();
    for (const [name, s] of Object.entries(stack.services)) {
      for (const p of s.ports ?? []) {
        const port = Number(p.published);
        expect({ name, port, alsoPublishedBy: seen.get(port), hostIp: p.host_ip }).toEqual({
          name,
          port,
          alsoPublishedBy: undefined,
          hostIp: '127.0.0.1',
        });
        seen.set(port, name);
      }
    }
    expect(Object.fromEntries([7233, 8233, 4000, 4080, 8025, 3000, 9090].map((p) => [p, seen.get(p)]))).toEqual({
      7233: 'temporal',
      8233: 'temporal-ui',
      4000: 'console',
      4080: 'gateway',
      8025: 'mailpit',
      3000: 'grafana',
      9090: 'prometheus',
    });
  });

  it("points the Temporal UI's codec endpoint at the console as the browser reaches it, and the console lets that UI in", () => {
    const ui = environmentOf(service(stack, 'temporal-ui'));
    const console_ = service(stack, 'console');
    const consoleConfig = loadConfig(environmentOf(console_));
    const codec = new URL(ui.TEMPORAL_CODEC_ENDPOINT ?? '');
    const consolePublished = publishedPort(console_, consoleConfig.CONSOLE_PORT);
    // The browser calls the codec endpoint: the console's published port on this machine, its /codec path.
    expect({ host: codec.hostname, port: Number(codec.port), path: codec.pathname }).toEqual({
      host: 'localhost',
      port: consolePublished?.port,
      path: '/codec',
    });
    expect(`${consoleConfig.consoleUrl}/codec`).toBe(codec.href);
    // The session cookie travels (same site: both on localhost), and the console answers that UI's origin.
    expect(ui.TEMPORAL_CODEC_INCLUDE_CREDENTIALS).toBe('true');
    const uiOrigin = `http://localhost:${publishedPort(service(stack, 'temporal-ui'), Number(ui.TEMPORAL_UI_PORT))?.port}`;
    expect(consoleConfig.codecUiOrigins).toEqual([uiOrigin]);
    expect(ui.TEMPORAL_CORS_ORIGINS).toBe(uiOrigin);
    expect(ui.TEMPORAL_ADDRESS).toBe(consoleConfig.TEMPORAL_ADDRESS);
  });

  it('sets what worker, console and gateway need, by names and values their configuration accepts', () => {
    const known = new Set([
      ...Object.keys(configSchema.shape),
      ...INSTALLED.flatMap((p) => p.settings?.variables ?? []),
      ...RUNTIME_VARIABLES,
    ]);
    for (const part of [...OVERTURE_PARTS, 'overture-setup']) {
      const env = environmentOf(service(stack, part));
      // A misspelled name would be ignored by the schema (it reads only the names it knows): refuse it here.
      expect({ part, unknown: Object.keys(env).filter((name) => !known.has(name)) }).toEqual({ part, unknown: [] });
      const config = loadConfig(env);
      expect({ part, temporal: config.TEMPORAL_ADDRESS, dataDir: config.OVERTURE_DATA_DIR }).toEqual({
        part,
        temporal: 'temporal:7233',
        dataDir: '/data',
      });
      expect(bindOrVolume(service(stack, part), '/data')).toBe('overture-data');
    }
    const worker = loadConfig(environmentOf(service(stack, 'worker')));
    expect({ smtp: worker.smtpUrl, metrics: worker.METRICS_PORT, health: worker.HEALTH_PORT, host: worker.METRICS_HOST }).toEqual({
      smtp: 'smtp://mailpit:1025',
      metrics: 9464,
      health: 9465,
      host: '0.0.0.0',
    });
    // Approval links in mails open the console, on the port it is published on, whatever address it binds inside.
    expect(worker.consoleUrl).toBe(`http://localhost:${publishedPort(service(stack, 'console'), 4000)?.port}`);
    // Blank pass-through variables count as unset: TLS, tracing and versioning stay off by default.
    expect({ tls: worker.temporalConnection.tls, traces: worker.OTEL_EXPORTER_OTLP_ENDPOINT, build: worker.OVERTURE_BUILD_ID }).toEqual({
      tls: undefined,
      traces: undefined,
      build: undefined,
    });
  });

  it("puts every store several hosts share on the stack's PostgreSQL, one database each, created by the init script", () => {
    const postgres = environmentOf(service(stack, 'postgresql'));
    const processStores = INSTALLED.flatMap((p) => p.settings?.variables ?? []).filter((name) => /^(ACCOUNTING|WAREHOUSE)_URL$/.test(name));
    const storeVariables = [...Object.keys(SHARED_STORE_SETTINGS), ...processStores];
    const initDir = path.join(ROOT, 'deploy/compose/postgres-init');
    const created = fs
      .readdirSync(initDir)
      .flatMap((f) => [...fs.readFileSync(path.join(initDir, f), 'utf8').matchAll(/CREATE DATABASE (\w+)/g)].map((m) => m[1]));
    expect(bindMount(service(stack, 'postgresql'), 'deploy/compose/postgres-init')?.target).toBe('/docker-entrypoint-initdb.d');

    for (const part of OVERTURE_PARTS) {
      const env = environmentOf(service(stack, part));
      const databases = storeVariables.map((name) => {
        const url = new URL(env[name] ?? 'missing:');
        expect({ part, name, protocol: url.protocol, host: url.host, user: url.username, password: url.password }).toEqual({
          part,
          name,
          protocol: 'postgresql:',
          host: 'postgresql:5432',
          user: postgres.POSTGRES_USER,
          password: postgres.POSTGRES_PASSWORD,
        });
        return url.pathname.slice(1);
      });
      expect(new Set(databases).size).toBe(databases.length);
      expect([...databases].sort()).toEqual([...created].sort());
      // No SQLite path beside a URL (refused at start-up): each store lives in one place.
      expect(Object.keys(env).filter((name) => name.endsWith('_DB_PATH'))).toEqual([]);
    }
  });

  it('runs Temporal as `npm run cluster` does: its databases, shards and dynamic config, the schema set up by admin-tools', () => {
    const temporal = environmentOf(service(stack, 'temporal'));
    expect(temporal.DB).toBe('postgres12');
    expect(temporal.NUM_HISTORY_SHARDS).toBe(String(NUM_HISTORY_SHARDS));
    const postgres = environmentOf(service(stack, 'postgresql'));
    expect([temporal.POSTGRES_SEEDS, temporal.POSTGRES_USER, temporal.POSTGRES_PWD]).toEqual([
      'postgresql',
      postgres.POSTGRES_USER,
      postgres.POSTGRES_PASSWORD,
    ]);
    // The server's default database names are the ones the schema job and the native cluster set up.
    expect([temporal.DBNAME ?? 'temporal', temporal.VISIBILITY_DBNAME ?? 'temporal_visibility']).toEqual([...TEMPORAL_DATABASES]);
    const mount = bindMount(service(stack, 'temporal'), path.relative(ROOT, DYNAMIC_CONFIG_FILE));
    expect(mount).toEqual({ target: temporal.DYNAMIC_CONFIG_FILE_PATH, readOnly: true });
    const dynamic = parse(fs.readFileSync(DYNAMIC_CONFIG_FILE, 'utf8')) as Record<string, Array<{ value: unknown }>>;
    for (const [key, value] of ONE_MACHINE_DYNAMIC_CONFIG)
      expect({ key, value: dynamic[key]?.[0]?.value }).toEqual({ key, value: JSON.parse(value) as unknown });

    const schemaJob = environmentOf(service(stack, 'temporal-schema'));
    expect([schemaJob.POSTGRES_SEEDS, schemaJob.POSTGRES_USER, schemaJob.SQL_PASSWORD]).toEqual([
      'postgresql',
      postgres.POSTGRES_USER,
      postgres.POSTGRES_PASSWORD,
    ]);
    const script = readScript(stack, 'temporal-schema');
    for (const step of ['create-database', 'setup-schema', 'update-schema']) expect(script).toContain(step);
    expect(script).toMatch(/for pair in temporal:temporal temporal_visibility:visibility/);
    expect(script).toContain('--plugin postgres12');
  });

  it('registers the namespace the parts use and exactly the search attributes the workflows use, at their frontend', () => {
    const setup = environmentOf(service(stack, 'temporal-setup'));
    const worker = environmentOf(service(stack, 'worker'));
    expect([setup.TEMPORAL_ADDRESS, setup.TEMPORAL_NAMESPACE]).toEqual([worker.TEMPORAL_ADDRESS, worker.TEMPORAL_NAMESPACE]);
    const script = readScript(stack, 'temporal-setup');
    // Each Name=Type it creates when the namespace lacks it, one `create` per attribute.
    const listed = /^ATTRIBUTES="([^"]*)"$/m.exec(script)?.[1] ?? '';
    const created = listed
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => ({ name: pair.split('=')[0], type: pair.split('=')[1] }));
    expect(script).toContain('--name "$name" --type "${pair#*=}"');
    const byName = (a: { name?: string }, b: { name?: string }) => (a.name ?? '').localeCompare(b.name ?? '');
    expect(created.sort(byName)).toEqual([...SEARCH_ATTRIBUTE_DEFINITIONS].sort(byName));
    // The script names the same attributes, no more, no fewer.
    expect([...new Set(script.match(/\bOverture[A-Z][A-Za-z]+\b/g))].sort()).toEqual(
      SEARCH_ATTRIBUTE_DEFINITIONS.map((d) => d.name).sort(),
    );
    expect(script).toContain('temporal operator namespace create --namespace "$TEMPORAL_NAMESPACE"');
    expect(script).toMatch(/exit 1/);
  });

  it('mounts only files and directories that are in the repository', () => {
    for (const [name, s] of Object.entries(stack.services)) {
      for (const v of s.volumes ?? []) {
        if (v.type !== 'bind') continue;
        const source = v.source ?? '';
        expect({ name, source, inRepo: source.startsWith(`${ROOT}${path.sep}`), exists: fs.existsSync(source) }).toEqual({
          name,
          source,
          inRepo: true,
          exists: true,
        });
        expect({ name, target: v.target, readOnly: v.read_only }).toEqual({ name, target: v.target, readOnly: true });
      }
    }
    const declared = Object.keys(stack.volumes ?? {}).sort();
    const used = [
      ...new Set(Object.values(stack.services).flatMap((s) => (s.volumes ?? []).filter((v) => v.type === 'volume').map((v) => v.source))),
    ];
    expect(used.sort()).toEqual(declared);
  });

  it("scrapes every part's metrics port and loads Overture's alert rules; Grafana gets the datasource and the dashboards", () => {
    const prometheus = service(stack, 'prometheus');
    const configMount = bindMount(prometheus, 'deploy/compose/prometheus.yml');
    expect(prometheus.command).toContain(`--config.file=${configMount?.target}`);
    const scrape = parse(fs.readFileSync(path.join(ROOT, 'deploy/compose/prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: Array<{
        job_name: string;
        static_configs?: Array<{ targets: string[] }>;
        dns_sd_configs?: Array<{ names: string[]; type: string; port: number }>;
      }>;
    };
    const targets = scrape.scrape_configs.flatMap((job) => [
      ...(job.static_configs ?? []).flatMap((c) => c.targets),
      ...(job.dns_sd_configs ?? []).flatMap((c) => c.names.map((n) => `${n}:${c.port}`)),
    ]);
    const metricsPort = {
      worker: loadConfig(environmentOf(service(stack, 'worker'))).METRICS_PORT,
      console: loadConfig(environmentOf(service(stack, 'console'))).CONSOLE_METRICS_PORT,
      gateway: loadConfig(environmentOf(service(stack, 'gateway'))).EVENTS_METRICS_PORT,
    };
    for (const part of OVERTURE_PARTS) expect(targets).toContain(`${part}:${metricsPort[part]}`);
    expect(targets).toContain(`temporal:${environmentOf(service(stack, 'temporal')).PROMETHEUS_ENDPOINT?.split(':')[1]}`);
    // Each worker replica is a target of its own: found by the service's DNS name, not a fixed address.
    expect(scrape.scrape_configs.find((j) => j.dns_sd_configs?.some((c) => c.names.includes('worker')))).toBeDefined();

    // The files it loads are Overture's rule files (deploy/prometheus/rules), at least one, and each of them a rule
    // file (`groups:`), never a promtool unit test kept beside them (`rule_files:` and `tests:`), which would stop it.
    const rulesMount = bindMount(prometheus, 'deploy/prometheus/rules');
    expect(rulesMount).toBeDefined();
    const rules = scrape.rule_files.flatMap((glob) => {
      expect(glob.startsWith(`${rulesMount?.target}/`)).toBe(true);
      const pattern = new RegExp(`^${path.posix.basename(glob).replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`);
      return fs.readdirSync(path.join(ROOT, 'deploy/prometheus/rules')).filter((f) => pattern.test(f));
    });
    expect(rules.length).toBeGreaterThan(0);
    for (const file of rules) {
      const doc = parse(fs.readFileSync(path.join(ROOT, 'deploy/prometheus/rules', file), 'utf8')) as Record<string, unknown>;
      expect({ file, keys: Object.keys(doc) }).toEqual({ file, keys: ['groups'] });
    }

    const grafana = service(stack, 'grafana');
    expect(bindMount(grafana, 'deploy/compose/grafana/provisioning')?.target).toBe('/etc/grafana/provisioning');
    const datasources = parse(
      fs.readFileSync(path.join(ROOT, 'deploy/compose/grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
    ) as {
      datasources: Array<{ type: string; url: string; uid: string }>;
    };
    const prometheusPort = prometheus.ports?.[0]?.target;
    expect(datasources.datasources).toEqual([expect.objectContaining({ type: 'prometheus', url: `http://prometheus:${prometheusPort}` })]);
    const providers = parse(fs.readFileSync(path.join(ROOT, 'deploy/compose/grafana/provisioning/dashboards/overture.yml'), 'utf8')) as {
      providers: Array<{ options: { path: string } }>;
    };
    const dashboardsMount = bindMount(grafana, 'deploy/grafana/dashboards');
    expect(providers.providers.map((p) => p.options.path)).toEqual([dashboardsMount?.target]);
    const dashboards = fs.readdirSync(path.join(ROOT, 'deploy/grafana/dashboards')).filter((f) => f.endsWith('.json'));
    expect(dashboards.length).toBeGreaterThan(0);
    // Panels name the provisioned datasource by its uid (or a variable standing for it), so they load without a prompt.
    for (const file of dashboards) {
      const text = fs.readFileSync(path.join(ROOT, 'deploy/grafana/dashboards', file), 'utf8');
      const uids = [...text.matchAll(/"datasource":\s*\{[^}]*"uid":\s*"([^"]+)"/g)].map((m) => m[1]);
      expect({ file, foreign: uids.filter((uid) => uid !== datasources.datasources[0]?.uid && !uid?.startsWith('$')) }).toEqual({
        file,
        foreign: [],
      });
    }
  });

  it('serves the published site read-only from the folder every worker writes its pages to', () => {
    const site = service(stack, 'site');
    const mount = (site.volumes ?? []).find((v) => v.target === '/usr/share/nginx/html');
    const worker = environmentOf(service(stack, 'worker'));
    // The worker's SITE_DIR is inside its data volume; the site mounts that volume's matching sub-folder, read-only.
    expect(worker.SITE_DIR).toBe('/data/site');
    expect(bindOrVolume(service(stack, 'worker'), '/data')).toBe('overture-data');
    expect(mount).toMatchObject({ type: 'volume', source: 'overture-data', read_only: true, volume: { subpath: 'site' } });
    // Dotfiles (the feed's index, pages being written) are never served.
    expect(fs.readFileSync(path.join(ROOT, 'deploy/compose/site.conf'), 'utf8')).toMatch(/location ~ \/\\\. \{ deny all;/);
    expect(Number(new URL(worker.SITE_URL ?? '').port)).toBe(publishedPort(site, 8080)?.port);
  });

  it('follows the public addresses and the password given in .env everywhere they are used', () => {
    const custom = composeConfig(plugin, {
      CONSOLE_PUBLIC_URL: 'https://overture.example.com',
      TEMPORAL_UI_PUBLIC_URL: 'https://temporal.example.com',
      POSTGRES_PASSWORD: 'Sekr1tFromEnv',
    });
    const ui = environmentOf(service(custom, 'temporal-ui'));
    expect(ui.TEMPORAL_CODEC_ENDPOINT).toBe('https://overture.example.com/codec');
    expect(ui.TEMPORAL_CORS_ORIGINS).toBe('https://temporal.example.com');
    const consoleConfig = loadConfig(environmentOf(service(custom, 'console')));
    expect(consoleConfig.codecUiOrigins).toEqual(['https://temporal.example.com']);
    const worker = loadConfig(environmentOf(service(custom, 'worker')));
    expect(worker.consoleUrl).toBe('https://overture.example.com');
    expect(new URL(worker.LEDGER_URL ?? '').password).toBe('Sekr1tFromEnv');
    expect(environmentOf(service(custom, 'temporal')).POSTGRES_PWD).toBe('Sekr1tFromEnv');
    expect(environmentOf(service(custom, 'postgresql')).POSTGRES_PASSWORD).toBe('Sekr1tFromEnv');
  });
});

/** The named volume (or bind source) mounted at a target. */
function bindOrVolume(s: ComposeService, target: string): string | undefined {
  return (s.volumes ?? []).find((v) => v.target === target)?.source;
}
