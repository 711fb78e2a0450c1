/**
 * The workflow code a simulation's worker runs: the compiled build's prebuilt bundle, or, from the sources, a bundle
 * kept in Overture's cache (~/.cache/overture) under a hash of everything that goes into it. Webpack takes tens of
 * seconds on a busy machine; a simulation after the first reuses its bundle until a workflow file changes.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowBundleOption } from '@temporalio/worker';
import { REPO_ROOT } from '../registry';
import { bundleWorkflowsApart } from '../registry/bundle-apart';
import { prebuiltBundle } from '../registry/prebuilt-bundle';
import { FAILURE_CONVERTER_PATH } from '../temporal/codec/data-converter';
import { overtureCacheDir } from '../tools/dev-stack/executables';

/** What the bundle is made of: the workflows, the activities' types and constants they import, the codec, the registry. */
const SOURCES = ['workflows', 'activities', path.join('src', 'temporal', 'codec'), path.join('src', 'registry'), 'package-lock.json'];

/** A hash of every source file of the bundle (names and contents). */
export function workflowSourceHash(root = REPO_ROOT): string {
  const hash = createHash('sha256');
  const visit = (file: string) => {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(file).sort()) visit(path.join(file, name));
      return;
    }
    hash.update(path.relative(root, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  };
  for (const source of SOURCES) visit(path.join(root, source));
  return hash.digest('hex').slice(0, 16);
}

let pending: Promise<WorkflowBundleOption> | undefined;

/** The workflow code: prebuilt, cached, or bundled now (once per process) and cached for the next simulation. */
export function simulationWorkflowCode(env: NodeJS.ProcessEnv = process.env): Promise<WorkflowBundleOption> {
  const ahead = prebuiltBundle([]);
  if (ahead) return Promise.resolve(ahead);
  pending ??= (async () => {
    const codePath = path.join(overtureCacheDir(env), 'simulate', `workflow-bundle-${workflowSourceHash()}.js`);
    if (fs.existsSync(codePath)) return { codePath };
    const { code } = await bundleWorkflowsApart({ failureConverterPath: FAILURE_CONVERTER_PATH });
    try {
      fs.mkdirSync(path.dirname(codePath), { recursive: true });
      // Written beside and renamed: a simulation started meanwhile never reads half a bundle.
      const partial = `${codePath}.${process.pid}.partial`;
      fs.writeFileSync(partial, code);
      fs.renameSync(partial, codePath);
      return { codePath };
    } catch {
      return { code }; // a read-only cache: this simulation runs all the same
    }
  })();
  pending.catch(() => (pending = undefined));
  return pending;
}
