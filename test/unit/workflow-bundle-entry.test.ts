/**
 * The worker's lazy bundle entry (src/registry/workflow-bundle.ts) names every workflow the kit and the installed
 * processes export, and each name gives that module's own function: a workflow missing from the entry would fail
 * only when a run of it arrives, with "no such function is exported by the workflow bundle".
 */
import path from 'node:path';
import vm from 'node:vm';
import { entryText, KIT_WORKFLOWS, workflowModules } from '../../src/registry/workflow-bundle';
import { REPO_ROOT } from '../../src/registry';

/** The entry evaluated as CommonJS, each module it requires loaded for real; also which modules it loaded. */
function evaluateEntry(): { exports: Record<string, unknown>; loaded: string[] } {
  const exports: Record<string, unknown> = {};
  const loaded: string[] = [];
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the entry's own requires, resolved as webpack would
  const load = (m: string) => (loaded.push(m), require(m) as unknown);
  vm.runInNewContext(entryText(), { exports, require: load });
  return { exports, loaded };
}

it("exports every workflow each workflow module exports, as that module's own function", () => {
  const { exports } = evaluateEntry();
  const expected: string[] = [];
  for (const module of workflowModules()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- each module the entry names
    const own = require(module) as Record<string, unknown>;
    for (const [name, fn] of Object.entries(own)) {
      if (typeof fn !== 'function') continue;
      expected.push(name);
      expect(exports[name]).toBe(fn);
    }
  }
  expect(Object.keys(exports).sort()).toEqual(expected.sort());
});

it("loads a workflow's module only when a run asks for that workflow", () => {
  const { exports, loaded } = evaluateEntry();
  expect(loaded).toEqual([]);
  expect(typeof exports.onboarding).toBe('function');
  expect(loaded).toEqual([path.join(REPO_ROOT, 'workflows', 'onboarding')]);
  expect(KIT_WORKFLOWS).toEqual(['fanOut', 'scheduledStart']);
});
