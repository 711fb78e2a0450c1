/**
 * Which code an entry point runs: the compiled build in dist/ (`npm run build`) or the TypeScript sources through tsx.
 *
 * - OVERTURE_COMPILED=1 (the image sets it): dist/ always; no sources are read (the image has none).
 * - OVERTURE_COMPILED=0: the sources through tsx, built or not.
 * - Unset (a checkout): dist/ when its build stamp still matches the sources, else the sources through tsx. The stamp
 *   holds how many source files there were and when the build started; an added or removed file changes the count,
 *   an edited one is newer than the build. So a checkout never runs a stale build, and after `npm run build` the
 *   CLI starts without compiling anything (about a tenth of the time). Checking costs one stat per source file.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
/** The folders `npm run build` compiles (tsconfig.build.json): a change in any of them makes the build stale. */
const SOURCE_DIRS = ['src', 'workers', 'workflows', 'activities'];
/** Written last by `npm run build` (src/tools/build/main.ts). */
const STAMP = path.join(DIST, 'build-stamp.json');

/** The number of TypeScript sources and the newest one's modification time. */
function sourcesNow() {
  let count = 0;
  let newest = 0;
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.ts')) {
        count++;
        newest = Math.max(newest, fs.statSync(file).mtimeMs);
      }
    }
  };
  for (const dir of SOURCE_DIRS) if (fs.existsSync(path.join(ROOT, dir))) walk(path.join(ROOT, dir));
  return { count, newest };
}

function readStamp() {
  try {
    return JSON.parse(fs.readFileSync(STAMP, 'utf8'));
  } catch {
    return undefined;
  }
}

/** True when entry points should run dist/ (see above); throws when OVERTURE_COMPILED=1 and there is no build. */
function useCompiled() {
  const wanted = process.env.OVERTURE_COMPILED;
  if (wanted === '0') return false;
  const stamp = readStamp();
  if (wanted === '1') {
    if (!stamp) throw new Error(`OVERTURE_COMPILED=1 but there is no build in ${DIST}: run npm run build`);
    return true;
  }
  if (!stamp) return false;
  const now = sourcesNow();
  return now.count === stamp.sourceCount && now.newest <= stamp.startedAt;
}

/**
 * The file to run for a source entry point (e.g. `workers/overture-worker.ts`): its compiled `.js` in dist/, or the
 * `.ts` itself with tsx's CommonJS hook installed.
 */
function entryFile(source) {
  if (useCompiled()) return { file: path.join(DIST, source.replace(/\.ts$/, '.js')), compiled: true };
  require('tsx/cjs');
  return { file: path.join(ROOT, source), compiled: false };
}

module.exports = { DIST, SOURCE_DIRS, entryFile, sourcesNow, useCompiled };
