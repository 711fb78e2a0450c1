/**
 * `npm run build`: compiles the TypeScript (tsconfig.build.json) into dist/, a tree shaped like the repository's, copies
 * the files the code reads at run time beside it, builds the workflow bundles and the CLI's usage (./after-compile.ts),
 * and writes dist/build-stamp.json last, which bin/compiled.js compares with the sources before running dist/.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');
const DIST = path.join(ROOT, 'dist');

/** Files read at run time, found from the code's own folder (e.g. migrations from src/stores/postgres/migrate.ts). */
const ASSETS = ['migrations', 'examples', 'src/apps/console/static', 'deploy/temporal/dynamicconfig.yaml'];

// eslint-disable-next-line @typescript-eslint/no-require-imports -- shared with the plain-JS launcher, not TypeScript
const launcher = require(path.join(ROOT, 'bin', 'compiled.js')) as { sourcesNow: (this: void) => { count: number; newest: number } };

function main(): void {
  // Taken before tsc reads anything: a source saved during the build is newer than the stamp, so the build is stale.
  const startedAt = Date.now();
  const { count } = launcher.sourcesNow();
  fs.rmSync(DIST, { recursive: true, force: true }); // no output of a deleted source survives
  const node = process.execPath;
  execFileSync(node, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  for (const asset of ASSETS) fs.cpSync(path.join(ROOT, asset), path.join(DIST, asset), { recursive: true });
  execFileSync(node, [path.join(DIST, 'src', 'tools', 'build', 'after-compile.js')], { stdio: 'inherit', cwd: ROOT });
  fs.writeFileSync(path.join(DIST, 'build-stamp.json'), `${JSON.stringify({ startedAt, sourceCount: count }, null, 2)}\n`);
  console.log(`built ${path.relative(process.cwd(), DIST) || DIST}/ in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
}

main();
