import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { findOnPath, isExecutableFile, overtureCacheDir } from './executables';
import { goInstall } from './go-install';

/** The Temporal CLI release we build and test against (server 1.29.1, UI 2.42.1). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

// Tags from v1.6.0 on carry a `replace` directive and an unpublished module, so `go install` of them fails.
const CLI_MODULE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;

type Env = NodeJS.ProcessEnv;

/** Raised when no Temporal CLI can be found or built; the message says how to get one. */
export class TemporalUnavailableError extends Error {
  override name = 'TemporalUnavailableError';
}

const HOW_TO_GET_TEMPORAL = [
  'To get a Temporal server, do one of:',
  '  - install the Temporal CLI: `brew install temporal`, or `curl -sSf https://temporal.download/cli.sh | sh`,',
  '    or download a release from https://github.com/temporalio/cli/releases; then put `temporal` on PATH',
  '    or set TEMPORAL_BINARY=/path/to/temporal;',
  '  - install Go (https://go.dev/dl) so `npm run temporal:provision` can build the tested version;',
  "  - or run `docker compose up` with the repo's docker-compose.yml.",
].join('\n');

/** Directory holding the cached, version-keyed CLI build; outside the repo so clones and `git clean` keep it. */
export function temporalCacheDir(env: Env = process.env): string {
  const base = overtureCacheDir(env);
  return join(base, `temporal-cli-${TEMPORAL_CLI_VERSION}`);
}

/** Locates a Temporal CLI: TEMPORAL_BINARY, then the cache, then PATH; undefined if none. */
export function findTemporalBinary(env: Env = process.env): string | undefined {
  const explicit = env.TEMPORAL_BINARY;
  if (explicit) {
    // An explicit choice that is broken should fail loudly, not silently fall back to another binary.
    if (!isExecutableFile(explicit)) {
      throw new Error(`TEMPORAL_BINARY=${explicit} is not an executable file; fix the path or unset TEMPORAL_BINARY.`);
    }
    return explicit;
  }
  // The cache wins over PATH: it holds exactly the version our tests ran against, whereas a `temporal`
  // on PATH may be any release (older servers lack features we use, such as update-with-start).
  const cached = join(temporalCacheDir(env), 'temporal');
  if (isExecutableFile(cached)) return cached;
  return findOnPath('temporal', env);
}

/** Returns a usable Temporal CLI, building the tested version with `go install` into the cache if none is found. */
export async function provisionTemporalBinary({
  env = process.env,
  log = () => {},
}: { env?: Env; log?: (line: string) => void } = {}): Promise<string> {
  const found = findTemporalBinary(env);
  if (found) return found;

  const go = findOnPath('go', env);
  if (!go) {
    throw new TemporalUnavailableError(
      `No Temporal CLI found (looked in TEMPORAL_BINARY, ${temporalCacheDir(env)} and PATH) and \`go\` is not on PATH to build it.\n${HOW_TO_GET_TEMPORAL}`,
    );
  }

  const cacheDir = temporalCacheDir(env);
  await mkdir(cacheDir, { recursive: true });
  // Build into a scratch dir on the same filesystem, then rename: a crash or Ctrl-C mid-build never
  // leaves a truncated `temporal` that findTemporalBinary would later trust.
  const buildDir = await mkdtemp(join(cacheDir, '.build-'));
  try {
    await runGoInstall(go, buildDir, env, log);
    const target = join(cacheDir, 'temporal');
    await rename(join(buildDir, 'temporal'), target);
    return target;
  } finally {
    await rm(buildDir, { recursive: true, force: true });
  }
}

async function runGoInstall(go: string, gobin: string, env: Env, log: (line: string) => void): Promise<void> {
  log(`Building Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${gobin}; a cold build takes several minutes on 2 cores.`);
  const built = await goInstall({
    go,
    gobin,
    env,
    packages: [CLI_MODULE],
    log,
    fail: (message) => new TemporalUnavailableError(`${message}\n\n${HOW_TO_GET_TEMPORAL}`),
  });
  log(`Built Temporal CLI ${TEMPORAL_CLI_VERSION}: ${built.packages} packages in ${built.seconds} s.`);
}
