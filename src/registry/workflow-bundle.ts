/**
 * The worker's workflow code: the kit's own workflows and every installed process's (`workflows/<name>/index.ts`),
 * which Temporal's bundler packs for the deterministic sandbox. The entry file naming them is written from the
 * registry's list, so that installing a process is one line in ./installed.ts; it lives in the system's temporary
 * folder (the repository may be read-only), and the bundler is told where the repository's packages are.
 *
 * The entry is lazy: each workflow is a getter that loads its own module when a run first asks for it. In the
 * reused V8 context every cached run evaluates its own copy of the modules it loads, so an onboarding run then
 * holds the onboarding's and the kit's modules, not every installed process's.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, type BundleOptions, type WorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { INSTALLED, REPO_ROOT } from './';

/** The modules whose exports are the worker's workflows. */
export function workflowModules(): string[] {
  return [path.join(REPO_ROOT, 'workflows', 'kit', 'workflows'), ...INSTALLED.map((p) => path.join(REPO_ROOT, 'workflows', p.folder))];
}

/**
 * Modules evaluated once when the worker's V8 context starts and shared by every run, instead of once per run: the
 * SDK's API and the kit (with every kit module it imports). They must hold no state of their own, as the SDK
 * deep-freezes their exports and every run sees the same copy: test/unit/preloaded-workflow-modules.test.ts
 * refuses module-level state in them. A run then evaluates only its process's modules (~19 KB of heap instead of
 * ~110 KB per cached run, and about half the CPU of creating a run).
 */
export const PRELOADED_WORKFLOW_MODULES: readonly string[] = [
  '@temporalio/workflow',
  // index.ts in the sources, index.js in the compiled build (dist/), whichever this code is.
  path.join(REPO_ROOT, 'workflows', 'kit', `index${path.extname(__filename)}`),
];

/** The kit's own workflows, exported by `workflows/kit/workflows.ts` (test/unit/registry.test.ts checks the list). */
export const KIT_WORKFLOWS: readonly string[] = ['fanOut', 'scheduledStart'];

/** Each workflow type the worker runs, with the module that exports it. */
export function workflowExports(): Array<{ workflowType: string; module: string }> {
  const [kit, ...processes] = workflowModules();
  return [
    ...KIT_WORKFLOWS.map((workflowType) => ({ workflowType, module: kit! })),
    ...INSTALLED.flatMap((p, i) => p.definitions.map((d) => ({ workflowType: d.workflowType, module: processes[i]! }))),
  ];
}

/** The entry's text: CommonJS, one getter per workflow type, each `require` a literal so that webpack bundles it. */
export function entryText(): string {
  const lines = workflowExports().map(
    ({ workflowType, module }) => `lazy(${JSON.stringify(workflowType)}, () => require(${JSON.stringify(module)}));`,
  );
  return [
    '// Written by src/registry/workflow-bundle.ts: each workflow loads its own module when a run first asks for it.',
    "'use strict';",
    'function lazy(name, load) {',
    '  Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });',
    '}',
    ...lines,
    '',
  ].join('\n');
}

/** Writes the entry file (once per set of modules; atomically, as several workers may start at once) and returns its path. */
function writeEntry(): string {
  const text = entryText();
  const dir = path.join(os.tmpdir(), `overture-workflows-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`);
  const file = path.join(dir, 'index.js');
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dir, { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  fs.writeFileSync(partial, text);
  fs.renameSync(partial, file);
  return file;
}

/** The folder of the installed packages: the one holding @temporalio/workflow. */
const NODE_MODULES = path.resolve(require.resolve('@temporalio/workflow/package.json'), '..', '..', '..');

/** What the worker (and a replay) gives Temporal to bundle the workflow code of every installed process. */
export function workflowSource(): Required<Pick<WorkerOptions, 'workflowsPath' | 'bundlerOptions'>> {
  return {
    workflowsPath: writeEntry(),
    bundlerOptions: {
      preloadModules: [...PRELOADED_WORKFLOW_MODULES],
      // The entry is outside the repository: its packages (@temporalio/workflow and the workflows' own) are found in
      // the installed packages' folder (the repository's; also when this is the compiled build in dist/).
      webpackConfigHook: (config) => ({
        ...config,
        resolve: { ...config.resolve, modules: [...(config.resolve?.modules ?? ['node_modules']), NODE_MODULES] },
      }),
    },
  };
}

/** Bundles the workflow code once (tests, benches and a build do; a worker without a bundle bundles at start). */
export async function bundleWorkflows(opts: Omit<BundleOptions, 'workflowsPath'> = {}): Promise<WorkflowBundleWithSourceMap> {
  const { workflowsPath, bundlerOptions } = workflowSource();
  return bundleWorkflowCode({
    workflowsPath,
    webpackConfigHook: bundlerOptions.webpackConfigHook,
    preloadModules: bundlerOptions.preloadModules,
    ...opts,
  });
}
