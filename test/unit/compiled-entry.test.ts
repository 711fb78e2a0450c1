/**
 * bin/compiled.js, which decides whether the CLI, the worker, the console and the gateway run the compiled build
 * (dist/) or the TypeScript sources through tsx: a checkout never runs a build older than its sources. Run on a copy
 * of the launcher in a temporary checkout with real files, in its own Node process.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers/processes';

let checkout: string;

/** What the launcher in the temporary checkout chooses under this environment: compiled, sources, or its error. */
function choice(env: Record<string, string> = {}): string {
  const script = `try { console.log(require('./bin/compiled').useCompiled() ? 'compiled' : 'sources'); } catch (e) { console.log(e.message); }`;
  const inherited = { ...process.env };
  delete inherited.OVERTURE_COMPILED; // only what the test sets
  return execFileSync(process.execPath, ['-e', script], { cwd: checkout, env: { ...inherited, ...env }, encoding: 'utf8' }).trim();
}

/** A build as `npm run build` leaves it: started now, over the sources there are. */
function build(startedAt = Date.now()): void {
  fs.mkdirSync(path.join(checkout, 'dist'), { recursive: true });
  const sourceCount = ['src', 'workers', 'workflows', 'activities']
    .map((dir) => fs.readdirSync(path.join(checkout, dir), { recursive: true }).filter((f) => String(f).endsWith('.ts')).length)
    .reduce((a, b) => a + b, 0);
  fs.writeFileSync(path.join(checkout, 'dist', 'build-stamp.json'), JSON.stringify({ startedAt, sourceCount }));
}

/** Sets a file's modification time `ms` from now. */
const touch = (file: string, ms: number) => fs.utimesSync(file, new Date(Date.now() + ms), new Date(Date.now() + ms));

beforeEach(() => {
  checkout = fs.mkdtempSync(path.join(os.tmpdir(), 'compiled-entry-'));
  fs.mkdirSync(path.join(checkout, 'bin'));
  fs.copyFileSync(path.join(ROOT, 'bin', 'compiled.js'), path.join(checkout, 'bin', 'compiled.js'));
  for (const dir of ['src/apps', 'workers', 'workflows/kit', 'activities']) fs.mkdirSync(path.join(checkout, dir), { recursive: true });
  for (const file of ['src/apps/main.ts', 'workers/worker.ts', 'workflows/kit/index.ts']) {
    fs.writeFileSync(path.join(checkout, file), 'export {};\n');
    touch(path.join(checkout, file), -60_000);
  }
});

afterEach(() => fs.rmSync(checkout, { recursive: true, force: true }));

it('runs the sources when there is no build', () => {
  expect(choice()).toBe('sources');
});

it('runs the build while it matches the sources', () => {
  build();
  expect(choice()).toBe('compiled');
});

it('runs the sources once one is edited after the build started', () => {
  build();
  touch(path.join(checkout, 'workflows/kit/index.ts'), 1_000);
  expect(choice()).toBe('sources');
});

it('runs the sources once one is added or removed, however old its time', () => {
  build();
  fs.writeFileSync(path.join(checkout, 'src/apps/added.ts'), 'export {};\n');
  touch(path.join(checkout, 'src/apps/added.ts'), -120_000);
  expect(choice()).toBe('sources');
  fs.rmSync(path.join(checkout, 'src/apps/added.ts'));
  expect(choice()).toBe('compiled');
  fs.rmSync(path.join(checkout, 'workers/worker.ts'));
  expect(choice()).toBe('sources');
});

it('OVERTURE_COMPILED=1 runs the build without sources (the image) and refuses to run without one', () => {
  expect(choice({ OVERTURE_COMPILED: '1' })).toMatch(/OVERTURE_COMPILED=1 but there is no build in .*: run npm run build/);
  build();
  for (const dir of ['src', 'workers', 'workflows', 'activities']) fs.rmSync(path.join(checkout, dir), { recursive: true });
  expect(choice({ OVERTURE_COMPILED: '1' })).toBe('compiled');
});

it('OVERTURE_COMPILED=0 runs the sources even over a matching build', () => {
  build();
  expect(choice({ OVERTURE_COMPILED: '0' })).toBe('sources');
});
