/** Where `npm run bench` and `npm run bench:profile` put what gets committed: `bench/results/<yyyy-mm-dd>-<short sha>/`. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** The repository's root. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();

/** Today's results folder for the checked-out commit, under `root` (default bench/results), and whether the tree has changes. */
export function resultsFolder(root = path.join(REPO_ROOT, 'bench', 'results')): { folder: string; sha: string; dirty: boolean } {
  const sha = git('rev-parse', '--short', 'HEAD');
  const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
  return { folder: path.join(path.resolve(root), `${new Date().toISOString().slice(0, 10)}-${sha}`), sha, dirty };
}
