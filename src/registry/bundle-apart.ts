/**
 * Bundling the workflow code in a short-lived child process, for a worker that starts without a prebuilt bundle.
 * Webpack's work leaves ~110 MB in the heap of the process that runs it (measured: a worker that bundled itself held
 * ~350 MB once polling, one given the same bundle ~240 MB); in a child, that memory goes back when the child exits.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import type { WorkflowBundle } from '@temporalio/worker';

/** What the child is asked to bundle beside the workflows. */
export interface ApartBundleOptions {
  /** The data converter's failure converter (src/temporal/codec/data-converter.ts), bundled into the sandbox. */
  failureConverterPath?: string;
  /** Workflow interceptor modules (the tracing interceptors, when tracing is on). */
  workflowInterceptorModules?: string[];
}

/** The child's answer: the bundle's code, or why it could not bundle. */
export type ApartBundleMessage = { code: string } | { error: string };

/** Bundles the workflows of every installed process in a child process and returns the code, for `workflowBundle`. */
export async function bundleWorkflowsApart(options: ApartBundleOptions = {}): Promise<WorkflowBundle> {
  // The child runs what this process runs: the compiled build as it is, the TypeScript sources through tsx,
  // loaded explicitly (a test runner's own transform, e.g. Jest's, is not inherited by a child).
  const compiled = path.extname(__filename) === '.js';
  const child = fork(require.resolve('./bundle-child'), [JSON.stringify(options)], {
    execArgv: compiled ? [] : ['--require', require.resolve('tsx/cjs')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise<WorkflowBundle>((resolve, reject) => {
    let answered = false;
    child.once('message', (message: ApartBundleMessage) => {
      answered = true;
      if ('code' in message) resolve({ code: message.code });
      else reject(new Error(`bundling the workflow code failed: ${message.error}`));
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (!answered) reject(new Error(`the workflow bundler exited (${signal ?? `code ${code}`}) without a bundle`));
    });
  });
}
