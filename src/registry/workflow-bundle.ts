/**
 * The worker's workflow code: the kit's own workflows and every installed process's (`workflows/<name>/index.ts`),
 * which Temporal's bundler packs for the deterministic sandbox. The entry file re-exporting them is written from the
 * registry's list, so that installing a process is one line in ./installed.ts; it lives in the system's temporary
 * folder (the repository may be read-only), and the bundler is told where the repository's packages are.
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

/** Writes the entry file (once per set of modules; atomically, as several workers may start at once) and returns its path. */
function writeEntry(): string {
  const text = `${workflowModules()
    .map((m) => `export * from ${JSON.stringify(m)};`)
    .join('\n')}\n`;
  const dir = path.join(os.tmpdir(), `overture-workflows-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`);
  const file = path.join(dir, 'index.ts');
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dir, { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  fs.writeFileSync(partial, text);
  fs.renameSync(partial, file);
  return file;
}

/** What the worker (and a replay) gives Temporal to bundle the workflow code of every installed process. */
export function workflowSource(): Required<Pick<WorkerOptions, 'workflowsPath' | 'bundlerOptions'>> {
  return {
    workflowsPath: writeEntry(),
    bundlerOptions: {
      // The entry is outside the repository: its packages (@temporalio/workflow and the workflows' own) are found here.
      webpackConfigHook: (config) => ({
        ...config,
        resolve: { ...config.resolve, modules: [...(config.resolve?.modules ?? ['node_modules']), path.join(REPO_ROOT, 'node_modules')] },
      }),
    },
  };
}

/** Bundles the workflow code once (tests, benches and a build do; a worker without a bundle bundles at start). */
export async function bundleWorkflows(opts: Omit<BundleOptions, 'workflowsPath'> = {}): Promise<WorkflowBundleWithSourceMap> {
  const { workflowsPath, bundlerOptions } = workflowSource();
  return bundleWorkflowCode({ workflowsPath, webpackConfigHook: bundlerOptions.webpackConfigHook, ...opts });
}
