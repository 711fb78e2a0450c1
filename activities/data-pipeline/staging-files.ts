/**
 * Where a pipeline run keeps its files, and the checks that keep every path it is handed inside the folders it
 * owns: the inbox it reads from, the staging area it writes to.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { PermanentError, TransientError } from '../kit/errors';

export { STAGED } from '../../workflows/data-pipeline/batch';

const safeName = (name: string) => name.replace(/[^A-Za-z0-9._-]/g, '_');

/** The staging folder of one run: `<staging>/<workflow id>/<run id>`, so no two runs (a re-run, a backfill day) share files. */
export function runDirFor(stagingDir: string, workflowId: string, runId: string): string {
  return path.join(stagingDir, safeName(workflowId), safeName(runId));
}

/** The path resolved, if it lies inside `dir`; a path that leads elsewhere is refused for good. */
export function insideDir(dir: string, file: string, what: string): string {
  const root = path.resolve(dir);
  const resolved = path.resolve(root, file);
  if (resolved !== root && !resolved.startsWith(root + path.sep)) throw new PermanentError(`${what} must be inside ${root}`);
  return resolved;
}

/**
 * The real path of an inbox file, which must stay inside the inbox once symbolic links are followed. A file not
 * there (yet) is transient: it may still be arriving, and the step's retries give it time.
 */
export async function resolveInboxFile(inboxDir: string, name: string): Promise<string> {
  const candidate = insideDir(inboxDir, name, 'the inbox file');
  let real: string;
  try {
    real = await realpath(candidate);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new TransientError(`${name} is not in the inbox (yet)`);
    throw err;
  }
  return insideDir(await realpath(inboxDir), real, 'the inbox file');
}
