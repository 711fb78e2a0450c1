/**
 * A command-line tool built with `go install module/cmd@version` into a version-keyed cache
 * (`<cache>/<name>-<version>/<binary>`), reused when present: how helm and kubeconform are provisioned for the
 * chart's checks (deploy/helm). Nothing is downloaded when the binary is already in the cache.
 */
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { findOnPath, isExecutableFile, overtureCacheDir } from '../dev-stack/executables';
import { goInstall } from '../dev-stack/go-install';

type Env = NodeJS.ProcessEnv;

/** A Go tool pinned to a release. */
export interface GoTool {
  /** The binary's name, also the cache directory's prefix. */
  name: string;
  version: string;
  /** The package to build, without the version: `helm.sh/helm/v3/cmd/helm`. */
  goPackage: string;
  /** Where else to get it, for the error when Go is missing or the build fails. */
  howElse: string;
}

/** Raised when a tool can be neither found in the cache nor built. */
export class GoToolUnavailableError extends Error {
  override name = 'GoToolUnavailableError';
}

/** The cache directory of this tool's version (OVERTURE_CACHE_DIR, else ~/.cache/overture). */
export function goToolCacheDir(tool: GoTool, env: Env = process.env): string {
  return join(overtureCacheDir(env), `${tool.name}-${tool.version}`);
}

/** The cached binary if it is there (it is moved in only once built), else undefined. */
export function findGoTool(tool: GoTool, env: Env = process.env): string | undefined {
  const binary = join(goToolCacheDir(tool, env), tool.name);
  return isExecutableFile(binary) ? binary : undefined;
}

/** Returns the cached binary, building it with Go first if it is not there yet. */
export async function provisionGoTool(
  tool: GoTool,
  { env = process.env, log = () => {} }: { env?: Env; log?: (line: string) => void } = {},
): Promise<string> {
  const found = findGoTool(tool, env);
  if (found) return found;
  const go = findOnPath('go', env);
  if (!go) {
    throw new GoToolUnavailableError(
      `${tool.name} ${tool.version} is not in ${goToolCacheDir(tool, env)} and \`go\` is not on PATH to build it.\n${tool.howElse}`,
    );
  }
  const cacheDir = goToolCacheDir(tool, env);
  await mkdir(cacheDir, { recursive: true });
  // Built in a scratch dir and moved in last: an interrupted build never leaves a binary findGoTool would trust.
  const buildDir = await mkdtemp(join(cacheDir, '.build-'));
  try {
    log(`Building ${tool.name} ${tool.version} with Go; a cold build takes several minutes on 2 cores.`);
    const built = await goInstall({
      go,
      gobin: buildDir,
      env,
      packages: [`${tool.goPackage}@${tool.version}`],
      log,
      fail: (message) => new GoToolUnavailableError(`${message}\n\n${tool.howElse}`),
    });
    const target = join(cacheDir, tool.name);
    await rename(join(buildDir, tool.name), target);
    log(`Built ${tool.name} ${tool.version} in ${built.seconds} s (${built.packages} packages compiled) into ${cacheDir}.`);
    return target;
  } finally {
    await rm(buildDir, { recursive: true, force: true });
  }
}
