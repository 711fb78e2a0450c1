/**
 * The workflow bundles `npm run build` writes beside the compiled code (dist/), so that a compiled worker starts
 * without webpack: one plain, one with the tracing interceptors (a bundle's interceptors cannot be added later).
 * A worker run from the TypeScript sources has none and bundles at start (./bundle-apart.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './';

/** Where the build writes the bundle for these workflow interceptor modules (none, or the tracing ones). */
export function prebuiltBundlePath(workflowInterceptorModules: readonly string[], root = REPO_ROOT): string {
  return path.join(root, workflowInterceptorModules.length ? 'workflow-bundle-traced.js' : 'workflow-bundle.js');
}

/** The bundle built ahead for these interceptors, when this code is the compiled build and the bundle is there. */
export function prebuiltBundle(workflowInterceptorModules: readonly string[]): { codePath: string } | undefined {
  if (path.extname(__filename) !== '.js') return undefined; // the sources: their bundle is made from them, at start
  const codePath = prebuiltBundlePath(workflowInterceptorModules);
  return fs.existsSync(codePath) ? { codePath } : undefined;
}
