/**
 * The full Temporal server (not the dev server) and its SQL schema tool, built from the Go module proxy into a
 * version-keyed cache, with the PostgreSQL schema files copied beside them so that running needs no Go at all.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { findOnPath, isExecutableFile, overtureCacheDir } from '../dev-stack/executables';
import { goInstall } from '../dev-stack/go-install';

/** The server release the native cluster runs: the same as docker-compose.yml's images and the dev server's. */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';

const SERVER_MODULE = 'go.temporal.io/server';
// Both commands live in the one module, which has no `replace` directive, so `go install pkg@version` works.
const PACKAGES = [
  { pkg: `${SERVER_MODULE}/cmd/server`, built: 'server', file: 'temporal-server' },
  { pkg: `${SERVER_MODULE}/cmd/tools/sql`, built: 'sql', file: 'temporal-sql-tool' },
] as const;
/** Where the module keeps the PostgreSQL schema (setup and versioned upgrades of both databases). */
const SCHEMA_IN_MODULE = join('schema', 'postgresql', 'v12');

type Env = NodeJS.ProcessEnv;

/** Raised when the server cannot be found or built; the message says what to do. */
export class TemporalServerUnavailableError extends Error {
  override name = 'TemporalServerUnavailableError';
}

/** Paths of a provisioned server: both binaries and the schema directories the SQL tool applies. */
export interface ServerBinaries {
  dir: string;
  server: string;
  sqlTool: string;
  /** `.../schema/postgresql/v12/temporal/versioned` */
  historySchemaDir: string;
  /** `.../schema/postgresql/v12/visibility/versioned` */
  visibilitySchemaDir: string;
}

/** The cache directory of this server version (OVERTURE_CACHE_DIR, else ~/.cache/overture), outside the repo. */
export function temporalServerCacheDir(env: Env = process.env): string {
  const base = overtureCacheDir(env);
  return join(base, `temporal-server-${TEMPORAL_SERVER_VERSION}`);
}

function binariesIn(dir: string): ServerBinaries {
  const schema = join(dir, SCHEMA_IN_MODULE);
  return {
    dir,
    server: join(dir, 'temporal-server'),
    sqlTool: join(dir, 'temporal-sql-tool'),
    historySchemaDir: join(schema, 'temporal', 'versioned'),
    visibilitySchemaDir: join(schema, 'visibility', 'versioned'),
  };
}

/** The cached server if it is complete (both binaries and both schema directories), else undefined. */
export function findServerBinaries(env: Env = process.env): ServerBinaries | undefined {
  const found = binariesIn(temporalServerCacheDir(env));
  const complete =
    isExecutableFile(found.server) &&
    isExecutableFile(found.sqlTool) &&
    existsSync(found.historySchemaDir) &&
    existsSync(found.visibilitySchemaDir);
  return complete ? found : undefined;
}

/** Returns the cached server, building it with `go install` (and copying its schema) if it is not there yet. */
export async function provisionServerBinaries({
  env = process.env,
  log = () => {},
}: { env?: Env; log?: (line: string) => void } = {}): Promise<ServerBinaries> {
  const found = findServerBinaries(env);
  if (found) return found;

  const go = findOnPath('go', env);
  if (!go) {
    throw new TemporalServerUnavailableError(
      `The Temporal server ${TEMPORAL_SERVER_VERSION} is not in ${temporalServerCacheDir(env)} and \`go\` is not on PATH to build it.\n` +
        'Install Go (https://go.dev/dl) and run `npm run cluster:provision`, or run the stack with `docker compose up` instead.',
    );
  }
  const cacheDir = temporalServerCacheDir(env);
  await mkdir(cacheDir, { recursive: true });
  // Everything goes to a scratch dir first and is moved in with the binaries last: an interrupted build never
  // leaves a cache that findServerBinaries would trust.
  const buildDir = await mkdtemp(join(cacheDir, '.build-'));
  try {
    await runGoInstall(go, buildDir, env, log);
    const moduleDir = join(goEnv(go, 'GOMODCACHE', env), `${SERVER_MODULE}@${TEMPORAL_SERVER_VERSION}`);
    const schemaSource = join(moduleDir, SCHEMA_IN_MODULE);
    if (!existsSync(schemaSource)) {
      throw new TemporalServerUnavailableError(
        `go install succeeded but the schema is not at ${schemaSource}; is GOMODCACHE (${moduleDir}) readable?`,
      );
    }
    const target = binariesIn(cacheDir);
    await rm(join(cacheDir, 'schema'), { recursive: true, force: true });
    await cp(schemaSource, join(cacheDir, SCHEMA_IN_MODULE), { recursive: true });
    for (const { built, file } of PACKAGES) await rename(join(buildDir, built), join(cacheDir, file));
    log(`Temporal server ${TEMPORAL_SERVER_VERSION} is ready in ${cacheDir}`);
    return target;
  } finally {
    await rm(buildDir, { recursive: true, force: true });
  }
}

function goEnv(go: string, name: string, env: Env): string {
  const out = spawnSync(go, ['env', name], { env, encoding: 'utf8' });
  const value = out.stdout.trim();
  if (out.status !== 0 || !value) throw new TemporalServerUnavailableError(`\`go env ${name}\` failed: ${out.stderr.trim()}`);
  return value;
}

async function runGoInstall(go: string, gobin: string, env: Env, log: (line: string) => void): Promise<void> {
  log(`Building Temporal server ${TEMPORAL_SERVER_VERSION} and its SQL tool with Go; a cold build takes a few minutes on 2 cores.`);
  const packages = PACKAGES.map((p) => `${p.pkg}@${TEMPORAL_SERVER_VERSION}`);
  const built = await goInstall({ go, gobin, env, packages, log, fail: (message) => new TemporalServerUnavailableError(message) });
  log(
    `Built Temporal server ${TEMPORAL_SERVER_VERSION} in ${built.seconds} s (${built.packages ? `${built.packages} packages compiled` : "all packages from Go's build cache"}).`,
  );
}
