/**
 * The `docker compose` CLI plugin, built from the Go module proxy into a version-keyed cache and linked as a Docker
 * CLI plugin, so `docker compose config` validates docker-compose.yml on a machine without Docker Desktop or a
 * packaged plugin (no Docker engine is needed for `config`).
 *
 * Compose's go.mod has `exclude` directives, which `go install module/cmd@version` refuses, so the module is
 * downloaded from the proxy and built as the main module, from its own directory (with its own go.sum).
 */
import { chmodSync, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rename, rm, symlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { findOnPath, isExecutableFile, overtureCacheDir } from '../dev-stack/executables';
import { downloadGoModule, goInstall } from '../dev-stack/go-install';

/**
 * The Compose release we build: the newest whose go.mod asks for no newer Go than the machine's 1.26.8 (v5.7.x
 * asks for 1.26.10+, which Go would try to download as a toolchain).
 */
export const COMPOSE_VERSION = 'v5.6.0';
const COMPOSE_MODULE = 'github.com/docker/compose/v5';

type Env = NodeJS.ProcessEnv;

/** Raised when the plugin can be neither found nor built; the message says what to do. */
export class ComposePluginUnavailableError extends Error {
  override name = 'ComposePluginUnavailableError';
}

/** Where a provisioned plugin lives and where the Docker CLI finds it. */
export interface ComposePlugin {
  /** The cached binary, `<cache>/docker-compose-<version>/docker-compose`. */
  binary: string;
  /** The CLI plugin link, `<DOCKER_CONFIG or ~/.docker>/cli-plugins/docker-compose`, pointing at the binary. */
  pluginLink: string;
  version: string;
}

/** The cache directory of this Compose version (OVERTURE_CACHE_DIR, else ~/.cache/overture). */
export function composeCacheDir(env: Env = process.env): string {
  return join(overtureCacheDir(env), `docker-compose-${COMPOSE_VERSION}`);
}

/** Where the Docker CLI looks for plugins of this user: `$DOCKER_CONFIG/cli-plugins`, else `~/.docker/cli-plugins`. */
export function cliPluginsDir(env: Env = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker'), 'cli-plugins');
}

/** The cached binary if it is there (it is moved in only once built), else undefined. */
export function findComposeBinary(env: Env = process.env): string | undefined {
  const binary = join(composeCacheDir(env), 'docker-compose');
  return isExecutableFile(binary) ? binary : undefined;
}

/**
 * Points the CLI plugin link at the binary. A link to another build is replaced (atomically: a new link renamed over
 * it); a regular file there is someone's own plugin and is left alone, with an error that says so.
 */
export async function linkCliPlugin(binary: string, env: Env = process.env): Promise<string> {
  const dir = cliPluginsDir(env);
  const link = join(dir, 'docker-compose');
  await mkdir(dir, { recursive: true });
  const existing = lstatOrUndefined(link);
  if (existing?.isSymbolicLink() && readlinkSync(link) === binary) return link;
  if (existing && !existing.isSymbolicLink()) {
    throw new ComposePluginUnavailableError(
      `${link} is a file, not a link Overture made; the Docker CLI uses it as \`docker compose\`. Remove it to use ${binary}, or keep it.`,
    );
  }
  const fresh = `${link}.${process.pid}.tmp`;
  await rm(fresh, { force: true });
  await symlink(binary, fresh);
  await rename(fresh, link);
  return link;
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** Returns the cached plugin (building it with Go if it is not there yet), linked where the Docker CLI finds it. */
export async function provisionComposePlugin({
  env = process.env,
  log = () => {},
}: { env?: Env; log?: (line: string) => void } = {}): Promise<ComposePlugin> {
  const binary = findComposeBinary(env) ?? (await buildComposeBinary(env, log));
  const pluginLink = await linkCliPlugin(binary, env);
  return { binary, pluginLink, version: COMPOSE_VERSION };
}

async function buildComposeBinary(env: Env, log: (line: string) => void): Promise<string> {
  const go = findOnPath('go', env);
  if (!go) {
    throw new ComposePluginUnavailableError(
      `docker compose ${COMPOSE_VERSION} is not in ${composeCacheDir(env)} and \`go\` is not on PATH to build it.\n` +
        'Install Go (https://go.dev/dl) and run `npm run deploy-tools:provision`, or install the Docker Compose plugin (https://docs.docker.com/compose/install/).',
    );
  }
  const cacheDir = composeCacheDir(env);
  await mkdir(cacheDir, { recursive: true });
  // Built in a scratch dir and moved in last: an interrupted build never leaves a binary findComposeBinary trusts.
  const buildDir = await mkdtemp(join(cacheDir, '.build-'));
  try {
    const source = join(buildDir, 'src');
    // The module cache is read-only: a writable copy, so the scratch dir can be removed afterwards.
    const moduleDir = downloadGoModule({
      go,
      module: COMPOSE_MODULE,
      version: COMPOSE_VERSION,
      env,
      cwd: cacheDir,
      fail: (message) => new ComposePluginUnavailableError(message),
    });
    await cp(moduleDir, source, { recursive: true });
    makeWritable(source);
    log(`Building docker compose ${COMPOSE_VERSION} with Go; a cold build takes several minutes on 2 cores.`);
    const built = await goInstall({
      go,
      gobin: join(buildDir, 'bin'),
      env,
      cwd: source,
      packages: ['./cmd'],
      // What Compose's Makefile stamps, so `docker compose version` names the release.
      ldflags: `-X ${COMPOSE_MODULE}/internal.Version=${COMPOSE_VERSION}`,
      log,
      fail: (message) => new ComposePluginUnavailableError(message),
    });
    const target = join(cacheDir, 'docker-compose');
    await rename(join(buildDir, 'bin', 'cmd'), target);
    const compiled = built.packages ? `${built.packages} packages compiled` : "all packages from Go's build cache";
    log(`Built docker compose ${COMPOSE_VERSION} in ${built.seconds} s (${compiled}) into ${cacheDir}.`);
    return target;
  } finally {
    await rm(buildDir, { recursive: true, force: true });
  }
}

function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) makeWritable(path);
    else if (entry.isFile()) chmodSync(path, 0o644);
  }
}
