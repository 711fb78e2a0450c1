/**
 * The registry, checked the way a newcomer's mistakes would show: a process folder not listed, a workflow type its
 * index does not export, a definition that does not name its folder, two processes with one activity name. The
 * worker would fail at start on some of these; here they fail in seconds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { INSTALLED, PROCESSES, processWorkers, REPO_ROOT } from '../../src/registry';
import { INSTALLED_PROCESSES } from '../../src/registry/installed';
import { workflowModules } from '../../src/registry/workflow-bundle';

const folders = (side: string) =>
  fs
    .readdirSync(path.join(REPO_ROOT, side), { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'kit')
    .map((d) => d.name)
    .sort();

it('installs every process folder, and only those: workflows/<name> and activities/<name> for each name in the list', () => {
  expect(folders('workflows')).toEqual([...INSTALLED_PROCESSES].sort());
  expect(folders('activities')).toEqual([...INSTALLED_PROCESSES].sort());
  expect(INSTALLED.map((p) => p.folder)).toEqual([...INSTALLED_PROCESSES]);
});

it('names each process after its folder, and each process once', () => {
  for (const process of INSTALLED) expect(process.definitions[0]!.shape.name).toBe(process.folder);
  const names = PROCESSES.map((p) => p.shape.name);
  expect(new Set(names).size).toBe(names.length);
});

it("finds every definition's workflow among the exports of its folder's index.ts, which the worker bundles", () => {
  for (const process of INSTALLED) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the folder's index, as the bundle entry names it
    const exported = require(path.join(REPO_ROOT, 'workflows', process.folder)) as Record<string, unknown>;
    for (const definition of process.definitions) expect(typeof exported[definition.workflowType]).toBe('function');
  }
  expect(workflowModules()).toEqual([
    path.join(REPO_ROOT, 'workflows', 'kit', 'workflows'),
    ...INSTALLED_PROCESSES.map((name) => path.join(REPO_ROOT, 'workflows', name)),
  ]);
});

it('gives every process an example that validates against its schema', () => {
  for (const definition of PROCESSES.filter((p) => !p.internal)) {
    expect(definition.example).toBeDefined();
    const example = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, definition.example!), 'utf8')) as unknown;
    expect(definition.inputSchema.safeParse(example).success).toBe(true);
  }
});

it('has a worker part for every process, each with a connect()', () => {
  const workers = processWorkers();
  expect(workers.map((w) => w.folder)).toEqual([...INSTALLED_PROCESSES]);
  for (const { worker } of workers) expect(typeof worker.connect).toBe('function');
});
