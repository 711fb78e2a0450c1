/** Finding the tools Overture provisions or needs (Go, the Temporal binaries) and where their cache lives. */
import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Overture's cache (OVERTURE_CACHE_DIR, else $XDG_CACHE_HOME/overture or ~/.cache/overture): outside the repo, so clones keep it. */
export function overtureCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.OVERTURE_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'overture');
}

/** Whether the path is a regular file this process may execute. */
export function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The first executable of that name on PATH, or undefined. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutableFile(join(dir, name))) return join(dir, name);
  }
  return undefined;
}
