/**
 * A worker started without a prebuilt bundle bundles its workflow code in a child process
 * (src/registry/bundle-apart.ts), so that webpack's memory leaves with the child. The bundle it gets back is the
 * worker's: the lazy entry, the preloaded kit, and the interceptor modules asked for (tracing's, when on).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { bundleWorkflowsApart } from '../../src/registry/bundle-apart';
import { WORKFLOW_TRACING_MODULE } from '../../src/temporal/observability/tracing';
import { FAILURE_CONVERTER_PATH } from '../../src/temporal/codec/data-converter';

it('returns the whole workflow code, bundled in a child process with the interceptor modules asked for', async () => {
  const bundle = await bundleWorkflowsApart({
    failureConverterPath: FAILURE_CONVERTER_PATH,
    workflowInterceptorModules: [WORKFLOW_TRACING_MODULE],
  });
  if (!('code' in bundle)) throw new Error('expected the code');
  expect(bundle.code).toContain('Written by src/registry/workflow-bundle.ts');
  expect(bundle.code).toContain('interceptors-opentelemetry/lib/workflow-interceptors');
  expect(bundle.code).toMatch(/exports\.preloadModules = function preloadModules\(\) \{\s*__webpack_require__/);
}, 120_000);

it('says why when the child cannot bundle', async () => {
  await expect(bundleWorkflowsApart({ workflowInterceptorModules: ['/nowhere/interceptors.ts'] })).rejects.toThrow(
    /bundling the workflow code failed/,
  );
}, 120_000);

it('a child whose parent is gone before the bundle is ready finishes quietly', async () => {
  // The parent forks the child as bundleWorkflowsApart does, then exits at once, as a worker that cannot reach Temporal does.
  const parent = `
    const { fork } = require('node:child_process');
    const child = fork(${JSON.stringify(require.resolve('../../src/registry/bundle-child'))}, ['{}'], {
      execArgv: ['--require', ${JSON.stringify(require.resolve('tsx/cjs'))}],
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.on('spawn', () => child.disconnect());
    child.on('exit', (code) => { console.log(JSON.stringify({ code, stderr })); });
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', parent], { maxBuffer: 16 * 1024 * 1024 });
  const { code, stderr } = JSON.parse(stdout) as { code: number; stderr: string };
  expect(stderr).not.toContain('ERR_IPC_DISCONNECTED');
  expect(code).toBe(0);
}, 120_000);
