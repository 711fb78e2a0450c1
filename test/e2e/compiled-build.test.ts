/**
 * The compiled build (`npm run build`) runs: the CLI from dist/ prints the same usage as the sources and lists the
 * installed processes; the compiled worker, through `npm run worker`'s launcher with OVERTURE_COMPILED=1 as the image
 * runs it (no tsx), loads the workflow bundle built ahead and onboards a new hire on the test run's Temporal server.
 * test/unit/dockerfile.test.ts checks the image that holds this build.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';
import { promisify } from 'node:util';
import { findCommand, USAGE } from '../../src/apps/cli/main';
import { INSTALLED } from '../../src/registry';
import { fastOptions, startTestStack, type TestStack } from '../helpers/test-stack';
import { kill, ROOT, runCommand, spawnWorker, type WorkerProcess } from '../helpers/processes';
import { newHire, startOnboarding } from '../processes/onboarding/helpers';

const run = promisify(execFile);
const DIST = path.join(ROOT, 'dist');
const compiled = { OVERTURE_COMPILED: '1' };

let stack: TestStack | undefined;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  await run('npm', ['run', '--silent', 'build'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
}, 600_000);

afterAll(async () => {
  if (worker) await kill(worker.child);
  await stack?.stop();
});

it('builds the compiled tree, its assets, both workflow bundles and the stamp the launchers compare', () => {
  for (const file of [
    'workers/overture-worker.js',
    'src/apps/cli/main.js',
    'src/apps/console/main.js',
    'src/apps/events/server.js',
    'src/apps/console/static/index.html',
    'migrations/postgres',
    'workflow-bundle.js',
    'workflow-bundle-traced.js',
    'cli-usage.txt',
    'cli-help/list.txt',
    'build-stamp.json',
  ])
    expect(fs.existsSync(path.join(DIST, file))).toBe(true);
  expect(fs.existsSync(path.join(DIST, 'test'))).toBe(false);
  expect(fs.existsSync(path.join(DIST, 'src', 'tools', 'bench'))).toBe(false);
});

/** The packages the compiled modules reachable from `entries` require, each with a module that requires it. */
function packagesRequired(entries: string[]): Map<string, string> {
  const packages = new Map<string, string>();
  const seen = new Set<string>();
  const queue = entries.map((e) => path.join(DIST, e));
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const [, spec] of fs.readFileSync(file, 'utf8').matchAll(/require\(["'`]([^"'`]+)["'`]\)/g)) {
      if (spec!.startsWith('.')) queue.push(require.resolve(path.resolve(path.dirname(file), spec!)));
      else if (!spec!.startsWith('node:') && !builtinModules.includes(spec!)) {
        const name = spec!
          .split('/')
          .slice(0, spec!.startsWith('@') ? 2 : 1)
          .join('/');
        if (!packages.has(name)) packages.set(name, path.relative(DIST, file));
      }
    }
  }
  return packages;
}

it("every package the image's entry points require is a production dependency (npm ci --omit=dev)", () => {
  const { dependencies } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: object };
  const entries = ['workers/overture-worker.js', 'src/apps/console/main.js', 'src/apps/events/server.js', 'src/apps/cli/main.js'];
  const required = packagesRequired([...entries, 'src/stores/postgres/migrate-cli.js']);
  expect(required.get('@temporalio/worker')).toBeDefined(); // the scan follows the worker's imports
  // Prettier only formats what `overture new` writes in a checkout, when it is installed (src/apps/cli/commands/new.ts).
  const missing = [...required].filter(([name, by]) => !(name in dependencies) && !(name === 'prettier' && by.endsWith('new.js')));
  expect(missing).toEqual([]);
});

it('the compiled CLI prints the usage the sources print, by itself and through bin/overture.js', async () => {
  const direct = await runCommand(process.execPath, [path.join(DIST, 'src', 'apps', 'cli', 'main.js'), '--help'], {});
  expect(direct).toEqual({ code: 0, stdout: `${USAGE}\n`, stderr: '' });
  const launched = await runCommand(process.execPath, ['bin/overture.js', '--help'], compiled);
  expect(launched).toEqual({ code: 0, stdout: `${USAGE}\n`, stderr: '' });
  const bare = await runCommand(process.execPath, ['bin/overture.js'], compiled);
  expect(bare.code).toBe(2);
  expect(bare.stdout).toBe(`${USAGE}\n`);
  // A command's help too, from the text the build wrote (no module of the CLI loaded).
  const listHelp = await runCommand(process.execPath, ['bin/overture.js', 'list', '--help'], compiled);
  expect(listHelp).toEqual({ code: 0, stdout: `${findCommand('list')!.usage}\n`, stderr: '' });
  const processes = await runCommand(process.execPath, ['bin/overture.js', 'processes', '--json'], compiled);
  expect(processes.code).toBe(0);
  const names = (JSON.parse(processes.stdout) as Array<{ name: string }>).map((p) => p.name);
  for (const installed of INSTALLED) expect(names).toContain(installed.folder);
});

it('the compiled worker runs the bundle built ahead and onboards a new hire', async () => {
  stack = await startTestStack({}, { worker: false });
  worker = spawnWorker(stack.env, { compiled: true });
  await worker.ready;
  expect(worker.output()).toContain(`workflow code: ${path.join(DIST, 'workflow-bundle.js')}`);
  const hire = newHire();
  const started = await startOnboarding(stack.client, stack.config, hire, { tuneOptions: fastOptions() });
  const result = (await started.handle.result()) as { state: string };
  expect(result.state).toBe('completed');
  expect(stack.mail.messages().some((m) => m.to.includes(hire.email))).toBe(true);
}, 180_000);
